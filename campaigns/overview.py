"""The campaigns and calendar cards of the brand's home (``socialhub.overview``): the
running campaigns with their KPIs' pacing, and the next posts with those awaiting
approval."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.db.models import Count, Q

from campaigns import kpis
from campaigns.calendar import selectors as calendar_selectors
from campaigns.models import Campaign, ContentPost
from socialhub import access
from socialhub.models import Brand, User

# Measuring a campaign's KPIs reads its rollups, posts or figures (a few queries per
# campaign): the card measures the first few running campaigns and links to the rest.
MAX_CAMPAIGNS = 3
PACINGS = ("on_track", "at_risk", "off_track")
NEXT_POSTS = 3
# On the calendar and not yet out: what "next" lists.
UPCOMING_STATUSES = tuple(
    s
    for s in calendar_selectors.LIVE_STATUSES
    if s not in (ContentPost.Status.PUBLISHING, ContentPost.Status.PUBLISHED)
)


@dataclass
class RunningCampaign:
    campaign: Campaign
    kpi_count: int
    # (pacing, label, KPIs) for on track, at risk and off track, those with any KPI.
    pacing: list[tuple[str, str, int]] = field(default_factory=list)


@dataclass
class CampaignsOverview:
    running: int
    planned: int
    shown: list[RunningCampaign]

    @property
    def more(self) -> int:
        """Running campaigns not measured on the card."""
        return self.running - len(self.shown)


def campaigns_overview(
    brand: Brand, user: User, *, today: date | None = None, limit: int = MAX_CAMPAIGNS
) -> CampaignsOverview:
    """How many campaigns run and are planned, and the ``limit`` running ones ending
    soonest with their KPIs' pacing (``campaigns.kpis.evaluate``, as the campaign page
    measures them): two queries, two prefetches, then a few reads per campaign shown."""
    campaigns = Campaign.objects.for_user(user).filter(brand=brand)
    counts = campaigns.aggregate(
        running=Count("id", filter=Q(status=Campaign.Status.RUNNING)),
        planned=Count("id", filter=Q(status=Campaign.Status.PLANNED)),
    )
    shown = []
    if counts["running"]:
        running = (
            campaigns.filter(status=Campaign.Status.RUNNING)
            .prefetch_related("kpis", "queries")
            .order_by("end_date", "name")[:limit]
        )
        for campaign in running:
            tally = Counter(result.pacing for result in kpis.evaluate(campaign, today=today))
            shown.append(
                RunningCampaign(
                    campaign=campaign,
                    kpi_count=sum(tally.values()),
                    pacing=[(p, kpis.PACING_LABELS[p], tally[p]) for p in PACINGS if tally[p]],
                )
            )
    return CampaignsOverview(running=counts["running"], planned=counts["planned"], shown=shown)


def campaign_section(brand: Brand, user: User) -> tuple[str, dict[str, Any]] | None:
    """The campaigns card, for the roles that may open the campaign list."""
    if not access.can(user, "reports.view", brand):
        return None
    return "campaigns/_overview.html", {"overview": campaigns_overview(brand, user)}


@dataclass
class CalendarOverview:
    upcoming: list[ContentPost]
    awaiting_approval: int


def calendar_overview(brand: Brand, user: User, *, now: datetime | None = None) -> CalendarOverview:
    """The next ``NEXT_POSTS`` posts not yet out, with their channel, and how many posts
    wait for a decision: two queries."""
    now = now or datetime.now(UTC)
    upcoming = list(
        ContentPost.objects.for_user(user)
        .filter(brand=brand, scheduled_at__gte=now, status__in=UPCOMING_STATUSES)
        .select_related("account")
        .order_by("scheduled_at", "id")[:NEXT_POSTS]
    )
    awaiting = calendar_selectors.posts_awaiting_review(brand).count()
    return CalendarOverview(upcoming=upcoming, awaiting_approval=awaiting)


def calendar_section(brand: Brand, user: User) -> tuple[str, dict[str, Any]] | None:
    """The calendar card, for the roles that may open the calendar."""
    if not access.can(user, "brand.view", brand):
        return None
    return "calendar/_overview.html", {"overview": calendar_overview(brand, user)}
