import json

import pytest
from django.urls import reverse

from influencers import services
from influencers.models import Influencer
from tests.factories import grant
from tests.influencers.conftest import days_ago


def directory_url(world, agency=None, name="influencer_list", **kw):
    return reverse(
        f"influencers:{name}", kwargs={"agency_slug": (agency or world.agency).slug, **kw}
    )


def board_url(world, name="relationship_board", brand=None, **kw):
    return reverse(f"influencers:{name}", kwargs={"brand_slug": (brand or world.brand).slug, **kw})


@pytest.mark.parametrize("role", ["admin", "manager", "analyst"])
def test_the_agency_staff_use_the_directory(world, influencer, role):
    response = world.client_for(role).get(directory_url(world))
    assert response.status_code == 200
    assert "Nina Nano" in response.content.decode()


def test_the_directory_is_hidden_from_clients_and_other_agencies(world, influencer):
    for who in ("client", world.outsider, world.foreign_admin, world.foreign_manager):
        client = world.client_for(who)
        assert client.get(directory_url(world)).status_code == 404
        detail = directory_url(world, name="influencer_detail", pk=influencer.pk)
        assert client.get(detail).status_code == 404
    # The other agency's admin sees their own (empty) directory, not ours.
    foreign = world.client_for(world.foreign_admin).get(directory_url(world, world.foreign_agency))
    assert foreign.status_code == 200
    assert "Nina Nano" not in foreign.content.decode()
    # An influencer of another agency is not found through ours.
    theirs = services.influencer_create(actor=None, agency=world.foreign_agency, name="Theirs")
    url = directory_url(world, name="influencer_detail", pk=theirs.pk)
    assert world.client_for("admin").get(url).status_code == 404


def test_a_client_alone_in_an_agency_has_no_directory_even_as_staff_elsewhere(world, influencer):
    # Staff of another agency's brand: that directory, not this one.
    grant(world.users["client"], world.foreign_brand, "analyst")
    client = world.client_for("client")
    assert client.get(directory_url(world)).status_code == 404
    assert client.get(directory_url(world, world.foreign_agency)).status_code == 200


def test_search_and_filters(world, influencer, django_assert_max_num_queries):
    for n in range(30):
        services.influencer_create(
            actor=None,
            agency=world.agency,
            name=f"Extra {n:02}",
            languages=["de"],
            profiles=[{"platform": "tiktok", "handle": f"extra{n}", "followers": 60_000}],
        )
    client = world.client_for("analyst")

    def names(**params):
        response = client.get(directory_url(world), params)
        return [i.name for i in response.context["influencers"]]

    assert names(q="@nina") == ["Nina Nano"]
    assert names(q="vegan") == ["Nina Nano"]
    assert names(tier="nano") == ["Nina Nano"]
    assert names(platform="instagram") == ["Nina Nano"]
    assert names(language="en") == ["Nina Nano"]
    assert names(topic="running") == ["Nina Nano"]
    assert names(tag="outdoor") == ["Nina Nano"]
    assert len(names(tier="mid")) == 25  # the first page
    assert names(tier="mid", page=2)[-1] == "Extra 29"
    # session, user, the agency's two-factor rule (middleware), the agency (directory
    # access), facets, count, brand switcher, alert bell, admin agencies (top bar), the
    # page of influencers, their profiles (one prefetch): 11, whatever the page holds.
    with django_assert_max_num_queries(11):
        client.get(directory_url(world))


def test_the_detail_shows_observed_figures_and_only_held_brands(world, influencer, hear):
    hear([("nina", "acme love it", days_ago(1))], reach=777)
    services.relationship_open(actor=None, brand=world.brand, influencer=influencer)
    services.relationship_open(actor=None, brand=world.sibling, influencer=influencer)
    url = directory_url(world, name="influencer_detail", pk=influencer.pk)
    analyst = world.client_for("analyst").get(url)
    text = analyst.content.decode()
    assert "777" in text  # reach heard from the linked Mastodon author
    brands = [r.brand for r in analyst.context["relationships"]]
    assert brands == [world.brand]  # the analyst does not hold the sibling brand
    admin = world.client_for("admin").get(url)
    assert {r.brand for r in admin.context["relationships"]} == {world.brand, world.sibling}


def test_adding_a_duplicate_links_to_the_existing_influencer(world, influencer):
    client = world.client_for("manager")
    response = client.post(
        directory_url(world, name="influencer_create"),
        {"name": "Copy", "platform": "instagram", "handle": "nina", "followers": 1},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["handle"]
    assert influencer.get_absolute_url() in response.content.decode()
    assert not Influencer.objects.filter(name="Copy").exists()


def test_a_client_sees_the_brands_relationships_read_only(world, relationship):
    client = world.client_for("client")
    board = client.get(board_url(world))
    assert board.status_code == 200
    text = board.content.decode()
    assert "Nina Nano" in text
    assert "draggable" not in text and f'id="stage-{relationship.pk}"' not in text
    detail = client.get(relationship.get_absolute_url())
    assert detail.status_code == 200
    detail_text = detail.content.decode()
    assert "Agency-only notes." not in detail_text
    assert "In the directory" not in detail_text
    assert 'name="summary"' not in detail_text
    move = board_url(world, "relationship_move", pk=relationship.pk)
    assert client.post(move, {"stage": "active"}).status_code == 403
    log = board_url(world, "interaction_create", pk=relationship.pk)
    assert client.post(log, {"kind": "call"}).status_code == 403
    relationship.refresh_from_db()
    assert relationship.stage == "prospect"


def test_a_foreign_brands_relationship_is_not_found(world, relationship):
    client = world.client_for(world.foreign_manager)
    assert client.get(relationship.get_absolute_url()).status_code == 404
    url = board_url(world, "relationship_detail", brand=world.foreign_brand, pk=relationship.pk)
    assert client.get(url).status_code == 404


def test_the_kanban_moves_a_card_by_drag_and_by_select(world, relationship):
    client = world.client_for("analyst")
    move = board_url(world, "relationship_move", pk=relationship.pk)
    # The drag: kanban.js posts with the CSRF token and asks for JSON.
    response = client.post(move, {"stage": "contacted"}, HTTP_ACCEPT="application/json")
    assert json.loads(response.content) == {"id": relationship.pk, "stage": "contacted"}
    relationship.refresh_from_db()
    assert relationship.stage == "contacted"
    # The keyboard alternative: the card's stage select.
    response = client.post(move, {"stage": "negotiating"})
    assert response.status_code == 302
    relationship.refresh_from_db()
    assert relationship.stage == "negotiating"
    board = client.get(board_url(world))
    columns = {stage.value: [r.pk for r in cards] for stage, cards in board.context["columns"]}
    assert columns["negotiating"] == [relationship.pk]
    bad = client.post(move, {"stage": "married"}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 400
    assert "stage" in json.loads(bad.content)["errors"]


def test_the_board_and_list_pin_their_queries(world, django_assert_max_num_queries):
    for n in range(12):
        i = services.influencer_create(
            actor=None,
            agency=world.agency,
            name=f"I{n}",
            profiles=[{"platform": "x", "handle": f"i{n}"}],
        )
        services.relationship_open(
            actor=None, brand=world.brand, influencer=i, owner=world.users["manager"]
        )
    client = world.client_for("manager")
    client.get(board_url(world))  # warm the session
    # session, user, brand, role, relationships, profiles prefetch, health alerts,
    # the alert bell and inbox count (context processors)
    with django_assert_max_num_queries(12):
        assert client.get(board_url(world)).status_code == 200
    with django_assert_max_num_queries(12):
        response = client.get(board_url(world, "relationship_list"))
    assert len(response.context["relationships"]) == 12


def test_the_interaction_log(world, relationship):
    client = world.client_for("analyst")
    url = board_url(world, "interaction_create", pk=relationship.pk)
    response = client.post(
        url,
        {
            "kind": "gift",
            "date": "2026-01-05",
            "summary": "Sent the new bottle",
            "outcome": "Loved it",
        },
    )
    assert response.status_code == 302
    interaction = relationship.interactions.get()
    assert (interaction.kind, interaction.by) == ("gift", world.users["analyst"])
    page = client.get(relationship.get_absolute_url()).content.decode()
    assert "Sent the new bottle" in page and "Outcome: Loved it" in page
    response = client.post(url, {"kind": "gift", "date": "", "summary": ""}, follow=True)
    assert "Summary: This field is required." in response.content.decode()
    assert relationship.interactions.count() == 1


def test_the_owner_and_next_step_are_edited_on_the_detail(world, relationship):
    client = world.client_for("manager")
    response = client.post(
        relationship.get_absolute_url(),
        {
            "owner": world.users["analyst"].pk,
            "next_step": "Send brief",
            "next_step_due": "2026-02-01",
        },
    )
    assert response.status_code == 302
    relationship.refresh_from_db()
    assert (relationship.owner, relationship.next_step) == (world.users["analyst"], "Send brief")
    # A client of the brand is not a possible owner: a field error, not a 500.
    response = client.post(relationship.get_absolute_url(), {"owner": world.users["client"].pk})
    assert response.status_code == 200
    assert response.context["form"].errors["owner"]
