"""The bell in the top bar: unread alerts of the signed-in user, counted lazily."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from listening.alerts import selectors


def alert_bell(request: HttpRequest) -> dict[str, object]:
    """Lazy: one query, and only on pages that show the bell."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"alert_bell": SimpleLazyObject(lambda: selectors.alert_bell(user))}
