"""socialhub.middleware: how long a session lasts, and the agency two-factor requirement."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from socialhub import services
from socialhub.middleware import LOGIN_AT, SEEN_AT
from socialhub.models import User
from tests.factories import UserFactory, grant

HOUR = 60 * 60
MINUTE = 60

# A page that needs a signed-in user and renders no template: what it answers shows
# whether the session is still alive.
PAGE = "/api/me/"


def add_totp(user: User) -> None:
    """The user has set up an authenticator app (what allauth stores when they do)."""
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )


def signed_in(user: User) -> Client:
    """A client that has made its first request since signing in."""
    client = Client()
    client.force_login(user)
    assert client.get(PAGE).status_code == 200
    assert LOGIN_AT in client.session
    return client


def shift(client: Client, key: str, seconds_ago: float) -> None:
    """Pretend ``key`` (sign-in or last-seen time) happened ``seconds_ago``."""
    session = client.session
    session[key] = time.time() - seconds_ago
    session.save()


def assert_signed_out(client: Client, response) -> None:
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={PAGE}"
    assert SESSION_KEY not in client.session
    # The next request is anonymous too (the API answers 401 with WWW-Authenticate).
    assert client.get(PAGE).status_code == 401


# -- session lifetime ------------------------------------------------------------------


def test_it_ends_a_session_12_hours_after_sign_in(world):
    client = signed_in(world.users["manager"])
    shift(client, LOGIN_AT, 12 * HOUR + MINUTE)
    shift(client, SEEN_AT, MINUTE)
    assert_signed_out(client, client.get(PAGE))


def test_it_ends_a_session_12_hours_after_sign_in_even_with_totp(world):
    manager = world.users["manager"]
    add_totp(manager)
    client = signed_in(manager)
    shift(client, LOGIN_AT, 12 * HOUR + MINUTE)
    shift(client, SEEN_AT, MINUTE)
    assert_signed_out(client, client.get(PAGE))


def test_it_keeps_a_busy_session_until_12_hours(world):
    client = signed_in(world.users["manager"])
    shift(client, LOGIN_AT, 12 * HOUR - 5 * MINUTE)
    shift(client, SEEN_AT, MINUTE)
    assert client.get(PAGE).status_code == 200


def test_it_ends_a_session_after_30_minutes_idle_without_totp(world):
    client = signed_in(world.users["analyst"])
    shift(client, SEEN_AT, 31 * MINUTE)
    assert_signed_out(client, client.get(PAGE))


def test_it_keeps_a_session_idle_for_less_than_30_minutes(world):
    client = signed_in(world.users["analyst"])
    shift(client, SEEN_AT, 29 * MINUTE)
    assert client.get(PAGE).status_code == 200


def test_it_counts_idle_time_from_the_last_request(world):
    client = signed_in(world.users["analyst"])
    shift(client, SEEN_AT, 20 * MINUTE)
    assert client.get(PAGE).status_code == 200
    # Another 20 minutes later: 40 since the first request, 20 since the last.
    shift(client, SEEN_AT, 20 * MINUTE)
    assert client.get(PAGE).status_code == 200


def test_it_does_not_end_an_idle_session_with_totp(world):
    analyst = world.users["analyst"]
    add_totp(analyst)
    client = signed_in(analyst)
    shift(client, SEEN_AT, 3 * HOUR)
    assert client.get(PAGE).status_code == 200


def test_recovery_codes_alone_do_not_keep_an_idle_session(world):
    analyst = world.users["analyst"]
    Authenticator.objects.create(
        user=analyst, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "00", "used_mask": 0}
    )
    client = signed_in(analyst)
    shift(client, SEEN_AT, 31 * MINUTE)
    assert_signed_out(client, client.get(PAGE))


def test_it_sends_an_ended_session_back_to_the_page_after_sign_in(world):
    client = signed_in(world.users["client"])
    shift(client, SEEN_AT, HOUR)
    response = client.get(reverse("socialhub:brand_home", kwargs={"brand_slug": "acme-test"}))
    assert response["Location"] == f"{reverse('account_login')}?next=/b/acme-test/"


def test_it_leaves_anonymous_visitors_alone(db):
    response = Client().get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


# -- agency two-factor requirement -----------------------------------------------------


@pytest.fixture
def strict(world):
    """The world's agency requires two-factor of its members."""
    services.agency_update(
        actor=world.users["admin"], agency=world.agency, name="Alpha Agency", require_mfa=True
    )
    return world


@pytest.mark.parametrize("role", ["admin", "manager", "analyst", "client"])
def test_it_sends_members_without_totp_to_set_it_up(strict, role):
    client = strict.client_for(role)
    for path in (
        reverse("home"),
        reverse("socialhub:brand_home", kwargs={"brand_slug": "acme-test"}),
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == reverse("mfa_activate_totp"), path


def test_it_lets_members_with_totp_in(strict):
    manager = strict.users["manager"]
    add_totp(manager)
    assert strict.client_for(manager).get(PAGE).status_code == 200


def test_it_lets_members_of_agencies_without_the_requirement_in(strict):
    assert strict.client_for(strict.foreign_manager).get(PAGE).status_code == 200
    assert strict.client_for(strict.outsider).get(PAGE).status_code == 200


def test_it_requires_totp_of_someone_also_in_another_agency(strict):
    # A person in two agencies: the stricter one decides.
    manager = grant(UserFactory(), strict.foreign_brand, "manager")
    grant(manager, strict.brand, "client")
    response = strict.client_for(manager).get(reverse("home"))
    assert response["Location"] == reverse("mfa_activate_totp")
    # The API says so in JSON rather than redirecting to a page.
    response = strict.client_for(manager).get(PAGE)
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]


def test_it_keeps_account_pages_reachable_to_set_up_totp(strict):
    client = strict.client_for("manager")
    setup = reverse("mfa_activate_totp")
    for name in ("mfa_activate_totp", "mfa_index", "account_email", "account_logout"):
        response = client.get(reverse(name))
        if response.status_code == 200:
            continue
        # Otherwise allauth's own step on the way (such as reauthenticating), never a
        # bounce back to the setup page.
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/"), name
        assert response["Location"] != setup, name


def test_it_keeps_invitation_links_reachable(strict):
    _, token = services.invitation_create(
        actor=strict.users["admin"],
        agency=strict.agency,
        email="manager@alpha.test",
        brand_roles={strict.sibling: "manager"},
        base_url="http://testserver/",
    )
    client = strict.client_for("manager")
    response = client.get(reverse("socialhub:invitation_accept", kwargs={"token": token}))
    assert response.status_code == 200


def test_member_without_totp_cannot_get_an_api_token_to_go_around_the_requirement(strict):
    manager = strict.users["manager"]
    client = strict.client_for(manager)
    response = client.post(reverse("socialhub:api_token"), {"action": "create"})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert not Token.objects.filter(user=manager).exists()


def test_member_with_totp_gets_an_api_token(strict):
    manager = strict.users["manager"]
    add_totp(manager)
    client = strict.client_for(manager)
    response = client.post(reverse("socialhub:api_token"), {"action": "create"})
    assert response.status_code == 302
    assert Token.objects.filter(user=manager).exists()


def test_api_tokens_do_not_bypass_the_agency_two_factor_requirement(world):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token = Token.objects.create(user=world.users["analyst"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(f"/api/brands/{world.brand.slug}/").status_code == 200
    world.agency.require_mfa = True
    world.agency.save()
    for url in (f"/api/brands/{world.brand.slug}/", "/api/me/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "two-factor" in response.json()["detail"]
