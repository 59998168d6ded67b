"""Signal receivers of the tenancy core."""

from __future__ import annotations

import time

from allauth.account.signals import user_signed_up
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from socialhub.middleware import LOGIN_AT, SEEN_AT


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs) -> None:
    """The 12-hour and idle limits count from sign-in."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now


@receiver(user_signed_up)
def create_agency_for_self_signup(sender, request, user, **kwargs) -> None:
    """Open self-signup (when enabled) gives the new person an agency of their own."""
    from socialhub.services import agency_create

    if not user.agency_memberships.exists():
        name = f"{user.email.split('@')[0]}'s agency"
        agency_create(owner=user, name=name)
