"""What each kind of rule observes: reads only, no writes (see services for incidents).

Volume and negative share read the hourly rollups, never the mentions; a big account
and a keyword read the mentions of the window (a batch only asks whether it brought one);
an emerging term asks ``listening.insights.terms.emerging_terms``.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet, Sum
from django.utils.formats import number_format

from listening.alerts.models import AlertKind, AlertRule
from listening.models import Mention, Query, Rollup, Sentiment
from listening.reports.selectors import brand_zone

HOUR = timedelta(hours=1)


@dataclass
class Observation:
    """A rule's condition at one moment, with everything its alert would explain."""

    holds: bool
    observed: float
    threshold: float
    window_start: datetime
    window_end: datetime
    mention_count: int
    explanation: str
    baseline: float | None = None
    baseline_start: datetime | None = None
    baseline_end: datetime | None = None
    link_params: dict[str, str] = field(default_factory=dict)
    key: str = ""


def _floor_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _zone(rule: AlertRule) -> ZoneInfo:
    """The brand's time zone: alert texts tell the window in the time the brand reads."""
    return brand_zone(rule.brand)


def _when(moment: datetime, zone: ZoneInfo) -> str:
    """A moment in the brand's time zone, with its abbreviation (10 Mar 16:00 JST)."""
    local = moment.astimezone(zone)
    return f"{local:%d %b %H:%M} {local:%Z}"


def _num(value: float, digits: int = 1) -> str:
    if float(value).is_integer():
        return number_format(int(value), force_grouping=True)
    return number_format(round(value, digits), digits, force_grouping=True)


def _hours(n: int) -> str:
    return "hour" if n == 1 else f"{n} hours"


def _days(n: int) -> str:
    return "day" if n == 1 else f"{n} days"


def _scope(rule: AlertRule) -> str:
    return f"“{rule.query.name}”" if rule.query_id else "the brand's own queries"


def _link(rule: AlertRule, start: datetime, end: datetime, **extra: str) -> dict[str, str]:
    """Mention-stream filters (dates are whole days there) that show the mentions."""
    params = {"days": "", "start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"}
    if rule.query_id:
        params["query"] = str(rule.query_id)
    params.update({k: v for k, v in extra.items() if v})
    return params


def _rollups(rule: AlertRule) -> QuerySet[Rollup]:
    rows = Rollup.objects.filter(brand_id=rule.brand_id)
    if rule.query_id:
        return rows.filter(query_id=rule.query_id)
    # Without a scope, the brand's own queries: competitors spiking is not the brand's
    # incident. A mention heard by two of them counts twice, in the window and the
    # baseline alike, so ratios stay fair.
    return rows.exclude(query__kind=Query.Kind.COMPETITOR)


def _window(rule: AlertRule, now: datetime) -> tuple[datetime, datetime]:
    """The rule's window in whole rollup hours, ending with the hour now is in."""
    end = _floor_hour(now) + HOUR
    return end - rule.window_hours * HOUR, end


# -- volume spike ----------------------------------------------------------------------


def volume_spike(rule: AlertRule, now: datetime) -> Observation:
    """The window's count against the windows of the same length before it."""
    start, end = _window(rule, now)
    size = rule.window_hours * HOUR
    periods = max(1, (rule.baseline_days * 24) // rule.window_hours)
    baseline_start = start - periods * size
    per_hour = (
        _rollups(rule)
        .filter(hour__gte=baseline_start, hour__lt=end)
        .values("hour")
        .annotate(n=Sum("count"))
        .order_by()
    )
    observed = 0
    chunks = [0] * periods
    for row in per_hour:
        if row["hour"] >= start:
            observed += row["n"]
        else:
            chunks[(start - row["hour"] - HOUR) // size] += row["n"]
    mean = sum(chunks) / periods
    spread = statistics.pstdev(chunks) if periods > 1 else 0.0
    window = _hours(rule.window_hours)
    zone = _zone(rule)
    baseline_text = (
        f"the average of {_num(mean)} per {window} over the previous "
        f"{_days(rule.baseline_days)} ({_when(baseline_start, zone)} to {_when(start, zone)})"
    )
    if rule.method == AlertRule.Method.ZSCORE:
        # A floor of 1 on the spread: a flat baseline would make any blip infinite.
        value = (observed - mean) / max(spread, 1.0)
        comparison = (
            f"a z-score of {_num(value)} against {baseline_text}, "
            f"spread ±{_num(spread)}; the threshold is a z-score of {_num(rule.threshold)}"
        )
    else:
        value = observed / mean if mean else float(observed)
        ratio = f"{_num(value)}×" if mean else "new volume (the baseline was empty)"
        comparison = f"{ratio} {baseline_text}; the threshold is {_num(rule.threshold)}×"
    holds = observed >= rule.min_count and value >= rule.threshold
    sentence = (
        f"{_num(observed)} mention{'s' if observed != 1 else ''} of {_scope(rule)} in the "
        f"{window} from {_when(start, zone)} to {_when(now, zone)}: {comparison}, "
        f"with at least {_num(rule.min_count)} mentions."
    )
    return Observation(
        holds=holds,
        observed=round(value, 3),
        threshold=rule.threshold,
        window_start=start,
        window_end=now,
        mention_count=observed,
        explanation=sentence,
        baseline=round(mean, 3),
        baseline_start=baseline_start,
        baseline_end=start,
        link_params=_link(rule, start, now),
    )


# -- negative share --------------------------------------------------------------------


def _by_sentiment(rows: QuerySet[Rollup]) -> tuple[int, int]:
    totals = {r["sentiment"]: r["n"] for r in rows.values("sentiment").annotate(n=Sum("count"))}
    return totals.get(Sentiment.NEGATIVE, 0), sum(totals.values())


def negative_share(rule: AlertRule, now: datetime) -> Observation:
    """The window's share of negative mentions, with the baseline period's for context."""
    start, end = _window(rule, now)
    baseline_start = start - timedelta(days=rule.baseline_days)
    rows = _rollups(rule)
    negative, total = _by_sentiment(rows.filter(hour__gte=start, hour__lt=end).order_by())
    base_negative, base_total = _by_sentiment(
        rows.filter(hour__gte=baseline_start, hour__lt=start).order_by()
    )
    share = 100.0 * negative / total if total else 0.0
    base_share = 100.0 * base_negative / base_total if base_total else None
    holds = total >= rule.min_count and share >= rule.threshold
    baseline_text = (
        f"over the previous {_days(rule.baseline_days)} it was {_num(base_share)}%"
        if base_share is not None
        else f"the previous {_days(rule.baseline_days)} had no mentions"
    )
    zone = _zone(rule)
    sentence = (
        f"{_num(share)}% of the mentions of {_scope(rule)} were negative ({_num(negative)} "
        f"of {_num(total)}) in the {_hours(rule.window_hours)} from {_when(start, zone)} to "
        f"{_when(now, zone)}; the threshold is {_num(rule.threshold)}% with at least "
        f"{_num(rule.min_count)} mentions; {baseline_text}."
    )
    return Observation(
        holds=holds,
        observed=round(share, 3),
        threshold=rule.threshold,
        window_start=start,
        window_end=now,
        mention_count=total,
        explanation=sentence,
        baseline=round(base_share, 3) if base_share is not None else None,
        baseline_start=baseline_start,
        baseline_end=start,
        link_params=_link(rule, start, now, sentiment=Sentiment.NEGATIVE),
    )


# -- mentions of the window: big accounts, keywords ------------------------------------


def _window_mentions(rule: AlertRule, start: datetime, now: datetime) -> QuerySet[Mention]:
    mentions = Mention.objects.filter(
        brand_id=rule.brand_id, published_at__gte=start, published_at__lte=now
    )
    if rule.query_id:
        mentions = mentions.filter(matches__query_id=rule.query_id)
    if rule.kind == AlertKind.INFLUENCER:
        return mentions.filter(post__author__followers__gte=rule.threshold)
    return mentions.filter(post__text__icontains=rule.keyword.strip())


def mention_rule(
    rule: AlertRule, now: datetime, mention_ids: Iterable[int] | None = None
) -> Observation | None:
    """Mentions in the window by an author above the follower threshold, or with the
    keyword. Given a batch, None unless the batch brought one (nothing to decide)."""
    start = now - rule.window_hours * HOUR
    mentions = _window_mentions(rule, start, now)
    if mention_ids is not None and not mentions.filter(id__in=list(mention_ids)).exists():
        return None
    count = mentions.count()
    zone = _zone(rule)
    window = f"the {_hours(rule.window_hours)} from {_when(start, zone)} to {_when(now, zone)}"
    if rule.kind == AlertKind.INFLUENCER:
        top = (
            mentions.select_related("post__author")
            .order_by("-post__author__followers", "-published_at")
            .first()
        )
        followers = (top.post.author.followers or 0) if top and top.post.author else 0
        who = f"@{top.post.author.handle}" if top and top.post.author else "nobody"
        observed = float(followers)
        sentence = (
            f"{_num(count)} mention{'s' if count != 1 else ''} of {_scope(rule)} by authors "
            f"with at least {_num(rule.threshold)} followers in {window}; the biggest, "
            f"{who}, has {_num(followers)} followers. No baseline: any such author counts."
        )
        link = _link(rule, start, now)
    else:
        observed = float(count)
        sentence = (
            f"{_num(count)} mention{'s' if count != 1 else ''} of {_scope(rule)} said "
            f"“{rule.keyword.strip()}” in {window}; the threshold is "
            f"{_num(rule.min_count)}. No baseline: every mention saying it counts."
        )
        link = _link(rule, start, now, q=rule.keyword.strip())
    return Observation(
        holds=count >= rule.min_count,
        observed=observed,
        threshold=rule.threshold if rule.kind == AlertKind.INFLUENCER else rule.min_count,
        window_start=start,
        window_end=now,
        mention_count=count,
        explanation=sentence,
        link_params=link,
    )


# -- emerging terms --------------------------------------------------------------------


def emerging_term(rule: AlertRule, now: datetime) -> Observation:
    """Terms whose frequency in the window rose most against the baseline period. The
    condition holds while a term is above the score threshold and the minimum count;
    the alert names the strongest and lists the others (one story, one incident). Terms
    are counted per UTC day, so the window is the days it touches."""
    from listening.insights.terms import emerging_terms  # built by the insights app

    start = (now - rule.window_hours * HOUR).date()
    end = now.date()
    baseline_end = start - timedelta(days=1)
    baseline_start = start - timedelta(days=rule.baseline_days)
    terms = [
        t
        for t in emerging_terms(
            rule.brand_id,
            start=start,
            end=end,
            baseline_start=baseline_start,
            baseline_end=baseline_end,
        )
        if t.score >= rule.threshold and t.count >= rule.min_count
    ]
    terms.sort(key=lambda t: (-t.score, -t.count, t.term))
    window_start = datetime.combine(start, time.min, tzinfo=UTC)
    zone = _zone(rule)
    if window_start.astimezone(zone).utcoffset():
        # Terms are counted per UTC day: tell where those days begin in the brand's time.
        days = (
            f"the UTC day{'s' if start != end else ''} from {_when(window_start, zone)} "
            f"to {_when(now, zone)}"
        )
    else:
        days = f"{start:%d %b}" if start == end else f"{start:%d %b} to {end:%d %b}"
    observation = Observation(
        holds=bool(terms),
        observed=0.0,
        threshold=rule.threshold,
        window_start=window_start,
        window_end=now,
        mention_count=0,
        explanation=f"No term emerged on {days}.",
        baseline_start=datetime.combine(baseline_start, time.min, tzinfo=UTC),
        baseline_end=datetime.combine(baseline_end, time.max, tzinfo=UTC),
    )
    if not terms:
        return observation
    top = terms[0]
    plural = "s" if top.count != 1 else ""
    others = ", ".join(f"“{t.term}”" for t in terms[1:6])
    observation.observed = round(float(top.score), 3)
    observation.mention_count = top.count
    observation.baseline = float(top.baseline_count)
    observation.explanation = (
        f"“{top.term}” emerged: {_num(top.count)} mention{plural} on {days} against "
        f"{_num(top.baseline_count)} in the previous {_days(rule.baseline_days)} "
        f"({baseline_start:%d %b} to {baseline_end:%d %b}); score {_num(top.score, 2)}, "
        f"the threshold is {_num(rule.threshold, 2)} with at least "
        f"{_num(rule.min_count)} mentions." + (f" Also rising: {others}." if others else "")
    )
    observation.link_params = _link(rule, window_start, now, q=top.term)
    observation.link_params.pop("query", None)  # terms are counted over the whole brand
    return observation
