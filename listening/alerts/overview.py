"""The alerts card of the brand's home (``socialhub.overview``): what the user has not
seen yet, what is still going on, and the latest alert."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from listening.alerts.models import Alert, AlertRead, AlertRule
from listening.alerts.selectors import BELL_DAYS
from socialhub import access
from socialhub.models import Brand, User


@dataclass
class AlertsOverview:
    """Unread (as the bell counts them) and ongoing alerts, the latest one, and whether
    the brand has any rule (for the empty state)."""

    latest: Alert | None
    unread: int
    ongoing: int
    has_rules: bool


def alerts_overview(brand: Brand, user: User, *, now: datetime | None = None) -> AlertsOverview:
    """Two queries: the latest alert with its rule, then either the counts or, with no
    alert at all, whether a rule exists."""
    now = now or datetime.now(UTC)
    alerts = Alert.objects.for_user(user).filter(brand=brand)
    latest = alerts.select_related("rule").order_by("-fired_at", "-id").first()
    if latest is None:
        has_rules = AlertRule.objects.for_user(user).filter(brand=brand).exists()
        return AlertsOverview(latest=None, unread=0, ongoing=0, has_rules=has_rules)
    seen = AlertRead.objects.filter(alert=OuterRef("pk"), user=user)
    counts = alerts.aggregate(
        # As the bell: recent alerts this person has not opened or listed yet.
        unread=Count(
            "id", filter=Q(fired_at__gte=now - timedelta(days=BELL_DAYS)) & ~Q(Exists(seen))
        ),
        # The incident is still going on (not cleared).
        ongoing=Count("id", filter=Q(cleared_at__isnull=True)),
    )
    return AlertsOverview(
        latest=latest, unread=counts["unread"], ongoing=counts["ongoing"], has_rules=True
    )


def brand_section(brand: Brand, user: User) -> tuple[str, dict[str, Any]] | None:
    """The card, for the roles that may open the alert history."""
    if not access.can(user, "reports.view", brand):
        return None
    return "alerts/_overview.html", {"overview": alerts_overview(brand, user)}
