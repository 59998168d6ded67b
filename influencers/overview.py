"""The influencers card of the brand's home (``socialhub.overview``): relationships at
risk and open health alerts, naming the one to look at first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from influencers import selectors
from influencers.models import HealthAlert, Relationship, Stage
from socialhub import access
from socialhub.models import Brand, User


@dataclass
class InfluencersOverview:
    relationships: int
    at_risk: int
    open_alerts: int
    # The newest open health alert, else the first relationship at risk.
    first_alert: HealthAlert | None = None
    first_at_risk: Relationship | None = None


def influencers_overview(brand: Brand, user: User) -> InfluencersOverview:
    """The brand's relationships, those at risk and their open health alerts counted in
    one query; then the one to name first (one more query when there is one)."""
    relationships = Relationship.objects.for_user(user).filter(brand=brand)
    counts = relationships.aggregate(
        total=Count("id", distinct=True),
        at_risk=Count("id", filter=Q(stage=Stage.AT_RISK), distinct=True),
        open_alerts=Count(
            "health_alerts", filter=Q(health_alerts__resolved_at__isnull=True), distinct=True
        ),
    )
    overview = InfluencersOverview(counts["total"], counts["at_risk"], counts["open_alerts"])
    if overview.open_alerts:
        overview.first_alert = selectors.open_health_alerts(brand, user).first()
    elif overview.at_risk:
        overview.first_at_risk = (
            relationships.filter(stage=Stage.AT_RISK)
            .select_related("influencer")
            .order_by("-updated_at", "id")
            .first()
        )
    return overview


def brand_section(brand: Brand, user: User) -> tuple[str, dict[str, Any]] | None:
    """The card, for the roles that may open the relationship board."""
    if not access.can(user, "reports.view", brand):
        return None
    return "influencers/_overview.html", {"overview": influencers_overview(brand, user)}
