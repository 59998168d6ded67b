"""allauth adapter: self-signup only when the setting turns it on."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Signup is closed unless SOCIALHUB_OPEN_SIGNUP; people join by invitation."""

    def is_open_for_signup(self, request) -> bool:
        return settings.SOCIALHUB_OPEN_SIGNUP
