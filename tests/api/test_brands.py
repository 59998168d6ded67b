"""/api/brands/ (the user's brands; agency admins create them) and each brand's API
root /api/brands/<slug>/ (the brand, links to its endpoints; leads edit it)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver

from socialhub import services
from socialhub.models import AuditEvent, Brand, BrandMembership
from tests.factories import BrandFactory


def slugs(response) -> list[str]:
    return [b["slug"] for b in response.json()["results"]]


# -- the list --------------------------------------------------------------------------


def test_it_lists_only_brands_the_user_holds_a_role_in(api):
    response = api("manager").get("/api/brands/")

    assert response.status_code == 200
    assert slugs(response) == ["acme-test"]
    assert response.json()["results"][0]["role"] == "manager"


def test_it_lists_every_brand_of_the_agency_for_its_admin(world, api):
    assert slugs(api("admin").get("/api/brands/")) == ["acme-test", "sibling-co"]
    assert slugs(api(world.foreign_admin).get("/api/brands/")) == ["far-away", "foreign-co"]


def test_it_lists_nothing_for_an_outsider(world, api):
    assert slugs(api(world.outsider).get("/api/brands/")) == []


def test_it_hides_an_archived_brand_from_all_but_the_admin(world, api):
    services.brand_set_archived(actor=world.users["admin"], brand=world.brand, archived=True)

    assert slugs(api("manager").get("/api/brands/")) == []
    assert api("manager").get("/api/brands/acme-test/").status_code == 404
    admin = api("admin")
    assert slugs(admin.get("/api/brands/?archived_at__isnull=false")) == ["acme-test"]
    assert slugs(admin.get("/api/brands/?archived_at__isnull=true")) == ["sibling-co"]


def test_it_searches_and_filters_by_agency(world, api):
    # The foreign admin is also given a role in Alpha's brand, so they see both agencies.
    services.membership_set_role(
        actor=world.users["admin"], brand=world.brand, user=world.foreign_admin, role="client"
    )
    client = api(world.foreign_admin)

    assert slugs(client.get("/api/brands/")) == ["acme-test", "far-away", "foreign-co"]
    assert slugs(client.get("/api/brands/?search=acme")) == ["acme-test"]
    agency = world.foreign_agency.slug
    assert slugs(client.get(f"/api/brands/?agency__slug={agency}")) == ["far-away", "foreign-co"]


def test_it_pages_the_list(world, api):
    for n in range(3):
        services.brand_create(actor=world.users["admin"], agency=world.agency, name=f"Extra {n}")
    client = api("admin")

    first = client.get("/api/brands/?page_size=2").json()

    assert first["count"] == 5
    assert [b["slug"] for b in first["results"]] == ["acme-test", "extra-0"]
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert [b["slug"] for b in second["results"]] == ["extra-1", "extra-2"]
    last = client.get(second["next"]).json()
    assert [b["slug"] for b in last["results"]] == ["sibling-co"]
    assert last["next"] is None


def test_a_page_past_the_end_is_a_json_404(api):
    response = api("admin").get("/api/brands/?page=9")

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


# -- create ----------------------------------------------------------------------------


def test_an_agency_admin_creates_a_brand(world, api):
    client = api("admin")
    response = client.post(
        "/api/brands/",
        {"agency": world.agency.slug, "name": "New Client", "languages": ["en", "de"]},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "new-client"
    assert body["agency"] == world.agency.slug
    assert body["role"] == "admin"
    assert body["timezone"] == "UTC"
    assert body["languages"] == ["de", "en"]
    assert body["url"] == "http://testserver/api/brands/new-client/"
    assert "new-client" in slugs(client.get("/api/brands/"))
    event = AuditEvent.objects.get(action=AuditEvent.Action.BRAND_CREATED, brand__slug="new-client")
    assert event.actor == world.users["admin"]


@pytest.mark.parametrize("role", ["manager", "analyst", "client"])
def test_a_brand_member_cannot_create_a_brand_in_their_agency(world, api, role):
    response = api(role).post(
        "/api/brands/", {"agency": world.agency.slug, "name": "Sneaky"}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Invalid input: check agency."
    assert list(body["errors"]) == ["agency"]
    assert not Brand.objects.filter(name="Sneaky").exists()


def test_an_admin_cannot_create_a_brand_in_a_foreign_agency(world, api):
    response = api("admin").post(
        "/api/brands/", {"agency": world.foreign_agency.slug, "name": "Sneaky"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["agency"]
    assert not Brand.objects.filter(name="Sneaky").exists()


def test_a_foreign_agency_looks_like_an_unknown_one(world, api):
    client = api("admin")
    for slug in (world.foreign_agency.slug, "no-such-agency"):
        response = client.post("/api/brands/", {"agency": slug, "name": "X"}, format="json")

        assert response.json()["errors"] == {"agency": [f"Object with slug={slug} does not exist."]}


def test_invalid_fields_are_named_in_the_errors(world, api):
    response = api("admin").post(
        "/api/brands/",
        {"agency": world.agency.slug, "timezone": "Mars/Olympus", "languages": ["english"]},
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"name", "timezone", "languages"}
    assert errors["name"] == ["This field is required."]


def test_a_taken_slug_is_a_field_error(world, api):
    response = api("admin").post(
        "/api/brands/",
        {"agency": world.agency.slug, "name": "Copycat", "slug": "foreign-co"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["slug"]


# -- the brand's API root --------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "manager", "analyst", "client"])
def test_the_brand_root_shows_the_brand_and_links_its_endpoints(world, api, role):
    response = api(role).get("/api/brands/acme-test/")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Acme Test"
    assert body["agency"] == world.agency.slug
    assert body["role"] == role
    assert body["url"] == "http://testserver/api/brands/acme-test/"
    assert body["links"]["memberships"] == "http://testserver/api/brands/acme-test/memberships/"


def brand_list_routes() -> set[str]:
    """Every ``-list`` route under /api/brands/<brand_slug>/, from the URL resolver."""
    found = set()

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif (p.name or "").endswith("-list") and "brands/(?P<brand_slug>" in route:
                rest = route.split("(?P<brand_slug>[-a-zA-Z0-9_]+)/", 1)[1]
                found.add(rest.removeprefix("^").removesuffix("$").removesuffix("/"))

    walk(get_resolver().url_patterns, "")
    return found


def test_the_brand_root_links_every_endpoint_of_the_brand(api):
    links = api("admin").get("/api/brands/acme-test/").json()["links"]

    expected = {f"http://testserver/api/brands/acme-test/{rest}/" for rest in brand_list_routes()}
    assert expected and expected <= set(links.values())


@pytest.mark.parametrize("role", ["admin", "manager", "analyst", "client"])
def test_the_brand_root_links_only_what_the_reader_may_open(api, role):
    client = api(role)
    links = client.get("/api/brands/acme-test/").json()["links"]

    assert "mentions" in links
    # Approval links carry the clients' secret tokens: managers only.
    assert ("approval_links" in links) == (role in ("admin", "manager"))
    for url in links.values():
        assert client.get(url).status_code == 200, url


def test_the_brand_root_checks_ownership(world, api):
    for who in ("admin", "manager", "client", world.outsider):
        assert api(who).get("/api/brands/foreign-co/").status_code == 404
    # A brand of one's own agency that one holds no role in is just as unknown.
    response = api("manager").get("/api/brands/sibling-co/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such brand."}


def test_an_unknown_brand_is_a_404(api):
    assert api("admin").get("/api/brands/no-such-brand/").status_code == 404


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_a_lead_edits_the_brand(world, api, role):
    response = api(role).patch(
        "/api/brands/acme-test/",
        {"name": "Acme Renamed", "timezone": "Europe/Berlin", "competitors": ["Globex"]},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Acme Renamed"
    assert body["timezone"] == "Europe/Berlin"
    assert body["competitors"] == ["Globex"]
    assert "links" in body
    world.brand.refresh_from_db()
    assert world.brand.name == "Acme Renamed"
    event = AuditEvent.objects.get(action=AuditEvent.Action.BRAND_UPDATED)
    assert event.actor == world.users[role]


def test_the_slug_and_agency_stay_when_a_lead_sends_them(world, api):
    response = api("manager").patch(
        "/api/brands/acme-test/",
        {"slug": "renamed", "agency": world.foreign_agency.slug, "archived_at": None},
        format="json",
    )

    assert response.status_code == 200
    world.brand.refresh_from_db()
    assert world.brand.slug == "acme-test"
    assert world.brand.agency == world.agency


def test_an_invalid_edit_names_the_field(world, api):
    response = api("manager").patch(
        "/api/brands/acme-test/", {"timezone": "Mars/Olympus"}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Invalid input: check timezone."
    assert list(body["errors"]) == ["timezone"]
    world.brand.refresh_from_db()
    assert world.brand.timezone == "UTC"


@pytest.mark.parametrize("role", ["analyst", "client"])
def test_analysts_and_clients_cannot_edit_the_brand(world, api, role):
    response = api(role).patch("/api/brands/acme-test/", {"name": "Hacked"}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Your role in this brand does not allow this."}
    world.brand.refresh_from_db()
    assert world.brand.name == "Acme Test"


def test_nobody_edits_a_foreign_brand(world, api):
    for who in ("admin", "manager"):
        response = api(who).patch("/api/brands/foreign-co/", {"name": "Hacked"}, format="json")

        assert response.status_code == 404
    world.foreign_brand.refresh_from_db()
    assert world.foreign_brand.name == "Foreign Co"


@pytest.mark.parametrize("who", ["admin", "manager"])
def test_the_list_and_me_run_a_fixed_number_of_queries(world, api, who):
    client = api(who)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/brands/").status_code == 200
    with CaptureQueriesContext(connection) as few_me:
        assert client.get("/api/me/").status_code == 200
    for n in range(6):
        brand = BrandFactory(agency=world.agency, name=f"More {n}")
        BrandMembership.objects.create(brand=brand, user=world.users["manager"], role="manager")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/brands/")
    with CaptureQueriesContext(connection) as many_me:
        me = client.get("/api/me/")

    assert len(response.json()["results"]) >= 7
    assert {b["role"] for b in me.json()["brands"]} == {"admin" if who == "admin" else "manager"}
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many_me.captured_queries) == len(few_me.captured_queries)
