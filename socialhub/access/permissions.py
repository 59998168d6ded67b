"""API permissions of the access layer that DRF's settings import (so this module must
not import DRF's views: they read the settings while being imported)."""

from __future__ import annotations

from rest_framework.permissions import BasePermission


class TwoFactorRequirementPermission(BasePermission):
    """API requests (a token never passes the page middleware) from members of an agency
    that requires two-factor are refused until the member has set it up."""

    message = (
        "Your agency requires two-factor authentication; set up an authenticator app "
        "in the web app before using the API."
    )

    def has_permission(self, request, view) -> bool:
        from socialhub.middleware import mfa_required_but_missing

        user = request.user
        return not (user and user.is_authenticated and mfa_required_but_missing(user))
