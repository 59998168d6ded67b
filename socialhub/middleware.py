"""Session lifetime and the agency two-factor requirement."""

from __future__ import annotations

import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from socialhub.models import AgencyMembership

LOGIN_AT = "_socialhub_login_at"
SEEN_AT = "_socialhub_seen_at"
# Writing the session on every request is wasteful; a minute of slack is harmless.
SEEN_WRITE_INTERVAL = 60


def has_mfa(user) -> bool:
    """Has the user set up an authenticator app (TOTP)?"""
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mfa_required_but_missing(user) -> bool:
    """Does one of the user's agencies require two-factor that the user has not set up?"""
    return AgencyMembership.objects.filter(
        user=user, agency__require_mfa=True
    ).exists() and not has_mfa(user)


class SessionLifetimeMiddleware:
    """Ends a session 12 hours after sign-in, or after 30 minutes idle without 2FA."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            login_at = request.session.setdefault(LOGIN_AT, now)
            seen_at = request.session.get(SEEN_AT, now)
            expired = now - login_at > settings.SESSION_MAX_AGE.total_seconds()
            idle = now - seen_at > settings.SESSION_IDLE_TIMEOUT_WITHOUT_MFA.total_seconds()
            # The idle rule is only for accounts without two-factor; check it lazily.
            if expired or (idle and not has_mfa(user)):
                logout(request)
                # fail_silently: this runs before MessageMiddleware in settings.MIDDLEWARE.
                messages.info(
                    request, "Your session ended; please sign in again.", fail_silently=True
                )
                return redirect(f"{reverse('account_login')}?next={request.path}")
            if now - seen_at >= SEEN_WRITE_INTERVAL or SEEN_AT not in request.session:
                request.session[SEEN_AT] = now
        return self.get_response(request)


class AgencyMFARequiredMiddleware:
    """Members of an agency that requires two-factor must set it up before going on."""

    # The API answers for itself (TwoFactorRequirementPermission: a JSON 403).
    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/invitations/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not self.is_exempt(request.path)
            and mfa_required_but_missing(user)
        ):
            messages.warning(
                request,
                "Your agency requires two-factor authentication. "
                "Set up an authenticator app to continue.",
                fail_silently=True,
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def is_exempt(self, path: str) -> bool:
        """Pages needed to set up two-factor (or to accept an invitation) stay reachable.

        The API token page lives under /accounts/ but is not one of them: a token would
        let the member use the API without ever setting up two-factor.
        """
        if path == reverse("socialhub:api_token"):
            return False
        return path.startswith(self.ALLOWED_PREFIXES)
