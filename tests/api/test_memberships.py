"""/api/brands/<slug>/memberships/: who holds which role in the brand. Everyone in the
brand sees them; managers and agency admins change them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from socialhub import access
from socialhub.models import AuditEvent, BrandMembership
from tests.factories import UserFactory, grant

URL = "/api/brands/acme-test/memberships/"


def membership(world, role: str) -> BrandMembership:
    return BrandMembership.objects.get(brand=world.brand, user=world.users[role])


def agency_colleague(world):
    """Someone in the agency (through the sibling brand) with no role in the brand."""
    return grant(UserFactory(email="new@alpha.test"), world.sibling, "analyst")


# -- reading ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "manager", "analyst", "client"])
def test_everyone_in_the_brand_sees_its_members(world, api, role):
    response = api(role).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [(m["user"]["email"], m["role"]) for m in body["results"]] == [
        ("analyst@alpha.test", "analyst"),
        ("client@alpha.test", "client"),
        ("manager@alpha.test", "manager"),
    ]


def test_it_shows_one_member(world, api):
    manager = membership(world, "manager")
    response = api("client").get(f"{URL}{manager.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == manager.pk
    assert body["role"] == "manager"
    assert body["user"] == {
        "id": world.users["manager"].pk,
        "email": "manager@alpha.test",
        "name": world.users["manager"].display_name,
    }


def test_it_checks_ownership(world, api):
    for who in ("admin", "manager", "client", world.outsider):
        response = api(who).get("/api/brands/foreign-co/memberships/")

        assert response.status_code == 404
        assert response.json() == {"detail": "No such brand."}
    # A brand of one's own agency that one holds no role in is just as unknown.
    assert api("manager").get("/api/brands/sibling-co/memberships/").status_code == 404


def test_a_foreign_membership_is_not_found_under_an_own_brand(world, api):
    foreign = BrandMembership.objects.get(brand=world.foreign_brand, user=world.foreign_manager)
    client = api("manager")
    url = f"{URL}{foreign.pk}/"

    assert client.get(url).status_code == 404
    assert client.patch(url, {"role": "client"}, format="json").status_code == 404
    assert client.delete(url).status_code == 404
    foreign.refresh_from_db()
    assert foreign.role == "manager"


def test_it_filters_by_role(api):
    body = api("analyst").get(f"{URL}?role=client").json()

    assert [m["user"]["email"] for m in body["results"]] == ["client@alpha.test"]


def test_an_unknown_role_filter_names_the_parameter(api):
    response = api("analyst").get(f"{URL}?role=admin")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["role"]


def test_it_searches_by_email_and_name(world, api):
    client = api("analyst")

    by_email = client.get(f"{URL}?search=manager@").json()["results"]
    assert [m["user"]["email"] for m in by_email] == ["manager@alpha.test"]
    last_name = world.users["client"].last_name
    by_name = client.get(f"{URL}?search={last_name}").json()["results"]
    assert "client@alpha.test" in [m["user"]["email"] for m in by_name]


def test_it_pages_the_members(api):
    client = api("analyst")

    first = client.get(f"{URL}?page_size=2").json()

    assert first["count"] == 3
    assert len(first["results"]) == 2
    assert first["next"] == f"http://testserver{URL}?page=2&page_size=2"
    last = client.get(first["next"]).json()
    assert [m["user"]["email"] for m in last["results"]] == ["manager@alpha.test"]
    assert last["next"] is None


def test_the_list_takes_the_same_queries_however_many_members(world):
    token = Token.objects.create(user=world.users["analyst"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    def queries() -> int:
        access.forget_roles(world.users["analyst"])
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    # 1. the token, with its user
    # 2. does one of the user's agencies require two-factor?
    # 3. the brand from the URL
    # 4. is the user an admin of the brand's agency?
    # 5. the user's role in the brand
    # 6. the count of members
    # 7. the page of members, with their users
    assert queries() == 7
    for _ in range(5):
        grant(UserFactory(), world.brand, "client")
    assert queries() == 7


# -- writing ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_a_lead_adds_an_agency_colleague_to_the_brand(world, api, role):
    colleague = agency_colleague(world)
    response = api(role).post(URL, {"email": "NEW@alpha.test", "role": "analyst"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["user"]["email"] == "new@alpha.test"
    assert body["role"] == "analyst"
    assert "email" not in body
    assert access.role_for(colleague, world.brand) == "analyst"
    event = AuditEvent.objects.get(
        action=AuditEvent.Action.ROLE_GRANTED, brand=world.brand, target_email="new@alpha.test"
    )
    assert event.actor == world.users[role]
    # The new member now reaches the brand through the API.
    assert api(colleague).get("/api/brands/acme-test/").json()["role"] == "analyst"


def test_someone_outside_the_agency_cannot_be_added(world, api):
    client = api("manager")
    for email in ("outsider@nowhere.test", "manager@beta.test", "nobody@nowhere.test"):
        response = client.post(URL, {"email": email, "role": "client"}, format="json")

        assert response.status_code == 400, email
        body = response.json()
        assert body["detail"] == "Invalid input: check email."
        # The same words whether or not the address has an account: nothing leaks.
        assert body["errors"] == {
            "email": [f"{email} is not a member of Alpha Agency; invite them first."]
        }
    assert access.role_for(world.outsider, world.brand) is None


def test_a_current_member_cannot_be_added_twice(world, api):
    response = api("manager").post(
        URL, {"email": "client@alpha.test", "role": "manager"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "email": ["client@alpha.test already has a role in Acme Test."]
    }
    assert membership(world, "client").role == "client"


def test_admin_is_not_a_brand_role(world, api):
    agency_colleague(world)
    response = api("admin").post(URL, {"email": "new@alpha.test", "role": "admin"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["role"]


def test_a_new_member_needs_an_email_and_a_role(api):
    response = api("manager").post(URL, {}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "email": ["This field is required."],
        "role": ["This field is required."],
    }


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_a_lead_changes_a_members_role(world, api, role):
    analyst = membership(world, "analyst")
    response = api(role).patch(f"{URL}{analyst.pk}/", {"role": "manager"}, format="json")

    assert response.status_code == 200
    assert response.json()["role"] == "manager"
    assert response.json()["user"]["email"] == "analyst@alpha.test"
    assert access.role_for(world.users["analyst"], world.brand) == "manager"
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_CHANGED)
    assert (event.detail["from_role"], event.detail["to_role"]) == ("analyst", "manager")


def test_the_member_stays_the_same_person_on_update(world, api):
    analyst = membership(world, "analyst")
    response = api("manager").put(
        f"{URL}{analyst.pk}/", {"email": "client@alpha.test", "role": "client"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["user"]["email"] == "analyst@alpha.test"
    analyst.refresh_from_db()
    assert analyst.user == world.users["analyst"]
    assert analyst.role == "client"


def test_a_role_change_to_admin_is_refused(world, api):
    analyst = membership(world, "analyst")
    response = api("manager").patch(f"{URL}{analyst.pk}/", {"role": "admin"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["role"]
    assert membership(world, "analyst").role == "analyst"


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_a_lead_removes_a_member(world, api, role):
    client_membership = membership(world, "client")
    response = api(role).delete(f"{URL}{client_membership.pk}/")

    assert response.status_code == 204
    assert not BrandMembership.objects.filter(pk=client_membership.pk).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_REVOKED).count() == 1
    # The removed member no longer reaches the brand.
    assert api("client").get("/api/brands/acme-test/").status_code == 404


@pytest.mark.parametrize("role", ["analyst", "client"])
def test_analysts_and_clients_cannot_change_members(world, api, role):
    agency_colleague(world)
    client = api(role)
    manager = membership(world, "manager")
    forbidden = {"detail": "Your role in this brand does not allow this."}

    responses = [
        client.post(URL, {"email": "new@alpha.test", "role": "client"}, format="json"),
        client.patch(f"{URL}{manager.pk}/", {"role": "client"}, format="json"),
        client.put(f"{URL}{manager.pk}/", {"role": "client"}, format="json"),
        client.delete(f"{URL}{manager.pk}/"),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    assert all(r.json() == forbidden for r in responses)
    assert BrandMembership.objects.filter(brand=world.brand).count() == 3
    assert membership(world, "manager").role == "manager"


def test_nobody_changes_a_foreign_brands_members(world, api):
    foreign = BrandMembership.objects.get(brand=world.foreign_brand, user=world.foreign_manager)
    url = f"/api/brands/foreign-co/memberships/{foreign.pk}/"
    for who in ("admin", "manager"):
        client = api(who)
        assert client.patch(url, {"role": "client"}, format="json").status_code == 404
        assert client.delete(url).status_code == 404
        response = client.post(
            "/api/brands/foreign-co/memberships/",
            {"email": "analyst@alpha.test", "role": "manager"},
            format="json",
        )
        assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.role == "manager"
    assert BrandMembership.objects.filter(brand=world.foreign_brand).count() == 1
