from datetime import UTC, datetime

from django.core.management import call_command
from rest_framework.test import APIClient

from influencers import services
from influencers.models import Influencer, Relationship


def api(world, who):
    client = APIClient()
    client.force_authenticate(world.users[who] if isinstance(who, str) else who)
    return client


def test_influencers_are_scoped_to_the_directories_the_caller_may_use(world, influencer):
    services.influencer_create(actor=None, agency=world.foreign_agency, name="Theirs")

    def names(who):
        return [i["name"] for i in api(world, who).get("/api/influencers/").json()["results"]]

    assert names("analyst") == ["Nina Nano"]
    assert names("client") == []
    assert names(world.foreign_admin) == ["Theirs"]
    assert api(world, "client").get(f"/api/influencers/{influencer.pk}/").status_code == 404
    assert (
        api(world, world.foreign_admin).get(f"/api/influencers/{influencer.pk}/").status_code == 404
    )
    mine = api(world, "manager").get(f"/api/influencers/{influencer.pk}/").json()
    assert mine["tier"] == "nano" and mine["agency"] == world.agency.slug
    assert {p["platform"] for p in mine["profiles"]} == {"instagram", "mastodon"}


def test_the_list_filters_like_the_directory(world, influencer):
    services.influencer_create(
        actor=None,
        agency=world.agency,
        name="Mega",
        profiles=[{"platform": "youtube", "handle": "mega", "followers": 2_000_000}],
    )
    client = api(world, "analyst")
    assert [i["name"] for i in client.get("/api/influencers/?tier=mega").json()["results"]] == [
        "Mega"
    ]
    assert [i["name"] for i in client.get("/api/influencers/?q=vegan").json()["results"]] == [
        "Nina Nano"
    ]


def test_create_with_profiles_and_refuse_a_duplicate_or_a_foreign_agency(world, influencer):
    client = api(world, "analyst")
    created = client.post(
        "/api/influencers/",
        {
            "agency": world.agency.slug,
            "name": "Zed",
            "languages": ["en"],
            "profiles": [{"platform": "tiktok", "handle": "zed", "followers": 20_000}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["tier"] == "micro"
    duplicate = client.post(
        "/api/influencer-profiles/",
        {"influencer": created.json()["id"], "platform": "instagram", "handle": "nina"},
        format="json",
    )
    assert duplicate.status_code == 400
    assert "already in the directory: Nina Nano" in duplicate.json()["errors"]["handle"][0]
    foreign = client.post(
        "/api/influencers/", {"agency": world.foreign_agency.slug, "name": "X"}, format="json"
    )
    assert foreign.status_code == 400
    assert "agency" in foreign.json()["errors"]
    # A client may not add to the directory.
    refused = api(world, "client").post(
        "/api/influencers/", {"agency": world.agency.slug, "name": "Y"}, format="json"
    )
    assert refused.status_code == 400
    assert not Influencer.objects.filter(name__in=["X", "Y"]).exists()


def test_relationships_open_move_and_are_read_only_for_clients(world, influencer):
    base = f"/api/brands/{world.brand.slug}/influencer-relationships/"
    opened = api(world, "analyst").post(base, {"influencer": influencer.pk}, format="json")
    assert opened.status_code == 201, opened.json()
    pk = opened.json()["id"]
    assert opened.json()["stage"] == "prospect"
    moved = api(world, "analyst").post(f"{base}{pk}/move/", {"stage": "active"}, format="json")
    assert moved.status_code == 200
    assert moved.json()["stage"] == "active"
    bad = api(world, "analyst").post(f"{base}{pk}/move/", {"stage": "nope"}, format="json")
    assert bad.status_code == 400 and "stage" in bad.json()["errors"]
    client = api(world, "client")
    assert [r["influencer_name"] for r in client.get(base).json()["results"]] == ["Nina Nano"]
    assert client.post(f"{base}{pk}/move/", {"stage": "paused"}, format="json").status_code == 403
    assert client.patch(f"{base}{pk}/", {"next_step": "x"}, format="json").status_code == 403
    assert Relationship.objects.get(pk=pk).stage == "active"
    # Another agency's brand: not found, and not movable.
    foreign = api(world, world.foreign_manager)
    assert foreign.get(f"{base}{pk}/").status_code == 404
    url = f"/api/brands/{world.foreign_brand.slug}/influencer-relationships/{pk}/move/"
    assert foreign.post(url, {"stage": "paused"}, format="json").status_code == 404


def test_a_relationship_with_another_agencys_influencer_is_a_field_error(world):
    theirs = services.influencer_create(actor=None, agency=world.foreign_agency, name="Theirs")
    base = f"/api/brands/{world.brand.slug}/influencer-relationships/"
    response = api(world, "manager").post(base, {"influencer": theirs.pk}, format="json")
    assert response.status_code == 400
    assert "influencer" in response.json()["errors"]


def test_interactions_are_logged_on_the_brands_relationships_only(world, relationship):
    base = f"/api/brands/{world.brand.slug}/influencer-interactions/"
    today = datetime.now(UTC).date().isoformat()
    data = {"relationship": relationship.pk, "kind": "meeting", "date": today, "summary": "Coffee"}
    created = api(world, "analyst").post(base, data, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["by"]["email"] == "analyst@alpha.test"
    assert api(world, "client").post(base, data, format="json").status_code == 403
    # A relationship of the sibling brand is a field error here.
    other = services.relationship_open(
        actor=None, brand=world.sibling, influencer=relationship.influencer
    )
    response = api(world, "admin").post(base, {**data, "relationship": other.pk}, format="json")
    assert response.status_code == 400 and "relationship" in response.json()["errors"]
    listed = api(world, "client").get(base).json()["results"]
    assert [i["summary"] for i in listed] == ["Coffee"]


def test_the_brand_root_lists_the_endpoints_and_the_schema_builds(world, tmp_path):
    links = api(world, "client").get(f"/api/brands/{world.brand.slug}/").json()["links"]
    assert links["influencer_relationships"].endswith(
        f"/api/brands/{world.brand.slug}/influencer-relationships/"
    )
    assert "influencer_interactions" in links
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text()
    assert "/api/brands/{brand_slug}/influencer-relationships/{id}/move/" in schema
    assert "/api/influencers/" in schema
