"""The tenancy pages as a person uses them: forms that save, errors that say why."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from campaigns.calendar import services as calendar_services
from listening import services as listening_services
from socialhub.models import AuditEvent, Brand, BrandMembership, Invitation
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def test_home_lists_only_the_brands_a_person_holds(world):
    body = world.client_for("analyst").get("/").content.decode()
    assert "Acme Test" in body
    assert "Sibling Co" not in body
    assert "Foreign Co" not in body


def test_home_shows_every_agency_brand_to_the_admin(world):
    body = world.client_for("admin").get("/").content.decode()
    assert "Acme Test" in body and "Sibling Co" in body
    assert "Foreign Co" not in body


def test_home_has_an_empty_state_for_someone_without_brands(world):
    client = Client()
    client.force_login(world.outsider)
    body = client.get("/").content.decode()
    assert "No brands yet" in body
    assert "Ask your agency admin" in body


def test_anonymous_visitors_are_sent_to_sign_in(world):
    response = Client().get(f"/b/{world.brand.slug}/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_brand_home_shows_the_team_and_competitors(world):
    world.brand.competitors = ["Globex"]
    world.brand.save()
    body = world.client_for("client").get(f"/b/{world.brand.slug}/").content.decode()
    assert "Globex" in body
    assert "manager@alpha.test" not in body  # names, not emails, on the home page
    assert "Client" in body


def test_client_sees_no_settings_link_but_manager_does(world):
    settings_url = f"/b/{world.brand.slug}/settings/"
    assert (
        settings_url
        not in world.client_for("client").get(f"/b/{world.brand.slug}/").content.decode()
    )
    assert (
        settings_url in world.client_for("manager").get(f"/b/{world.brand.slug}/").content.decode()
    )


def test_manager_edits_the_brand_and_it_is_audited(world):
    response = world.client_for("manager").post(
        f"/b/{world.brand.slug}/settings/",
        {
            "name": "Acme Renamed",
            "timezone": "Europe/Berlin",
            "languages": "en, DE",
            "competitors": "Globex\nInitech",
            "description": "",
        },
    )
    assert response.status_code == 302
    world.brand.refresh_from_db()
    assert world.brand.name == "Acme Renamed"
    assert world.brand.languages == ["de", "en"]
    assert world.brand.competitors == ["Globex", "Initech"]
    event = AuditEvent.objects.filter(action=AuditEvent.Action.BRAND_UPDATED).get()
    assert event.actor == world.users["manager"]


def test_brand_settings_say_which_field_is_wrong(world):
    response = world.client_for("manager").post(
        f"/b/{world.brand.slug}/settings/",
        {"name": "", "timezone": "Mars/Olympus", "languages": "english", "competitors": ""},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"name", "timezone", "languages"}
    assert "two-letter" in form.errors["languages"][0]
    world.brand.refresh_from_db()
    assert world.brand.name == "Acme Test"  # nothing half-saved


def test_analyst_cannot_open_brand_settings(world):
    response = world.client_for("analyst").get(f"/b/{world.brand.slug}/settings/")
    assert response.status_code == 403
    assert b"Your role doesn" in response.content


def test_manager_invites_someone_to_the_brand(world, committed):
    with committed():
        response = world.client_for("manager").post(
            f"/b/{world.brand.slug}/members/invite/",
            {"email": "New@Person.test", "role": "client"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "new@person.test"
    assert invitation.brand_roles == {str(world.brand.pk): "client"}
    assert mail.outbox[0].to == ["new@person.test"]
    assert "/invitations/" in mail.outbox[0].body


def test_manager_changes_a_role_and_removes_a_member(world):
    client = world.client_for("manager")
    analyst = BrandMembership.objects.get(user=world.users["analyst"])
    response = client.post(f"/b/{world.brand.slug}/members/{analyst.pk}/", {"role": "manager"})
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert analyst.role == "manager"

    response = client.post(f"/b/{world.brand.slug}/members/{analyst.pk}/remove/")
    assert response.status_code == 302
    assert not BrandMembership.objects.filter(pk=analyst.pk).exists()
    actions = list(AuditEvent.objects.values_list("action", flat=True)[:2])
    assert actions == [AuditEvent.Action.ROLE_REVOKED, AuditEvent.Action.ROLE_CHANGED]


def test_member_of_another_brand_cannot_be_edited_through_this_one(world):
    foreign = BrandMembership.objects.get(user=world.foreign_manager)
    response = world.client_for("manager").post(
        f"/b/{world.brand.slug}/members/{foreign.pk}/", {"role": "client"}
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.role == "manager"


def test_admin_creates_a_brand_with_a_derived_slug(world):
    response = world.client_for("admin").post(
        f"/agency/{world.agency.slug}/brands/new/",
        {"name": "Hooli Labs", "slug": "", "timezone": "UTC", "languages": "en", "competitors": ""},
    )
    brand = Brand.objects.get(name="Hooli Labs")
    assert brand.slug == "hooli-labs"
    assert response["Location"] == f"/b/{brand.slug}/"


def test_a_taken_slug_is_refused_on_its_field(world):
    response = world.client_for("admin").post(
        f"/agency/{world.agency.slug}/brands/new/",
        {"name": "Copy", "slug": world.foreign_brand.slug, "timezone": "UTC", "languages": ""},
    )
    assert response.status_code == 200
    assert "slug" in response.context["form"].errors


def test_admin_archives_and_restores_a_brand(world):
    client = world.client_for("admin")
    url = f"/agency/{world.agency.slug}/brands/{world.brand.pk}/"
    client.post(url, {"archive": "1"})
    world.brand.refresh_from_db()
    assert world.brand.is_archived
    # Members lose the brand; the admin keeps it.
    assert world.client_for("manager").get(f"/b/{world.brand.slug}/").status_code == 404
    assert client.get(f"/b/{world.brand.slug}/").status_code == 200
    client.post(url, {"restore": "1"})
    world.brand.refresh_from_db()
    assert not world.brand.is_archived


def test_admin_invites_with_roles_in_several_brands(world):
    response = world.client_for("admin").post(
        f"/agency/{world.agency.slug}/members/invite/",
        {
            "email": "multi@person.test",
            f"role_{world.brand.pk}": "analyst",
            f"role_{world.sibling.pk}": "client",
        },
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.brand_roles == {
        str(world.brand.pk): "analyst",
        str(world.sibling.pk): "client",
    }


def test_an_invitation_without_any_role_is_refused(world):
    response = world.client_for("admin").post(
        f"/agency/{world.agency.slug}/members/invite/", {"email": "nobody@person.test"}
    )
    assert response.status_code == 200
    assert "at least one brand" in str(response.context["form"].non_field_errors())
    assert not Invitation.objects.exists()


def test_admin_changes_roles_across_brands(world):
    analyst = world.users["analyst"]
    response = world.client_for("admin").post(
        f"/agency/{world.agency.slug}/members/{analyst.pk}/",
        {f"role_{world.brand.pk}": "", f"role_{world.sibling.pk}": "manager"},
    )
    assert response.status_code == 302
    roles = dict(BrandMembership.objects.filter(user=analyst).values_list("brand__slug", "role"))
    assert roles == {"sibling-co": "manager"}


def test_the_last_admin_cannot_step_down(world):
    admin = world.users["admin"]
    response = world.client_for("admin").post(
        f"/agency/{world.agency.slug}/members/{admin.pk}/", {"is_admin": ""}
    )
    assert response.status_code == 200
    assert "at least one admin" in str(response.context["form"].non_field_errors())


def test_admin_removes_a_member_from_the_agency(world):
    client_user = world.users["client"]
    client = world.client_for("admin")
    response = client.post(f"/agency/{world.agency.slug}/members/{client_user.pk}/remove/")
    assert response.status_code == 302
    assert not client_user.agency_memberships.exists()
    assert not client_user.brand_memberships.exists()
    audit = client.get(f"/agency/{world.agency.slug}/audit/").content.decode()
    assert "Removed from agency" in audit and client_user.email in audit


def test_audit_log_filters_by_action(world):
    body = (
        world.client_for("admin")
        .get(f"/agency/{world.agency.slug}/audit/", {"action": "brand.created"})
        .content.decode()
    )
    assert "Brand created" in body
    assert "manager@alpha.test" not in body


def test_the_activity_page_lists_a_query_change_and_a_post_approval_of_its_brand_only(world):
    def query_changed(brand, actor, name):
        query = listening_services.query_create(
            actor=actor, brand=brand, name=name, expression="acme"
        )
        listening_services.query_update(actor=actor, query=query, expression="acme OR #acme")

    query_changed(world.brand, world.users["analyst"], "Acme")
    query_changed(world.sibling, world.users["admin"], "Sibling query")
    query_changed(world.foreign_brand, world.foreign_admin, "Foreign query")
    account = calendar_services.social_account_create(
        actor=world.users["manager"], brand=world.brand, platform="x", handle="@acme"
    )
    post = calendar_services.post_create(
        actor=world.users["analyst"], brand=world.brand, account=account, text="Spring is here"
    )
    calendar_services.post_submit(actor=world.users["analyst"], post=post)
    calendar_services.post_approve(actor=world.users["client"], post=post)

    body = (
        world.client_for("manager")
        .get(reverse("socialhub:brand_auditevent_list", kwargs={"brand_slug": world.brand.slug}))
        .content.decode()
    )

    assert "Query changed" in body
    assert "query “Acme” in Acme Test: changed expression" in body
    assert "Post approved" in body and "post “Spring is here” in Acme Test" in body
    assert world.users["client"].display_name in body
    assert "Sibling query" not in body and "Foreign query" not in body


def test_agency_settings_turn_on_required_two_factor(world):
    response = world.client_for("admin").post(
        f"/agency/{world.agency.slug}/settings/", {"name": "Alpha Agency", "require_mfa": "on"}
    )
    assert response.status_code == 302
    world.agency.refresh_from_db()
    assert world.agency.require_mfa


def test_invitation_link_creates_the_account_and_grants_the_role(world, committed):
    with committed():
        world.client_for("admin").post(
            f"/agency/{world.agency.slug}/members/invite/",
            {"email": "fresh@person.test", f"role_{world.brand.pk}": "analyst"},
        )
    link = next(line for line in mail.outbox[0].body.splitlines() if "/invitations/" in line)
    path = link[link.index("/invitations/") :].strip()
    client = Client()
    assert b"Create your account" in client.get(path).content
    response = client.post(
        path,
        {"first_name": "Fresh", "password1": "a-long-pass-2026", "password2": "a-long-pass-2026"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/b/{world.brand.slug}/"
    assert client.get(response["Location"]).status_code == 200
    # The link works once.
    assert client.get(path).status_code == 410


def test_invitation_signup_says_why_a_password_is_refused(world):
    from socialhub import services

    _, token = services.invitation_create(
        actor=world.users["admin"],
        agency=world.agency,
        email="weak@person.test",
        brand_roles={world.brand: "client"},
        base_url="http://testserver/",
    )
    response = Client().post(f"/invitations/{token}/", {"password1": "123", "password2": "123"})
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]


def test_signed_in_as_someone_else_the_invitation_says_so(world):
    from socialhub import services

    _, token = services.invitation_create(
        actor=world.users["admin"],
        agency=world.agency,
        email="someone@else.test",
        brand_roles={world.brand: "client"},
        base_url="http://testserver/",
    )
    response = world.client_for("analyst").get(f"/invitations/{token}/")
    assert response.status_code == 403
    assert b"this invitation is for someone@else.test" in response.content


def test_an_existing_account_signs_in_then_accepts(world):
    from socialhub import services

    _, token = services.invitation_create(
        actor=world.users["admin"],
        agency=world.agency,
        email=world.foreign_manager.email,
        brand_roles={world.sibling: "analyst"},
        base_url="http://testserver/",
    )
    assert b"Sign in to accept" in Client().get(f"/invitations/{token}/").content
    client = Client()
    client.force_login(world.foreign_manager)
    response = client.post(f"/invitations/{token}/")
    assert response.status_code == 302
    assert (
        BrandMembership.objects.get(user=world.foreign_manager, brand=world.sibling).role
        == "analyst"
    )


def test_unknown_invitation_token_is_a_clear_page(world):
    response = Client().get("/invitations/not-a-real-token/")
    assert response.status_code == 410
    assert b"no longer works" in response.content


def test_api_token_page_creates_and_deletes_a_token(world):
    client = world.client_for("analyst")
    client.post("/accounts/api-token/", {"action": "create"})
    body = client.get("/accounts/api-token/").content.decode()
    from rest_framework.authtoken.models import Token

    key = Token.objects.get(user=world.users["analyst"]).key
    assert key in body
    client.post("/accounts/api-token/", {"action": "delete"})
    assert not Token.objects.filter(user=world.users["analyst"]).exists()


def test_health_endpoint_answers_ok(db):
    assert Client().get("/healthz/").json() == {"status": "ok"}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/b/{brand}/",
        "/b/{brand}/members/",
        "/agency/{agency}/",
        "/agency/{agency}/members/",
        "/agency/{agency}/audit/",
    ],
)
def test_list_pages_run_a_fixed_number_of_queries(world, django_assert_max_num_queries, path):
    """Adding members must not add queries (no N+1): the count on a team of 4 and of 24
    is the same."""
    client = world.client_for("admin")
    url = path.format(brand=world.brand.slug, agency=world.agency.slug)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # the first request of a session records it (usersessions)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for _ in range(20):
        grant(UserFactory(), world.brand, "analyst")
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    # Session, user, MFA check, navigation, the page's own reads: well under 20.
    with django_assert_max_num_queries(20):
        client.get(url)
