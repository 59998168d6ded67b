"""The listening card of the brand's home (``socialhub.overview``): mentions of the last 7
days with the change against the 7 days before, and net sentiment, from the day rollups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, Sum
from django.urls import reverse

from listening.insights.models import DayRollup
from listening.insights.selectors import (
    Figure,
    Period,
    brand_today,
    net_sentiment,
    preset_period,
)
from listening.models import Query, Sentiment
from socialhub import access
from socialhub.models import Brand, User
from socialhub.overview import Figure as HomeFigure

DAYS = 7


@dataclass
class ListeningOverview:
    """The headline figures of the dashboard's "last 7 days" preset."""

    period: Period
    has_queries: bool
    mentions: Figure
    net_sentiment: Figure


def listening_overview(brand: Brand, user: User) -> ListeningOverview:
    """Mentions and net sentiment of the brand's last ``DAYS`` days (its time zone's
    today included) and of the ``DAYS`` before, over every query but competitors, as the
    dashboard's headline counts them. Two queries: the brand's queries, one rollup sum."""
    period = preset_period(DAYS, today=brand_today(brand))
    queries = list(
        Query.objects.for_user(user).filter(brand=brand).values_list("id", "kind").order_by()
    )
    heads = [pk for pk, kind in queries if kind != Query.Kind.COMPETITOR]
    sums: dict[str, int | None] = {}
    if heads:
        now, before = Q(day__gte=period.start), Q(day__lt=period.start)
        positive, negative = Q(sentiment=Sentiment.POSITIVE), Q(sentiment=Sentiment.NEGATIVE)
        sums = (
            DayRollup.objects.for_user(user)
            .filter(
                brand=brand,
                day__gte=period.previous.start,
                day__lte=period.end,
                query_id__in=heads,
            )
            .aggregate(
                mentions=Sum("count", filter=now),
                positive=Sum("count", filter=now & positive),
                negative=Sum("count", filter=now & negative),
                mentions_before=Sum("count", filter=before),
                positive_before=Sum("count", filter=before & positive),
                negative_before=Sum("count", filter=before & negative),
            )
        )
    n = {key: value or 0 for key, value in sums.items()}
    return ListeningOverview(
        period=period,
        has_queries=bool(queries),
        mentions=Figure(n.get("mentions", 0), n.get("mentions_before", 0)),
        net_sentiment=Figure(
            net_sentiment(n.get("positive", 0), n.get("negative", 0)),
            net_sentiment(n.get("positive_before", 0), n.get("negative_before", 0)),
        ),
    )


def brand_section(brand: Brand, user: User) -> tuple[str, dict[str, Any]] | None:
    """The card, for the roles that may open the dashboard."""
    if not access.can(user, "reports.view", brand):
        return None
    return "insights/_overview.html", {"overview": listening_overview(brand, user), "days": DAYS}


def home_figures(brands: list[Brand], user: User) -> dict[int, list[HomeFigure]]:
    """Each brand card's mentions of its last ``DAYS`` days (its own time zone's today
    included, competitors left out) with the change against the ``DAYS`` before: one
    rollup read for all the brands, scoped to ``user``."""
    periods = {b.pk: preset_period(DAYS, today=brand_today(b)) for b in brands}
    counts: dict[int, list[int]] = {b.pk: [0, 0] for b in brands}  # now, before
    rows = (
        DayRollup.objects.for_user(user)
        .filter(
            brand_id__in=list(periods),
            day__gte=min(p.previous.start for p in periods.values()),
            day__lte=max(p.end for p in periods.values()),
        )
        .exclude(query__kind=Query.Kind.COMPETITOR)
        .values_list("brand_id", "day")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for brand_id, day, n in rows:
        period = periods[brand_id]
        if period.start <= day <= period.end:
            counts[brand_id][0] += n
        elif period.previous.start <= day <= period.previous.end:
            counts[brand_id][1] += n
    return {
        b.pk: [
            HomeFigure(
                value=counts[b.pk][0],
                label=f"mentions, {DAYS} days",
                url=reverse("insights:dashboard", kwargs={"brand_slug": b.slug}) + f"?days={DAYS}",
                change=Figure(*counts[b.pk]).change,
                change_note=f"against the {DAYS} days before",
            )
        ]
        for b in brands
    }
