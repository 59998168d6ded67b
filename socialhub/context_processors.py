"""Template context every page needs: the brand switcher and the agencies one administers."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from socialhub import selectors
from socialhub.models import Agency


def navigation(request: HttpRequest) -> dict[str, object]:
    """Lazy, so pages that never show navigation (API, errors) run no query for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "chartjs_url": settings.CHARTJS_URL,
            "chartjs_integrity": settings.CHARTJS_INTEGRITY,
        }
    return {
        "switcher": SimpleLazyObject(lambda: selectors.brand_switcher(user)),
        "admin_agencies": SimpleLazyObject(lambda: list(Agency.objects.administered_by(user))),
        "chartjs_url": settings.CHARTJS_URL,
        "chartjs_integrity": settings.CHARTJS_INTEGRITY,
    }
