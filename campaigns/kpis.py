"""The KPI catalogue and how each KPI of a campaign is measured.

Every metric has a key, a label, a unit (count, percent, ratio, money), a kind and a
default direction:

- ``listening``: from the day rollups of ``listening.insights`` (``DayRollup``) over the
  campaign's queries (or, with none, the brand's non-competitor queries); unique authors
  counted exactly from the mentions of the campaign's queries, or, with none, from the
  brand's per-day author sketches, as the insights dashboard counts them; influencer
  mentions from the mentions of authors at or above the KPI's follower threshold.
- ``calendar``: from the content calendar's posts of the campaign.
- ``entered``: sums of the team's ``KpiEntry`` figures; ``derived``: ratios of them
  (CPC, CPA, conversion rate) and the advertising-equivalent value.

Days are UTC days, as in the rollups. ``evaluate`` reads everything a campaign's KPIs
need in a few queries (one rollup read whatever the number of KPIs) and computes the
baseline (the equal-length period just before the campaign), the target, the value to
date, the plan's expected value today and the pacing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

from campaigns import extensions
from campaigns.models import Campaign, ContentPost, Kpi, KpiEntry
from listening.insights import sketch
from listening.insights.models import AuthorSketch, DayRollup
from listening.insights.selectors import neg_pos_ratio as _neg_pos_ratio
from listening.insights.selectors import net_sentiment as _net_sentiment
from listening.models import Mention, Query

COUNT, PERCENT, RATIO, MONEY = "count", "percent", "ratio", "money"
LISTENING, CALENDAR, ENTERED, DERIVED = "listening", "calendar", "entered", "derived"
UP, DOWN = "up", "down"

# A published post counts as on time within this many minutes of its scheduled time.
ON_TIME_MINUTES = 60
# Pacing: progress against the plan's expected value today.
ON_TRACK_AT, AT_RISK_AT = 0.9, 0.7

PACING_LABELS = {
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
    "not_started": "Not started",
    "no_data": "No data yet",
}


def ave_cpm() -> Decimal:
    """The CPM rate of the advertising-equivalent value (``SOCIALHUB_AVE_CPM``)."""
    return Decimal(str(getattr(settings, "SOCIALHUB_AVE_CPM", "5.00")))


def _div(a: float | None, b: float | None, scale: float = 1.0, places: int = 4) -> float | None:
    if a is None or not b:
        return None
    return round(a * scale / b, places)


@dataclass(frozen=True)
class Metric:
    """One entry of the catalogue. ``compute`` turns the counters of a period into the
    metric's value (None: nothing to measure); ``additive`` metrics are sums that grow
    over the campaign (their plan accumulates toward the target)."""

    key: str
    label: str
    unit: str
    kind: str
    direction: str
    help: str
    compute: Callable[[dict[str, float]], float | None]
    additive: bool = False
    minimum: float | None = 0
    maximum: float | None = None

    @property
    def is_computed(self) -> bool:
        """Computed from data (baseline too), rather than from the team's figures."""
        return self.kind in (LISTENING, CALENDAR)


def _sum(key: str) -> Callable[[dict[str, float]], float | None]:
    return lambda c: c.get(key, 0)


def _entered(key: str) -> Callable[[dict[str, float]], float | None]:
    # No figure entered for the period: no data (rather than zero).
    return lambda c: c.get(key) if f"has:{key}" in c else None


def _ave(c: dict[str, float]) -> float | None:
    if "has:impressions" not in c:
        return None
    return round(c["impressions"] / 1000 * float(ave_cpm()), 2)


_METRICS = [
    Metric("mentions", "Mentions", COUNT, LISTENING, UP,
           "Mentions heard by the campaign's queries.", _sum("count"), additive=True),
    Metric("reach", "Reach", COUNT, LISTENING, UP,
           "Sum of the audiences of the mentions' authors.", _sum("reach"), additive=True),
    Metric("engagement", "Engagement", COUNT, LISTENING, UP,
           "Likes, shares and replies of the mentions.", _sum("engagement"), additive=True),
    Metric("unique_authors", "Unique authors", COUNT, LISTENING, UP,
           "Different people in the campaign's mentions (exact), or, for a campaign "
           "without its own queries, talking about the brand (estimated, about ±2 %).",
           _sum("authors")),
    Metric("net_sentiment", "Net sentiment", PERCENT, LISTENING, UP,
           "(positive − negative) / (positive + negative), from −100 to 100.",
           lambda c: _net_sentiment(int(c.get("positive", 0)), int(c.get("negative", 0))),
           minimum=-100, maximum=100),
    Metric("positive_share", "Positive share", PERCENT, LISTENING, UP,
           "Positive mentions out of all mentions.",
           lambda c: _div(c.get("positive", 0), c.get("count", 0), 100, 1), maximum=100),
    Metric("neg_pos_ratio", "Negative-to-positive ratio", RATIO, LISTENING, DOWN,
           "Negative mentions per positive one.",
           lambda c: _neg_pos_ratio(int(c.get("positive", 0)), int(c.get("negative", 0)))),
    Metric("share_of_voice", "Share of voice", PERCENT, LISTENING, UP,
           "The campaign's mentions against the brand's competitor queries.",
           lambda c: _div(c.get("count", 0), c.get("count", 0) + c.get("competitors", 0), 100, 1),
           maximum=100),
    Metric("influencer_mentions", "Mentions by influencers", COUNT, LISTENING, UP,
           "Mentions by authors with at least the KPI's follower threshold, and the "
           "campaign's influencer collaborations' posts (each mention once).",
           _sum("influencers"), additive=True),
    Metric("posts_on_time", "Posts published on time", PERCENT, CALENDAR, UP,
           f"Posts due in the period published within {ON_TIME_MINUTES} minutes of their time.",
           lambda c: _div(c.get("posts_on_time", 0), c.get("posts_due", 0), 100, 1),
           maximum=100),
    Metric("own_post_engagement", "Engagement on own posts", COUNT, CALENDAR, UP,
           "Likes, shares and replies of the campaign's published posts, where heard.",
           _sum("own_engagement"), additive=True),
    Metric("impressions", "Impressions", COUNT, ENTERED, UP,
           "Entered by the team.", _entered("impressions"), additive=True),
    Metric("clicks", "Clicks", COUNT, ENTERED, UP,
           "Entered by the team.", _entered("clicks"), additive=True),
    Metric("conversions", "Conversions", COUNT, ENTERED, UP,
           "Entered by the team.", _entered("conversions"), additive=True),
    Metric("signups", "Sign-ups", COUNT, ENTERED, UP,
           "Entered by the team.", _entered("signups"), additive=True),
    Metric("spend", "Spend", MONEY, ENTERED, DOWN,
           "Entered by the team, in the campaign's currency.", _entered("spend"), additive=True),
    Metric("cpc", "Cost per click", MONEY, DERIVED, DOWN,
           "Spend / clicks.", lambda c: _div(_entered("spend")(c), c.get("clicks"), 1, 2)),
    Metric("cpa", "Cost per acquisition", MONEY, DERIVED, DOWN,
           "Spend / conversions.",
           lambda c: _div(_entered("spend")(c), c.get("conversions"), 1, 2)),
    Metric("conversion_rate", "Conversion rate", PERCENT, DERIVED, UP,
           "Conversions / clicks.",
           lambda c: _div(_entered("conversions")(c), c.get("clicks"), 100, 2), maximum=100),
    Metric("ave", "Advertising-equivalent value", MONEY, DERIVED, UP,
           "Impressions / 1000 × the CPM rate (SOCIALHUB_AVE_CPM, default 5.00), in the "
           "campaign's currency: what the same impressions would cost as ads.",
           _ave, additive=True),
]  # fmt: skip

CATALOGUE: dict[str, Metric] = {m.key: m for m in _METRICS}
ENTERED_METRICS = tuple(m.key for m in _METRICS if m.kind == ENTERED)
METRIC_CHOICES = [(m.key, m.label) for m in _METRICS]

# Which counters each metric needs (so a campaign without a calendar KPI reads no posts).
_NEEDS_SKETCHES = {"unique_authors"}


def metric_for(key: str) -> Metric:
    """The catalogue entry of ``key``; KeyError for an unknown metric."""
    return CATALOGUE[key]


# -- targets -----------------------------------------------------------------------------


def target_errors(
    *,
    metric: str,
    target_kind: str,
    target: Decimal | float | None,
    baseline: Decimal | float | None,
) -> dict[str, str]:
    """What is wrong with a KPI's target for its metric, by field (empty: nothing).

    An absolute target must lie within the metric's range (a percent at most 100, no
    negative counts); a relative one is a change in percent (−100 or more) and needs a
    baseline: typed for entered metrics, computed later for computed ones."""
    m = CATALOGUE.get(metric)
    if m is None:
        return {"metric": f"“{metric}” is not a metric of the catalogue."}
    if target is None:
        return {"target": "Give a target."}
    value = float(target)
    if target_kind == Kpi.TargetKind.RELATIVE:
        if value < -100:
            return {"target": "A relative target is a change in percent: −100 % at the least."}
        if not m.is_computed and baseline is None:
            return {
                "baseline": (
                    f"{m.label} is entered by the team: type its baseline to set a target "
                    "relative to it, or give an absolute target."
                )
            }
        if baseline is not None:
            absolute = float(baseline) * (1 + value / 100)
            problem = _range_error(m, absolute)
            if problem:
                return {"target": f"Against the baseline of {float(baseline):g}, {problem}"}
        return {}
    problem = _range_error(m, value)
    return {"target": problem[0].upper() + problem[1:]} if problem else {}


def _range_error(m: Metric, value: float) -> str:
    unit = " %" if m.unit == PERCENT else ""
    if m.minimum is not None and value < m.minimum:
        return (
            f"the target would be {value:g}{unit}; {m.label} cannot be below {m.minimum:g}{unit}."
        )
    if m.maximum is not None and value > m.maximum:
        return (
            f"the target would be {value:g}{unit}; {m.label} cannot be above {m.maximum:g}{unit}."
        )
    return ""


# -- periods -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """Whole UTC days, both ends included (empty when end < start)."""

    start: date
    end: date

    @property
    def is_empty(self) -> bool:
        return self.end < self.start

    def days(self) -> Iterable[date]:
        day = self.start
        while day <= self.end:
            yield day
            day += timedelta(days=1)


def _today(today: date | None) -> date:
    return today or datetime.now(UTC).date()


def periods(campaign: Campaign, today: date | None = None) -> dict[str, Span]:
    """Before (the equal-length period just before the start), during (start to today or
    the end) and after (the equal-length period after the end, up to today)."""
    today = _today(today)
    n = timedelta(days=campaign.days)
    one = timedelta(days=1)
    return {
        "before": Span(campaign.start_date - n, campaign.start_date - one),
        "during": Span(campaign.start_date, min(today, campaign.end_date)),
        "after": Span(campaign.end_date + one, min(today, campaign.end_date + n)),
    }


# -- the data ----------------------------------------------------------------------------


class CampaignData:
    """Everything a campaign's KPIs read, per UTC day, over [before.start, today or the
    end of the after-period]; each source is read once, when first needed."""

    def __init__(self, campaign: Campaign, today: date, kpis: list[Kpi]):
        self.campaign = campaign
        self.today = today
        self.kpis = kpis
        spans = periods(campaign, today)
        self.lo = spans["before"].start
        self.hi = max(spans["after"].end, spans["during"].end, spans["before"].end)

    def _dt(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=UTC)

    @cached_property
    def scope(self) -> tuple[list[int], list[int]]:
        """(the campaign's query ids, the brand's competitor query ids outside them).
        The campaign's own queries, or the brand's non-competitor ones without any."""
        brand_queries = list(
            Query.objects.filter(brand_id=self.campaign.brand_id).values_list("id", "kind")
        )
        chosen = self.chosen_queries
        if chosen:
            own = sorted(chosen)
        else:
            own = sorted(pk for pk, kind in brand_queries if kind != Query.Kind.COMPETITOR)
        competitors = sorted(
            pk for pk, kind in brand_queries if kind == Query.Kind.COMPETITOR and pk not in chosen
        )
        return own, competitors

    @cached_property
    def counters(self) -> dict[date, dict[str, float]]:
        """Per day: every counter the catalogue computes from (one read per source)."""
        days: dict[date, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        metrics = {k.metric for k in self.kpis} | {
            "mentions",
            "reach",
            "engagement",
            "net_sentiment",
            "share_of_voice",
        }
        kinds = {CATALOGUE[m].kind for m in metrics if m in CATALOGUE}
        if LISTENING in kinds:
            self._read_rollups(days)
        if "influencer_mentions" in metrics:
            self._read_influencers(days)
        if CALENDAR in kinds:
            self._read_posts(days)
        if kinds & {ENTERED, DERIVED}:
            self._read_entries(days)
        return days

    def _read_rollups(self, days) -> None:
        own, competitors = self.scope
        if not own and not competitors:
            return
        own_set = set(own)
        rows = (
            DayRollup.objects.filter(
                brand_id=self.campaign.brand_id,
                day__gte=self.lo,
                day__lte=self.hi,
                query_id__in=own + competitors,
            )
            .values_list("day", "query_id", "sentiment")
            .annotate(c=Sum("count"), r=Sum("reach"), e=Sum("engagement"))
            .order_by()
        )
        for day, qid, sentiment, c, r, e in rows:
            d = days[day]
            if qid in own_set:
                d["count"] += c
                d["reach"] += r
                d["engagement"] += e
                d[sentiment] += c
            else:
                d["competitors"] += c

    def _read_influencers(self, days) -> None:
        # One read per threshold: the brand's mentions in the period (the brand/published_at
        # index) matched by the campaign's queries, by authors at the threshold or above.
        own, _ = self.scope
        thresholds = {k.follower_threshold for k in self.kpis if k.metric == "influencer_mentions"}
        for threshold in thresholds:
            rows = (
                Mention.objects.filter(
                    brand_id=self.campaign.brand_id,
                    published_at__gte=self._dt(self.lo),
                    published_at__lt=self._dt(self.hi + timedelta(days=1)),
                    post__author__followers__gte=threshold,
                    matches__query_id__in=own,
                )
                .annotate(day=TruncDate("published_at", tzinfo=UTC))
                .values("day")
                .annotate(n=Count("id", distinct=True))
                .order_by()
            )
            for row in rows:
                days[row["day"]][f"influencers:{threshold}"] += row["n"]
            # Extension (campaigns.extensions): mentions by the campaign's influencer
            # collaborators count too, once: those the threshold read counted are skipped.
            extra = extensions.influencer_mentions(self.campaign, self.lo, self.hi)
            if extra:
                counted = set(
                    Mention.objects.filter(
                        pk__in=list(extra),
                        post__author__followers__gte=threshold,
                        matches__query_id__in=own,
                    ).values_list("pk", flat=True)
                )
                for mention_id, day in extra.items():
                    if mention_id not in counted:
                        days[day][f"influencers:{threshold}"] += 1

    def _read_posts(self, days) -> None:
        # During and after: the campaign's posts; before it: the brand's, which is what
        # the campaign's baseline compares with.
        start = self._dt(self.campaign.start_date)
        now = datetime.now(UTC)
        rows = (
            ContentPost.objects.filter(
                brand_id=self.campaign.brand_id,
                scheduled_at__gte=self._dt(self.lo),
                scheduled_at__lt=self._dt(self.hi + timedelta(days=1)),
            )
            .filter(Q(campaign_id=self.campaign.pk) | Q(scheduled_at__lt=start))
            .exclude(status=ContentPost.Status.CANCELLED)
            .values_list(
                "scheduled_at",
                "published_at",
                "status",
                "mention__post__likes",
                "mention__post__shares",
                "mention__post__replies",
            )
        )
        window = timedelta(minutes=ON_TIME_MINUTES)
        for scheduled, published, status, likes, shares, replies in rows:
            if scheduled <= now:
                d = days[scheduled.astimezone(UTC).date()]
                d["posts_due"] += 1
                if (
                    status == ContentPost.Status.PUBLISHED
                    and published is not None
                    and abs(published - scheduled) <= window
                ):
                    d["posts_on_time"] += 1
            if status == ContentPost.Status.PUBLISHED and likes is not None:
                when = (published or scheduled).astimezone(UTC).date()
                days[when]["own_engagement"] += likes + shares + replies

    def _read_entries(self, days) -> None:
        rows = KpiEntry.objects.filter(
            campaign_id=self.campaign.pk, date__gte=self.lo, date__lte=self.hi
        ).values_list("date", "metric", "value")
        for day, metric, value in rows:
            days[day][metric] += float(value)
            days[day][f"has:{metric}"] = 1

    @cached_property
    def chosen_queries(self) -> set[int]:
        """The queries the campaign names (none: it measures the brand's)."""
        return {q.pk for q in self.campaign.queries.all()}

    @property
    def own_queries_chosen(self) -> bool:
        return bool(self.chosen_queries)

    @cached_property
    def author_days(self) -> dict[date, set[int]]:
        """Per day, the authors of the mentions the campaign's own queries matched: one
        read of distinct (day, author) pairs over the campaign's matches."""
        own, _ = self.scope
        out: dict[date, set[int]] = defaultdict(set)
        rows = (
            Mention.objects.filter(
                brand_id=self.campaign.brand_id,
                published_at__gte=self._dt(self.lo),
                published_at__lt=self._dt(self.hi + timedelta(days=1)),
                matches__query_id__in=own,
                post__author__isnull=False,
            )
            .annotate(day=TruncDate("published_at", tzinfo=UTC))
            .values_list("day", "post__author_id")
            .distinct()
            .order_by()
        )
        for day, author_id in rows:
            out[day].add(author_id)
        return out

    @cached_property
    def sketches(self) -> dict[date, list[bytes]]:
        """The brand's per-day author sketches (all platforms)."""
        out: dict[date, list[bytes]] = defaultdict(list)
        rows = AuthorSketch.objects.filter(
            brand_id=self.campaign.brand_id, day__gte=self.lo, day__lte=self.hi
        ).values_list("day", "sketch")
        for day, data in rows:
            out[day].append(bytes(data))
        return out

    # -- values -----------------------------------------------------------------------

    def totals(self, span: Span, kpi: Kpi | None = None) -> dict[str, float]:
        out: dict[str, float] = defaultdict(float)
        if span.is_empty:
            return out
        for day, c in self.counters.items():
            if span.start <= day <= span.end:
                for key, v in c.items():
                    out[key] += v
        if kpi is not None and kpi.metric == "influencer_mentions":
            out["influencers"] = out.get(f"influencers:{kpi.follower_threshold}", 0)
        if kpi is not None and kpi.metric in _NEEDS_SKETCHES:
            out["authors"] = self._authors(span)
        return out

    def _authors(self, span: Span) -> float:
        """Distinct authors over the span: exact for the campaign's own queries, the
        brand's sketch estimate otherwise."""
        days = list(span.days())
        if self.own_queries_chosen:
            return len(set().union(*(self.author_days.get(day, ()) for day in days)))
        return sketch.count(s for day in days for s in self.sketches.get(day, ()))

    def value(self, metric: str, span: Span, kpi: Kpi | None = None) -> float | None:
        """The metric over a span (None for an empty span or nothing to measure)."""
        if span.is_empty:
            return None
        m = CATALOGUE[metric]
        if kpi is None and metric in _NEEDS_SKETCHES | {"influencer_mentions"}:
            kpi = Kpi(metric=metric)
        return m.compute(self.totals(span, kpi))

    def series(self, kpi: Kpi, span: Span) -> list[tuple[date, float | None]]:
        """The value to date at the end of each day of the span (running totals)."""
        m = CATALOGUE[kpi.metric]
        running: dict[str, float] = defaultdict(float)
        needs_authors = kpi.metric in _NEEDS_SKETCHES
        exact = needs_authors and self.own_queries_chosen
        regs = sketch.merge([]) if needs_authors and not exact else None
        seen: set[int] = set()
        out = []
        for day in span.days():
            for key, v in self.counters.get(day, {}).items():
                running[key] += v
            if kpi.metric == "influencer_mentions":
                running["influencers"] = running.get(f"influencers:{kpi.follower_threshold}", 0)
            if exact:
                seen |= self.author_days.get(day, set())
                running["authors"] = len(seen)
            elif regs is not None:
                for s in self.sketches.get(day, []):
                    np.maximum(regs, sketch.registers(s), out=regs)
                running["authors"] = sketch.estimate(regs)
            out.append((day, m.compute(running)))
        return out


def _data_for(campaign: Campaign, today: date) -> CampaignData:
    """One reader per campaign and day, kept on the instance (the detail page evaluates
    the KPIs and compares periods from the same reads). The campaign services forget
    it after a write; elsewhere, reload the campaign to see new data."""
    cache = campaign.__dict__.setdefault("_kpi_data", {})
    if today not in cache:
        cache[today] = CampaignData(campaign, today, list(campaign.kpis.all()))
    return cache[today]


def forget(campaign: Campaign) -> None:
    """Drop the reads kept on the instance (after a change to its KPIs or figures)."""
    campaign.__dict__.pop("_kpi_data", None)
    getattr(campaign, "_prefetched_objects_cache", {}).pop("kpis", None)


# -- evaluation --------------------------------------------------------------------------


def _shape(plan: str, f: float) -> float:
    """The share of the way from baseline to target the plan expects after fraction
    ``f`` of the campaign's days."""
    f = min(max(f, 0.0), 1.0)
    if plan == Kpi.Plan.FRONT:
        return 1 - (1 - f) ** 2
    if plan == Kpi.Plan.BACK:
        return f * f
    if plan == Kpi.Plan.FLAT:
        return 1.0
    return f


def expected_value(
    metric: Metric, plan: str, baseline: float | None, target: float | None, f: float
) -> float | None:
    """What the plan expects after fraction ``f`` of the campaign.

    Additive metrics (sums that grow with time: mentions, reach, spend...) accumulate
    from 0 to the target: linear is a constant pace, front/back-loaded faster early/late
    ("from day one" is a constant pace too). Level metrics (shares, ratios, sentiment,
    costs per unit) move from the baseline to the target: linearly, faster early, faster
    late, or at once ("from day one"); without a baseline the target applies at once."""
    if target is None:
        return None
    if metric.additive:
        shape = f if plan == Kpi.Plan.FLAT else _shape(plan, f)
        return round(target * shape, 4)
    if baseline is None:
        return target
    return round(baseline + (target - baseline) * _shape(plan, f), 4)


def pacing_of(
    current: float | None, expected: float | None, ref: float, direction: str
) -> tuple[str, float | None]:
    """(pacing, progress) of a value against the plan's expected value today.

    Progress is the way covered from ``ref`` (0 for sums, else the baseline) toward the
    expected value, counted in the KPI's direction: on track at 90 % or more, at risk at
    70 % or more, off track below. When the plan asks for no move in the good direction
    (a spending cap, a target at the baseline), staying on the right side of the
    expected value is on track and an overshoot counts against it."""
    if current is None or expected is None:
        return "no_data", None
    sign = 1 if direction == UP else -1
    need = sign * (expected - ref)
    got = sign * (current - ref)
    if need > 0:
        progress = got / need
    elif got >= need:
        progress = 1.0
    else:
        scale = abs(expected) or abs(ref) or 1.0
        progress = 1 - (need - got) / scale
    if progress >= ON_TRACK_AT:
        state = "on_track"
    elif progress >= AT_RISK_AT:
        state = "at_risk"
    else:
        state = "off_track"
    return state, round(progress * 100, 1)


def _f(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


@dataclass
class KpiResult:
    """One KPI measured: baseline, target, value to date, plan and pacing."""

    kpi_id: int
    metric: str
    label: str
    unit: str
    kind: str
    direction: str
    plan: str
    target_kind: str
    target_input: float
    baseline: float | None
    baseline_computed: bool
    target: float | None
    current: float | None
    expected: float | None
    progress: float | None
    pacing: str
    elapsed_days: int
    total_days: int
    series: list[tuple[date, float | None]] = field(default_factory=list)
    plan_series: list[tuple[date, float | None]] = field(default_factory=list)
    note: str = ""

    @property
    def pacing_label(self) -> str:
        return PACING_LABELS[self.pacing]

    @property
    def plan_label(self) -> str:
        return dict(Kpi.Plan.choices).get(self.plan, self.plan)

    @property
    def versus_plan(self) -> str:
        """Where the value stands against today's plan, in the KPI's own unit and
        direction: "12 ahead of plan", "25.7 behind plan", "on plan"."""
        if self.current is None or self.expected is None:
            return ""
        gap = (self.current - self.expected) * (1 if self.direction == UP else -1)
        amount = f"{abs(gap):,.2f}".rstrip("0").rstrip(".")
        if amount in ("0", "-0"):
            return "on plan"
        unit = " points" if self.unit == "percent" else ""
        return f"{amount}{unit} {'ahead of' if gap > 0 else 'behind'} plan"

    @property
    def table(self) -> list[tuple[date, float | None, float | None]]:
        """Per campaign day: (day, value to date or None after today, plan)."""
        actual = dict(self.series)
        return [(day, actual.get(day), plan) for day, plan in self.plan_series]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kpi": self.kpi_id,
            "metric": self.metric,
            "label": self.label,
            "unit": self.unit,
            "kind": self.kind,
            "direction": self.direction,
            "plan": self.plan,
            "target_kind": self.target_kind,
            "target_input": self.target_input,
            "baseline": self.baseline,
            "baseline_computed": self.baseline_computed,
            "target": self.target,
            "current": self.current,
            "expected": self.expected,
            "progress": self.progress,
            "pacing": self.pacing,
            "pacing_label": self.pacing_label,
            "elapsed_days": self.elapsed_days,
            "total_days": self.total_days,
            "series": [[d.isoformat(), v] for d, v in self.series],
            "plan_series": [[d.isoformat(), v] for d, v in self.plan_series],
            "note": self.note,
        }


def _baseline(kpi: Kpi, data: CampaignData, before: Span, today: date) -> float | None:
    """Entered metrics: the typed baseline. Computed ones: the stored baseline, or the
    value over the period before the campaign — stored the first time once that period
    is over (the campaign has started) and there is something to store, then kept."""
    m = CATALOGUE[kpi.metric]
    if not m.is_computed or kpi.baseline_computed_at is not None:
        return _f(kpi.baseline)
    value = data.value(kpi.metric, before, kpi)
    if value is not None and today >= kpi.campaign.start_date:
        now = datetime.now(UTC)
        Kpi.objects.filter(pk=kpi.pk, baseline_computed_at__isnull=True).update(
            baseline=Decimal(str(round(value, 4))), baseline_computed_at=now
        )
        kpi.baseline, kpi.baseline_computed_at = Decimal(str(round(value, 4))), now
    return value


def _target(kpi: Kpi, baseline: float | None) -> float | None:
    if kpi.target_kind == Kpi.TargetKind.RELATIVE:
        if baseline is None:
            return None
        return round(baseline * (1 + float(kpi.target) / 100), 4)
    return float(kpi.target)


def evaluate_kpi(kpi: Kpi, data: CampaignData, today: date) -> KpiResult:
    """One KPI of ``data.campaign`` measured on ``today``."""
    campaign = kpi.campaign
    m = CATALOGUE.get(kpi.metric)
    spans = periods(campaign, today)
    total = campaign.days
    if m is None:  # a metric removed from the catalogue: shown, never computed
        return KpiResult(
            kpi.pk, kpi.metric, kpi.label or kpi.metric, COUNT, "", kpi.direction, kpi.plan,
            kpi.target_kind, float(kpi.target), _f(kpi.baseline), False, None, None, None,
            None, "no_data", 0, total, note="This metric is no longer in the catalogue.",
        )  # fmt: skip
    baseline = _baseline(kpi, data, spans["before"], today)
    target = _target(kpi, baseline)
    during = spans["during"]
    elapsed = 0 if during.is_empty else (during.end - during.start).days + 1
    note = ""
    if kpi.target_kind == Kpi.TargetKind.RELATIVE and baseline is None:
        note = "No baseline yet: the relative target waits for one."
    if today < campaign.start_date:
        current, expected, progress, pacing = None, None, None, "not_started"
        series: list[tuple[date, float | None]] = []
    else:
        series = data.series(kpi, during)
        current = series[-1][1] if series else None
        expected = expected_value(m, kpi.plan, baseline, target, elapsed / total)
        ref = 0.0 if m.additive or baseline is None else baseline
        pacing, progress = pacing_of(current, expected, ref, kpi.direction)
    plan_series = [
        (
            campaign.start_date + timedelta(days=i),
            expected_value(m, kpi.plan, baseline, target, (i + 1) / total),
        )
        for i in range(total)
    ]
    return KpiResult(
        kpi_id=kpi.pk,
        metric=kpi.metric,
        label=kpi.label or m.label,
        unit=m.unit,
        kind=m.kind,
        direction=kpi.direction,
        plan=kpi.plan,
        target_kind=kpi.target_kind,
        target_input=float(kpi.target),
        baseline=baseline,
        baseline_computed=m.is_computed,
        target=target,
        current=current,
        expected=expected,
        progress=progress,
        pacing=pacing,
        elapsed_days=elapsed,
        total_days=total,
        series=series,
        plan_series=plan_series,
        note=note,
    )


def evaluate(campaign: Campaign, *, today: date | None = None) -> list[KpiResult]:
    """Every KPI of the campaign measured on ``today`` (UTC today by default), in their
    order: a few queries in all (the KPIs, the queries, one rollup read, and the posts,
    entries, sketches or influencer mentions only when a KPI needs them)."""
    today = _today(today)
    data = _data_for(campaign, today)
    for kpi in data.kpis:
        kpi.campaign = campaign
    return [evaluate_kpi(kpi, data, today) for kpi in data.kpis]


COMPARED = ("mentions", "reach", "engagement", "net_sentiment", "share_of_voice")


def compare_periods(campaign: Campaign, *, today: date | None = None) -> dict[str, Any]:
    """Mentions, reach, engagement, net sentiment and share of voice before the
    campaign (the equal-length period before the start), during it (to today) and after
    it (the equal-length period after the end, days already past only). JSON-safe."""
    today = _today(today)
    data = _data_for(campaign, today)
    spans = periods(campaign, today)
    labels = {"before": "Before", "during": "During", "after": "After"}
    out_periods = []
    for key, span in spans.items():
        started = not span.is_empty
        out_periods.append(
            {
                "key": key,
                "label": labels[key],
                "start": span.start.isoformat(),
                "end": span.end.isoformat() if started else None,
                "started": started,
                "figures": {
                    metric: (data.value(metric, span) if started else None) for metric in COMPARED
                },
            }
        )
    return {
        "metrics": [
            {"key": k, "label": CATALOGUE[k].label, "unit": CATALOGUE[k].unit} for k in COMPARED
        ],
        "periods": out_periods,
    }
