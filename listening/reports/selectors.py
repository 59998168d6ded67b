"""Reads of the reports app: the export's rows, the weekly digest's figures and contents."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db import DatabaseError, transaction
from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.urls import reverse
from django.utils.http import urlencode

from listening.models import Mention, MentionMatch, Query, Rollup, Sentiment
from listening.reports.models import DigestSubscription
from listening.selectors import mention_stream
from socialhub import access
from socialhub.models import Brand, User

# Rows fetched per round trip (and per bulk fetch of matched query names) by an export.
EXPORT_CHUNK_SIZE = 2000
DIGEST_TOP_MENTIONS = 5
DIGEST_ALERTS = 10
# The digest goes out on Monday (weekday 0) from 07:00 in the brand's time zone.
DIGEST_WEEKDAY = 0
DIGEST_HOUR = 7


def brand_zone(brand: Brand) -> ZoneInfo:
    """The brand's time zone (UTC if the stored name is unknown to this system)."""
    try:
        return ZoneInfo(brand.timezone or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


# -- export ----------------------------------------------------------------------------


# What an export row holds: the mention, its post and the post's author, as plain values
# (no model instances: an export reads a million rows).
EXPORT_FIELDS = (
    "id",
    "published_at",
    "platform",
    "lang",
    "sentiment",
    "sentiment_source",
    "sentiment_score",
    "post__text",
    "post__url",
    "post__reach",
    "post__likes",
    "post__shares",
    "post__replies",
    "post__ingested_at",
    "post__author__handle",
    "post__author__name",
    "post__author__followers",
)


def mention_export(mentions: QuerySet[Mention], filters: dict) -> QuerySet[Mention]:
    """The mention stream with ``filters`` (same rows, same order as the page), as the
    values an export writes. Read it with ``mention_export_rows``."""
    return mention_stream(mentions, filters).prefetch_related(None).values(*EXPORT_FIELDS)


def mention_export_rows(
    mentions: QuerySet[Mention], chunk_size: int | None = None
) -> Iterator[dict[str, Any]]:
    """The rows of ``mention_export``, ``chunk_size`` at a time, never all in memory: one
    query streams the rows (a server-side cursor on PostgreSQL) and one more per chunk
    fetches the names of the queries that matched them; each row gets ``queries``."""
    chunk_size = chunk_size or EXPORT_CHUNK_SIZE
    rows = mentions.iterator(chunk_size=chunk_size)
    while chunk := list(islice(rows, chunk_size)):
        names: dict[int, list[str]] = defaultdict(list)
        matches = MentionMatch.objects.filter(mention_id__in=[r["id"] for r in chunk])
        for mention_id, name in matches.values_list("mention_id", "query__name"):
            names[mention_id].append(name)
        for row in chunk:
            row["queries"] = sorted(names.get(row["id"], ()))
            yield row


# -- the weekly digest -----------------------------------------------------------------


@dataclass
class Figure:
    """One headline figure of a week with the week before and the change between them."""

    key: str
    label: str
    current: float | None
    previous: float | None
    # "percent": change in % of the previous value; "points": a difference of percentages;
    # "absolute": a plain difference (ratios).
    change_kind: str = "percent"
    # True when a rise is bad news (the negative-to-positive ratio).
    lower_is_better: bool = False

    @property
    def change(self) -> float | None:
        """The change against last week, or None when there is nothing to compare with."""
        if self.current is None or self.previous is None:
            return None
        if self.change_kind == "percent":
            if not self.previous:
                return None
            return (self.current - self.previous) / abs(self.previous) * 100
        return self.current - self.previous

    @property
    def trend(self) -> str:
        """up, down or flat — for arrows and colours."""
        change = self.change
        if change is None or abs(change) < 1e-9:
            return "flat"
        return "up" if change > 0 else "down"

    @property
    def is_good(self) -> bool | None:
        """Whether the change is good news (None when flat or unknown)."""
        if self.trend == "flat":
            return None
        return (self.trend == "up") != self.lower_is_better

    @property
    def display(self) -> str:
        return _format_value(self.current, self.key)

    @property
    def previous_display(self) -> str:
        return _format_value(self.previous, self.key)

    @property
    def change_display(self) -> str:
        change = self.change
        if change is None:
            return "new" if self.current and not self.previous else "–"
        if self.change_kind == "percent":
            return f"{change:+.0f}%"
        if self.change_kind == "points":
            return f"{change:+.0f} pts"
        return f"{change:+.2f}"


def _format_value(value: float | None, key: str) -> str:
    if value is None:
        return "–"
    if key == "net_sentiment":
        return f"{value:+.0f}"
    if key == "neg_pos_ratio":
        return f"{value:.2f}"
    return f"{int(value):,}"


@dataclass
class WeekTotals:
    """Sums of a brand's rollups over one week (competitor queries left out)."""

    mentions: int = 0
    reach: int = 0
    engagement: int = 0
    positive: int = 0
    negative: int = 0
    neutral: int = 0

    @property
    def net_sentiment(self) -> float | None:
        """(positive − negative) / (positive + negative) × 100: from −100 to +100."""
        opinionated = self.positive + self.negative
        return (self.positive - self.negative) / opinionated * 100 if opinionated else None

    @property
    def neg_pos_ratio(self) -> float | None:
        """Negative mentions per positive one (under 0.2 is a healthy reputation)."""
        return self.negative / self.positive if self.positive else None


@dataclass
class Digest:
    """Everything one brand's weekly digest says."""

    brand: Brand
    week_of: date  # the Monday the digest is for (brand-local); it covers the week before
    start: datetime  # aware, inclusive
    end: datetime  # aware, exclusive
    figures: list[Figure]
    top_mentions: list[Mention] = field(default_factory=list)
    # None: the alerts app has no Alert model (yet); a list otherwise.
    alerts: list[dict[str, Any]] | None = None

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).astimezone(brand_zone(self.brand)).date()

    @property
    def first_day(self) -> date:
        return self.start.astimezone(brand_zone(self.brand)).date()

    @property
    def is_empty(self) -> bool:
        """Nothing heard this week (the email then says so instead of showing zeros)."""
        return not self.figures[0].current and not self.top_mentions


def digest_week_of(brand: Brand, now: datetime) -> date:
    """The Monday (brand-local) of the most recent digest week at ``now``: the digest of
    that Monday covers the seven days before it."""
    local = now.astimezone(brand_zone(brand)).date()
    return local - timedelta(days=(local.weekday() - DIGEST_WEEKDAY) % 7)


def digest_is_due(brand: Brand, now: datetime) -> bool:
    """Is it Monday 07:00 or later in the brand's time zone (the whole Monday counts, so
    an hourly run missed at 07:00 still sends at 08:00)?"""
    local = now.astimezone(brand_zone(brand))
    return local.weekday() == DIGEST_WEEKDAY and local.hour >= DIGEST_HOUR


def digest_week_bounds(brand: Brand, week_of: date) -> tuple[datetime, datetime]:
    """The week a digest covers: the seven brand-local days before ``week_of``, as aware
    datetimes (start inclusive, end exclusive; daylight-saving weeks are 167 or 169 hours)."""
    zone = brand_zone(brand)
    end = datetime.combine(week_of, time.min, tzinfo=zone)
    start = datetime.combine(week_of - timedelta(days=7), time.min, tzinfo=zone)
    return start, end


def rollup_week_totals(brand: Brand, start: datetime, end: datetime) -> WeekTotals:
    """A brand's totals between ``start`` and ``end`` from the hourly rollups (one query).

    Competitor queries are left out: the digest is about the brand. A mention matched by
    two of the brand's queries is counted by each, as on the dashboard.
    """
    rows = (
        Rollup.objects.filter(brand=brand, hour__gte=start, hour__lt=end)
        .exclude(query__kind=Query.Kind.COMPETITOR)
        .values("sentiment")
        .annotate(count=Sum("count"), reach=Sum("reach"), engagement=Sum("engagement"))
        .order_by()
    )
    totals = WeekTotals()
    for row in rows:
        count = row["count"] or 0
        totals.mentions += count
        totals.reach += row["reach"] or 0
        totals.engagement += row["engagement"] or 0
        if row["sentiment"] == Sentiment.POSITIVE:
            totals.positive += count
        elif row["sentiment"] == Sentiment.NEGATIVE:
            totals.negative += count
        else:
            totals.neutral += count
    return totals


def digest_figures(brand: Brand, week_of: date) -> list[Figure]:
    """The headline figures of the week before ``week_of`` against the week before that."""
    start, end = digest_week_bounds(brand, week_of)
    now_ = rollup_week_totals(brand, start, end)
    before = rollup_week_totals(brand, start - timedelta(days=7), start)
    return [
        Figure("mentions", "Mentions", now_.mentions, before.mentions),
        Figure("reach", "Reach", now_.reach, before.reach),
        Figure("engagement", "Engagement", now_.engagement, before.engagement),
        Figure(
            "net_sentiment",
            "Net sentiment",
            now_.net_sentiment,
            before.net_sentiment,
            change_kind="points",
        ),
        Figure(
            "neg_pos_ratio",
            "Negative-to-positive ratio",
            now_.neg_pos_ratio,
            before.neg_pos_ratio,
            change_kind="absolute",
            lower_is_better=True,
        ),
    ]


def digest_top_mentions(
    brand: Brand, start: datetime, end: datetime, limit: int = DIGEST_TOP_MENTIONS
) -> list[Mention]:
    """The week's mentions of the brand with the most reach (competitor-only ones left out)."""
    own_match = MentionMatch.objects.filter(mention=OuterRef("pk")).exclude(
        query__kind=Query.Kind.COMPETITOR
    )
    return list(
        Mention.objects.filter(brand=brand, published_at__gte=start, published_at__lt=end)
        .filter(Exists(own_match))
        .select_related("post", "post__author")
        .defer("post__raw")
        .order_by("-post__reach", "-published_at")[:limit]
    )


_ALERT_TIME_FIELDS = ("fired_at", "triggered_at", "started_at", "opened_at", "created_at")
_ALERT_TEXT_FIELDS = ("explanation", "title", "summary", "message", "description")


def digest_alerts(
    brand: Brand, start: datetime, end: datetime, limit: int = DIGEST_ALERTS
) -> list[dict[str, Any]] | None:
    """The alerts the brand got during the week, newest first, or None when the alerts
    app has no usable ``Alert`` model (it is optional: the digest then leaves alerts out).

    Read through the app registry, not imported: reports does not depend on alerts.
    """
    try:
        alert_model = apps.get_model("alerts", "Alert")
    except LookupError:
        return None
    names = {f.name for f in alert_model._meta.get_fields()}
    when = next((n for n in _ALERT_TIME_FIELDS if n in names), None)
    if when is None or "brand" not in names:
        return None
    rows = alert_model._default_manager.filter(
        brand=brand, **{f"{when}__gte": start, f"{when}__lt": end}
    ).order_by(f"-{when}")
    if "rule" in names:
        rows = rows.select_related("rule")
    try:
        # A savepoint: an alerts table not migrated yet must not break the digest.
        with transaction.atomic():
            found = list(rows[:limit])
    except DatabaseError:
        return None
    stream = reverse("listening:mention_list", kwargs={"brand_slug": brand.slug})
    alerts = []
    for alert in found:
        text = next((getattr(alert, n) for n in _ALERT_TEXT_FIELDS if getattr(alert, n, "")), "")
        rule = getattr(alert, "rule", None)
        params = getattr(alert, "link_params", None)
        alerts.append(
            {
                "at": getattr(alert, when),
                "rule": getattr(rule, "name", "") if rule else "",
                "text": str(text or alert),
                "path": f"{stream}?{urlencode(params, doseq=True)}" if params else "",
            }
        )
    return alerts


def brand_digest(brand: Brand, week_of: date) -> Digest:
    """The digest of ``brand`` for the Monday ``week_of``: figures, top mentions, alerts."""
    start, end = digest_week_bounds(brand, week_of)
    return Digest(
        brand=brand,
        week_of=week_of,
        start=start,
        end=end,
        figures=digest_figures(brand, week_of),
        top_mentions=digest_top_mentions(brand, start, end),
        alerts=digest_alerts(brand, start, end),
    )


def digest_subscription_for(user: User, brand: Brand) -> DigestSubscription | None:
    """The user's subscription row for the brand, if they ever opted in."""
    return DigestSubscription.objects.for_user(user).filter(brand=brand, user=user).first()


def digest_due_brands(now: datetime) -> list[tuple[int, date]]:
    """(brand id, week) of every active brand with subscribers whose digest is due at
    ``now`` (Monday from 07:00, brand-local)."""
    subscribed = DigestSubscription.objects.filter(is_active=True).values("brand_id")
    brands = Brand.objects.active().filter(id__in=subscribed).only("id", "timezone")
    return [(b.pk, digest_week_of(b, now)) for b in brands if digest_is_due(b, now)]


def digest_recipients_due(brand: Brand, week_of: date) -> list[DigestSubscription]:
    """Active subscriptions of people who still hold a role in the brand and have not
    had the digest of ``week_of`` yet."""
    subscriptions = (
        DigestSubscription.objects.filter(brand=brand, is_active=True, user__is_active=True)
        .exclude(last_sent_week__gte=week_of)
        .select_related("user")
    )
    # A person removed from the brand keeps their row but gets nothing.
    return [s for s in subscriptions if access.role_for(s.user, brand) is not None]
