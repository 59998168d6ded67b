"""Reads of reviews: the review list, the facts that prefill the checklist, the choices
a decision links to, the campaign timeline (plan, measurements, posts, reviews and
decisions in one list) and the campaign report. Each read runs a fixed number of
queries, whatever the number of rows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import F, Prefetch, QuerySet
from django.urls import reverse

from campaigns.kpis import CATALOGUE
from campaigns.models import (
    Campaign,
    ContentPost,
    Kpi,
    KpiEntry,
    Review,
    ReviewDecision,
    SocialAccount,
)
from listening.models import Query, Source

# -- reviews -----------------------------------------------------------------------------


def review_list(campaign: Campaign) -> QuerySet[Review]:
    """The campaign's reviews, newest first, with their authors and decisions."""
    return (
        Review.objects.filter(brand_id=campaign.brand_id, campaign=campaign)
        .select_related("author")
        .prefetch_related(_decisions_prefetch())
        .order_by("-date", "-id")
    )


def _decisions_prefetch() -> Prefetch:
    return Prefetch(
        "decisions",
        queryset=ReviewDecision.objects.select_related("query")
        .prefetch_related(Prefetch("posts", queryset=ContentPost.objects.select_related("account")))
        .order_by("id"),
    )


def review_detail(reviews: QuerySet[Review]) -> QuerySet[Review]:
    """Reviews (already scoped) ready for the detail page."""
    return reviews.select_related("author", "campaign", "brand").prefetch_related(
        _decisions_prefetch()
    )


def decision_query_choices(campaign: Campaign) -> QuerySet[Query]:
    """The listening queries a decision may point at: the brand's."""
    return Query.objects.filter(brand_id=campaign.brand_id).order_by("kind", "name")


def decision_post_choices(campaign: Campaign) -> QuerySet[ContentPost]:
    """The posts a decision may point at: the campaign's."""
    return (
        ContentPost.objects.filter(brand_id=campaign.brand_id, campaign=campaign)
        .select_related("account")
        .order_by(F("scheduled_at").asc(nulls_last=True), "id")
    )


def kpi_label(kpi: Kpi) -> str:
    """The KPI's own label, or its metric's label in the catalogue."""
    metric = CATALOGUE.get(kpi.metric)
    return kpi.label or (metric.label if metric else kpi.metric)


def checklist_facts(campaign: Campaign) -> dict[str, Any]:
    """What the data says for the checklist (see ``checklist.prefill``), in a few queries."""
    brand_id = campaign.brand_id
    sources = list(
        Source.objects.filter(brand_id=brand_id, is_active=True)
        .order_by("name")
        .values_list("name", flat=True)[:12]
    )
    own = list(campaign.queries.order_by("name").values_list("name", "expression"))
    scope = "Campaign queries"
    if not own:
        own = list(
            Query.objects.filter(brand_id=brand_id, kind=Query.Kind.BRAND, is_active=True)
            .order_by("name")
            .values_list("name", "expression")
        )
        scope = "Brand queries (the campaign has none of its own)"
    competitors = list(
        Query.objects.filter(brand_id=brand_id, kind=Query.Kind.COMPETITOR, is_active=True)
        .order_by("name")
        .values_list("name", flat=True)
    )
    kpis = [
        f"{kpi_label(k)} ({'↑' if k.direction == Kpi.Direction.UP else '↓'} "
        f"{_number(k.target)}{'%' if k.target_kind == Kpi.TargetKind.RELATIVE else ''})"
        for k in Kpi.objects.filter(campaign=campaign).order_by("position", "id")
    ]
    channels = [str(a) for a in campaign.channels.order_by("platform", "handle")]
    if not channels:
        channels = [
            str(a)
            for a in SocialAccount.objects.filter(brand_id=brand_id, is_active=True).order_by(
                "platform", "handle"
            )
        ]
    statuses = dict(ContentPost.Status.choices)
    counts = Counter(ContentPost.objects.filter(campaign=campaign).values_list("status", flat=True))
    return {
        "sources": sources,
        "queries": [name for name, _ in own][:12],
        "query_scope": scope,
        "expressions": [expression for _, expression in own][:5],
        "hashtags": list(campaign.hashtags or []),
        "competitors": competitors[:12],
        "kpis": kpis,
        "channels": channels[:12],
        "posts": [(statuses.get(s, s), n) for s, n in sorted(counts.items())],
    }


# -- the campaign timeline ----------------------------------------------------------------

PLAN, MEASUREMENT, POST, REVIEW = "plan", "measurement", "post", "review"
TIMELINE_KINDS: dict[str, str] = {
    PLAN: "Plan",
    MEASUREMENT: "Measurements",
    POST: "Posts published",
    REVIEW: "Reviews and decisions",
}


@dataclass
class TimelineItem:
    """One thing that happened (or is planned) to a campaign."""

    at: datetime
    kind: str
    title: str
    detail: str = ""
    url: str = ""
    actor: str = ""
    all_day: bool = False
    review: Review | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def kind_label(self) -> str:
        return TIMELINE_KINDS[self.kind]


def _day_start(day: Date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _parse_day(value: Any) -> Date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, Date):
        return value
    if isinstance(value, str):
        try:
            return Date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


UNIT_SUFFIX = {"percent": "%", "count": "", "ratio": "", "money": ""}


def weekly_points(result: dict[str, Any]) -> list[tuple[Date, Any, Any]]:
    """A KPI result's daily series (``[[iso day, value to date], ...]``) sampled once a
    week of the campaign (day 7, 14, ... and the last day so far), each with the plan's
    expected value that day: (day, value, expected), oldest first."""
    series = [(_parse_day(d), v) for d, v in result.get("series") or []]
    plan = {_parse_day(d): v for d, v in result.get("plan_series") or []}
    points = []
    for n, (day, value) in enumerate(series, start=1):
        if day is None or value is None:
            continue
        if n % 7 == 0 or n == len(series):
            points.append((day, value, plan.get(day)))
    return points


def _number(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def campaign_timeline(
    campaign: Campaign,
    *,
    kinds: set[str] | None = None,
    kpi_results: list[Any] | None = None,
) -> list[TimelineItem]:
    """Plan (created, dates, KPI targets), measurements (figures entered, weekly KPI
    values), posts published and reviews with their decisions: one list, oldest first.

    ``kpi_results`` are ``campaigns.kpis.evaluate(campaign)``; the weekly values come
    from their series. Queries: KPIs 1, entries 1, posts 1, reviews 1 + decisions 3.
    """
    kinds = kinds or set(TIMELINE_KINDS)
    brand = campaign.brand
    zone = ZoneInfo(brand.timezone)
    items: list[TimelineItem] = []
    kpis_list = list(Kpi.objects.filter(campaign=campaign).order_by("position", "id"))

    if PLAN in kinds:
        items.append(
            TimelineItem(
                at=campaign.created_at,
                kind=PLAN,
                title="Campaign planned",
                detail=f"{campaign.get_objective_display()}, {campaign.start_date:%b %-d} – "
                f"{campaign.end_date:%b %-d, %Y}",
            )
        )
        items.append(
            TimelineItem(
                at=_day_start(campaign.start_date, zone),
                kind=PLAN,
                title="Campaign starts",
                all_day=True,
            )
        )
        items.append(
            TimelineItem(
                at=_day_start(campaign.end_date, zone),
                kind=PLAN,
                title="Campaign ends",
                all_day=True,
            )
        )
        for kpi in kpis_list:
            sign = "" if kpi.target_kind == Kpi.TargetKind.ABSOLUTE else "%"
            arrow = "↑" if kpi.direction == Kpi.Direction.UP else "↓"
            items.append(
                TimelineItem(
                    at=kpi.created_at,
                    kind=PLAN,
                    title=f"Target set: {kpi_label(kpi)}",
                    detail=f"{arrow} {_number(kpi.target)}{sign}"
                    + (f" (baseline {_number(kpi.baseline)})" if kpi.baseline is not None else ""),
                )
            )

    if MEASUREMENT in kinds:
        labels = {k.metric: kpi_label(k) for k in kpis_list}
        entries = KpiEntry.objects.filter(campaign=campaign).select_related("entered_by")
        for entry in entries.order_by("date", "id"):
            items.append(
                TimelineItem(
                    at=_day_start(entry.date, zone),
                    kind=MEASUREMENT,
                    title=f"{labels.get(entry.metric, entry.metric)} entered: "
                    f"{_number(entry.value)}",
                    detail=entry.note,
                    actor=entry.entered_by.display_name if entry.entered_by else "",
                    all_day=True,
                    extra={"entered": True},
                )
            )
        for result in kpi_results or []:
            data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
            label = data.get("label") or data.get("metric")
            unit = UNIT_SUFFIX.get(data.get("unit") or "", "")
            for day, value, expected in weekly_points(data):
                detail = f"planned {_number(expected)}{unit}" if expected is not None else ""
                items.append(
                    TimelineItem(
                        at=_day_start(day, zone),
                        kind=MEASUREMENT,
                        title=f"{label} to date: {_number(value)}{unit}",
                        detail=detail,
                        all_day=True,
                        extra={"weekly": True},
                    )
                )

    if POST in kinds:
        posts = (
            ContentPost.objects.filter(campaign=campaign, published_at__isnull=False)
            .select_related("account")
            .order_by("published_at", "id")
        )
        for post in posts:
            items.append(
                TimelineItem(
                    at=post.published_at,
                    kind=POST,
                    title=f"Published on {post.account}",
                    detail=post.text[:140],
                    url=post.published_url,
                )
            )

    if REVIEW in kinds:
        for review in review_list(campaign).order_by("date", "id"):
            items.append(
                TimelineItem(
                    at=_day_start(review.date, zone),
                    kind=REVIEW,
                    title="Review",
                    detail=review.summary,
                    url=reverse(
                        "reviews:review_detail",
                        kwargs={"brand_slug": brand.slug, "pk": review.pk},
                    ),
                    actor=review.author.display_name if review.author else "",
                    all_day=True,
                    review=review,
                )
            )

    order = list(TIMELINE_KINDS)
    items.sort(key=lambda i: (i.at, order.index(i.kind)))
    return items


# -- the campaign report ------------------------------------------------------------------

TOP_POSTS = 5


def _engagement_posts(campaign: Campaign) -> QuerySet[ContentPost]:
    return (
        ContentPost.objects.filter(
            campaign=campaign,
            status=ContentPost.Status.PUBLISHED,
        )
        .select_related("account", "mention__post")
        .annotate(
            engagement=F("mention__post__likes")
            + F("mention__post__shares")
            + F("mention__post__replies")
        )
    )


@dataclass
class PostRanking:
    """The campaign's published posts: heard ones ranked by engagement, the rest."""

    best: list[ContentPost]
    worst: list[ContentPost]
    unheard: list[ContentPost]
    ranked: list[ContentPost]


def campaign_posts_ranking(campaign: Campaign) -> PostRanking:
    """Published posts ranked by the engagement of their listening mention (likes +
    shares + replies); posts not yet matched to a mention are "not yet heard". One
    query."""
    posts = list(_engagement_posts(campaign).order_by("published_at", "id"))
    heard = [p for p in posts if p.mention_id is not None and p.engagement is not None]
    unheard = [p for p in posts if p not in heard]
    # Published posts have a published_at; ties go to the earlier post.
    ranked = sorted(
        heard,
        key=lambda p: (-p.engagement, p.published_at.timestamp() if p.published_at else 0, p.pk),
    )
    # Up to five each; with few posts, the better half is "best", the rest "worst".
    split = min(TOP_POSTS, (len(ranked) + 1) // 2)
    best = ranked[:split]
    worst = list(reversed(ranked[split:][-TOP_POSTS:]))
    return PostRanking(best=best, worst=worst, unheard=unheard, ranked=ranked)
