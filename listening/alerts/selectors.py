"""Reads of the alerts app: the alert history, the bell, who may receive alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Count, Q, QuerySet

from listening.alerts.models import Alert, AlertRead, AlertRule
from socialhub.models import Brand, User

# The bell counts what is recent: an alert unread for a month is history, not news.
BELL_DAYS = 30


def alert_recipient_choices(brand: Brand) -> QuerySet[User]:
    """People who may be emailed a brand's alerts: its members and its agency's admins."""
    return (
        User.objects.filter(
            Q(brand_memberships__brand=brand)
            | Q(agency_memberships__agency_id=brand.agency_id, agency_memberships__is_admin=True)
        )
        .distinct()
        .order_by("email")
    )


def alert_history(alerts: QuerySet[Alert], filters: dict) -> QuerySet[Alert]:
    """A brand's alerts (already scoped), newest first, narrowed by rule, kind and
    acknowledged, with what a row shows fetched in the same query."""
    if filters.get("rule"):
        alerts = alerts.filter(rule_id=filters["rule"])
    if filters.get("kind"):
        alerts = alerts.filter(kind=filters["kind"])
    if filters.get("acknowledged") == "yes":
        alerts = alerts.filter(acknowledged_at__isnull=False)
    elif filters.get("acknowledged") == "no":
        alerts = alerts.filter(acknowledged_at__isnull=True)
    return alerts.select_related("brand", "rule", "acknowledged_by").order_by("-fired_at", "-id")


def alert_read_ids(user: User, alert_ids: list[int]) -> set[int]:
    """Which of these alerts ``user`` has seen (one query)."""
    if not alert_ids:
        return set()
    return set(
        AlertRead.objects.filter(user=user, alert_id__in=alert_ids).values_list(
            "alert_id", flat=True
        )
    )


def unread_alerts(user: User) -> QuerySet[Alert]:
    """Recent alerts of the user's brands they have not seen."""
    since = datetime.now(UTC) - timedelta(days=BELL_DAYS)
    return Alert.objects.for_user(user).filter(fired_at__gte=since).exclude(Q(reads__user=user))


@dataclass
class Bell:
    """The unread count of the top bar, per brand (most unread first)."""

    per_brand: list[tuple[str, str, int]]

    @property
    def count(self) -> int:
        return sum(n for _slug, _name, n in self.per_brand)

    @property
    def top_slug(self) -> str | None:
        return self.per_brand[0][0] if self.per_brand else None


def alert_bell(user: User) -> Bell:
    """The bell: unread alerts per brand of the user, in one query."""
    rows = (
        unread_alerts(user)
        .values("brand__slug", "brand__name")
        .annotate(n=Count("id"))
        .order_by("-n", "brand__name")
    )
    return Bell([(r["brand__slug"], r["brand__name"], r["n"]) for r in rows])


def alert_rule_list(rules: QuerySet[AlertRule]) -> QuerySet[AlertRule]:
    """A brand's rules (already scoped) with their scope, recipients and alert counts."""
    return (
        rules.select_related("query")
        .prefetch_related("recipients")
        .annotate(
            alert_total=Count("alerts", distinct=True),
            open_total=Count("alerts", filter=Q(alerts__cleared_at__isnull=True), distinct=True),
        )
        .order_by("name")
    )
