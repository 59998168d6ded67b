"""/api/agencies/: the agencies a user belongs to; only their admins change them."""

from __future__ import annotations

import pytest

from socialhub.models import AuditEvent
from tests.factories import grant


def test_it_lists_only_the_users_agencies(world, api):
    body = api("manager").get("/api/agencies/").json()

    assert body["count"] == 1
    assert [a["name"] for a in body["results"]] == ["Alpha Agency"]
    assert body["results"][0]["is_admin"] is False


def test_it_shows_an_outsider_no_agencies(world, api):
    assert api(world.outsider).get("/api/agencies/").json()["count"] == 0


def test_it_retrieves_an_own_agency(world, api):
    response = api("client").get(f"/api/agencies/{world.agency.slug}/")

    assert response.status_code == 200
    assert response.json()["name"] == "Alpha Agency"


def test_it_checks_ownership(world, api):
    response = api("admin").get(f"/api/agencies/{world.foreign_agency.slug}/")

    assert response.status_code == 404
    assert response.json() == {"detail": "No Agency matches the given query."}


def test_it_searches_by_name(world, api):
    # Someone working for both agencies sees both; the search narrows them.
    grant(world.foreign_manager, world.brand, "analyst")
    client = api(world.foreign_manager)

    assert client.get("/api/agencies/").json()["count"] == 2
    results = client.get("/api/agencies/?search=beta").json()["results"]
    assert [a["name"] for a in results] == ["Beta Agency"]


def test_an_admin_renames_the_agency(world, api):
    response = api("admin").patch(
        f"/api/agencies/{world.agency.slug}/", {"name": "Alpha & Co"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["name"] == "Alpha & Co"
    world.agency.refresh_from_db()
    assert world.agency.name == "Alpha & Co"
    event = AuditEvent.objects.get(action=AuditEvent.Action.AGENCY_UPDATED)
    assert event.actor == world.users["admin"]


def test_the_slug_stays_when_an_admin_sends_one(world, api):
    slug = world.agency.slug
    response = api("admin").patch(f"/api/agencies/{slug}/", {"slug": "stolen"}, format="json")

    assert response.status_code == 200
    assert response.json()["slug"] == slug


def test_a_blank_name_is_a_field_error(world, api):
    response = api("admin").patch(
        f"/api/agencies/{world.agency.slug}/", {"name": ""}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Invalid input: check name."
    assert body["errors"] == {"name": ["This field may not be blank."]}


@pytest.mark.parametrize("role", ["manager", "analyst", "client"])
def test_a_brand_member_cannot_change_the_agency(world, api, role):
    response = api(role).patch(
        f"/api/agencies/{world.agency.slug}/", {"name": "Mine now"}, format="json"
    )

    assert response.status_code in (403, 404)
    assert "detail" in response.json()
    world.agency.refresh_from_db()
    assert world.agency.name == "Alpha Agency"


def test_a_foreign_admin_cannot_change_the_agency(world, api):
    response = api(world.foreign_admin).patch(
        f"/api/agencies/{world.agency.slug}/", {"name": "Mine now"}, format="json"
    )

    assert response.status_code == 404
    world.agency.refresh_from_db()
    assert world.agency.name == "Alpha Agency"
