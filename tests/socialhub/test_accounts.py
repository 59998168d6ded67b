"""Signing in, verification, rate limits, two-factor, sessions, self-signup (allauth)."""

from __future__ import annotations

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.app_settings import TOTP_PERIOD
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
)
from django.core import mail
from django.test import Client
from django.urls import reverse

from socialhub.models import Agency, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // TOTP_PERIOD))


def test_a_verified_user_signs_in_with_email_and_password(world):
    client = Client()
    response = sign_in(client, "ANALYST@alpha.test")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert b"Acme Test" in client.get("/").content


def test_a_wrong_password_says_so_without_telling_which_part(world):
    response = sign_in(Client(), "analyst@alpha.test", "wrong-password")
    assert response.status_code == 200
    assert b"email address and/or password you specified are not correct" in response.content


def test_an_unverified_address_cannot_sign_in_until_confirmed(world, committed):
    user = UserFactory(email="unverified@alpha.test", email_verified=False)
    with committed():
        response = sign_in(Client(), user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "Please Confirm Your Email Address" in mail.outbox[-1].subject or mail.outbox
    assert not EmailAddress.objects.get(user=user).verified


def test_failed_logins_are_rate_limited_per_account(world):
    client = Client()
    for _ in range(5):
        sign_in(client, "analyst@alpha.test", "wrong-password")
    # Even the right password is refused while the limit lasts.
    response = sign_in(client, "analyst@alpha.test")
    assert response.status_code in (200, 429)
    assert b"Too many failed login attempts" in response.content


def test_the_django_admin_signs_in_through_the_same_page(world):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_reach_the_admin_and_members_do_not(world):
    staff = UserFactory(email="staff@alpha.test", is_superuser=True)
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    assert world.client_for("admin").get("/admin/").status_code == 302


def test_password_reset_sends_a_link(world, committed):
    with committed():
        Client().post(reverse("account_reset_password"), {"email": "client@alpha.test"})
    assert mail.outbox[-1].to == ["client@alpha.test"]
    assert "/accounts/password/reset/key/" in mail.outbox[-1].body


def test_a_user_sets_up_totp_and_then_needs_the_code_to_sign_in(world):
    client = Client()
    sign_in(client, "manager@alpha.test")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302
    user = world.users["manager"]
    types = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}

    client.post(reverse("account_logout"))
    response = sign_in(client, "manager@alpha.test")
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/").status_code == 302  # not signed in yet
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_sessions_page_lists_and_ends_other_sessions(world):
    laptop, phone = Client(), Client(HTTP_USER_AGENT="Phone")
    sign_in(laptop, "analyst@alpha.test")
    sign_in(phone, "analyst@alpha.test")
    page = laptop.get(reverse("usersessions_list"))
    assert page.status_code == 200
    assert b"Phone" in page.content
    laptop.post(reverse("usersessions_list"))  # "Sign out other sessions"
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 200


def test_self_signup_is_closed_by_default(world):
    response = Client().get(reverse("account_signup"))
    assert b"Sign Up Closed" in response.content
    assert b"Create an account" not in Client().get(reverse("account_login")).content


def test_open_signup_gives_the_new_person_an_agency(db, settings):
    settings.SOCIALHUB_OPEN_SIGNUP = True
    response = Client().post(
        reverse("account_signup"),
        {
            "email": "founder@new.test",
            "password1": "a-long-pass-2026",
            "password2": "a-long-pass-2026",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="founder@new.test")
    agency = Agency.objects.get(memberships__user=user)
    assert agency.memberships.get(user=user).is_admin
