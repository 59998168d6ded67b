"""Reads of the brand dashboard: every widget from the rollups, never the mentions.

``dashboard(brand, start=, end=, filters=)`` returns a ``Dashboard``; each widget is a
cached property that runs its own (few, fixed) queries, so the page, the API (one
widget) and the exports read only what they show:

- ``DayRollup`` (day × query × platform × sentiment × language) for volume, sentiment,
  share of voice, reach/engagement, platform and language splits, product/person
  sentiment; ``listening.Rollup`` (hourly) only for the volume chart of short ranges;
- ``AuthorSketch`` for unique authors (≈: merged HyperLogLog sketches of the days) and
  the shortlisted ``AuthorDay`` rows for top authors (see ``Dashboard._authors``);
  ``TermDay`` for top and emerging terms.

Figures count matches: a mention heard by two of the selected queries counts once per
query (as in the hourly rollup). Headline figures are over the selected queries, or,
with none selected, over every query except competitors. Authors and terms are counted
once per mention and follow the platform filter only (they have no query, language or
sentiment dimension). Every figure comes with the previous period of equal length.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import Sum
from django.urls import reverse
from django.utils.http import urlencode

from listening.inbox.selectors import InboxMetrics, inbox_metrics
from listening.insights import sketch
from listening.insights.models import AuthorDay, AuthorSketch, DayRollup
from listening.insights.terms import EmergingTerm, detect_emerging, term_counts
from listening.models import Author, Query, Rollup, Sentiment
from listening.reports.selectors import brand_zone
from socialhub.models import Brand

MAX_DAYS = 366
PRESETS = (7, 30, 90)
SENTIMENTS = ("negative", "neutral", "positive")
TOP = 10
# Top-author candidates per measure taken from the days' shortlists (then ranked exactly).
CANDIDATES = 30


# -- inputs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the dashboard is narrowed to; empty means everything."""

    queries: tuple[int, ...] = ()
    platforms: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    sentiments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Period:
    """Whole UTC days, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> Period:
        """The period of equal length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    @property
    def lo(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def hi(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)


def _now() -> datetime:
    return datetime.now(UTC)


def brand_today(brand: Brand, *, now: datetime | None = None) -> date:
    """The date it is now where the brand is (its time zone): the "today" its presets
    end with. Rollups stay in UTC days; only the user-facing boundaries move."""
    return (now or _now()).astimezone(brand_zone(brand)).date()


def preset_period(days: int, *, today: date | None = None) -> Period:
    """The last ``days`` days, today included."""
    today = today or datetime.now(UTC).date()
    return Period(today - timedelta(days=days - 1), today)


def bucket_for(period: Period) -> str:
    """hour up to 3 days, day up to 92 days, week beyond."""
    if period.days <= 3:
        return "hour"
    if period.days <= 92:
        return "day"
    return "week"


# -- outputs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A number and the same number over the previous period."""

    value: float | int | None
    previous: float | int | None

    @property
    def change(self) -> float | None:
        """Relative change in percent (None when the previous value is 0 or unknown)."""
        if self.value is None or not self.previous:
            return None
        return round((self.value - self.previous) * 100.0 / abs(self.previous), 1)

    @property
    def delta(self) -> float | int | None:
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, 3)

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "previous": self.previous, "change": self.change}


@dataclass
class Series:
    label: str
    data: list[int | float]
    query_id: int | None = None
    kind: str = ""


@dataclass
class Timeline:
    """A chart over time: bucket labels and one or more series."""

    bucket: str
    labels: list[str]
    series: list[Series]
    # Per label, the (start, end) dates a drill-down opens.
    ranges: list[tuple[date, date]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "labels": self.labels,
            "series": [
                {"label": s.label, "query": s.query_id, "kind": s.kind, "data": s.data}
                for s in self.series
            ],
        }


@dataclass
class Split:
    """Counts per key (platform, language, sentiment) with the previous period's."""

    rows: list[tuple[str, str, Figure]]  # key, label, count

    def as_dict(self) -> list[dict[str, Any]]:
        return [{"key": k, "label": label, **f.as_dict()} for k, label, f in self.rows]


@dataclass
class TopAuthor:
    author_id: int
    handle: str
    name: str
    platform: str
    url: str
    mentions: int
    reach: int
    engagement: int
    negative: int
    neutral: int
    positive: int

    @property
    def sentiment(self) -> str:
        """The author's leaning toward the brand: net of positive and negative."""
        if self.positive > self.negative:
            return "positive"
        if self.negative > self.positive:
            return "negative"
        return "neutral"

    def as_dict(self) -> dict[str, Any]:
        return {
            "author": self.author_id,
            "handle": self.handle,
            "name": self.name,
            "platform": self.platform,
            "url": self.url,
            "mentions": self.mentions,
            "reach": self.reach,
            "engagement": self.engagement,
            "sentiment": self.sentiment,
            "negative": self.negative,
            "neutral": self.neutral,
            "positive": self.positive,
        }


@dataclass
class QuerySentiment:
    query_id: int
    name: str
    kind: str
    counts: dict[str, int]
    net: Figure
    mentions: Figure

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query_id,
            "name": self.name,
            "kind": self.kind,
            **self.counts,
            "net_sentiment": self.net.as_dict(),
            "mentions": self.mentions.as_dict(),
        }


def net_sentiment(pos: int, neg: int) -> float | None:
    """(positive − negative) / (positive + negative) × 100, or None without either."""
    return round((pos - neg) * 100.0 / (pos + neg), 1) if pos + neg else None


def neg_pos_ratio(pos: int, neg: int) -> float | None:
    """Negative mentions per positive one (0.2: negatives are a fifth of positives)."""
    return round(neg / pos, 3) if pos else None


def _pct(part: int, whole: int) -> float | None:
    return round(part * 100.0 / whole, 1) if whole else None


# -- the dashboard -----------------------------------------------------------------------


class Dashboard:
    """Every widget of a brand's dashboard for a period and filters (lazy, cached)."""

    WIDGETS = (
        "summary",
        "volume",
        "sentiment",
        "share_of_voice",
        "reach",
        "authors",
        "platforms",
        "languages",
        "top_authors",
        "terms",
        "query_sentiment",
        "inbox",
    )

    def __init__(
        self, brand: Brand, period: Period, filters: Filters, queries: list[Query] | None = None
    ):
        if queries is not None:
            self.__dict__["queries"] = {q.pk: (q.name, q.kind) for q in queries}
        self.brand = brand
        self.period = period
        self.filters = filters
        self.bucket = bucket_for(period)

    # -- shared reads (one query each) --------------------------------------------------

    @cached_property
    def queries(self) -> dict[int, tuple[str, str]]:
        """The brand's queries: id → (name, kind), in display order."""
        return {
            pk: (name, kind)
            for pk, name, kind in Query.objects.filter(brand=self.brand)
            .order_by("kind", "name")
            .values_list("id", "name", "kind")
        }

    @property
    def headline_queries(self) -> set[int]:
        if self.filters.queries:
            return set(self.filters.queries)
        return {pk for pk, (_, kind) in self.queries.items() if kind != Query.Kind.COMPETITOR}

    def _where(self) -> tuple[str, list[Any]]:
        """The day rollup's WHERE for both periods and the filters (raw SQL: these two
        reads are the dashboard's hottest, and plain tuples skip the ORM's converters)."""
        f = self.filters
        sql = "brand_id = %s AND day >= %s AND day <= %s"
        params: list[Any] = [self.brand.pk, self.period.previous.start, self.period.end]
        for column, values in (
            ("query_id", f.queries),
            ("platform", f.platforms),
            ("lang", f.languages),
            ("sentiment", f.sentiments),
        ):
            if values:
                sql += f" AND {column} IN ({', '.join(['%s'] * len(values))})"
                params += list(values)
        return sql, params

    def _read(self, sql: str, params: list[Any]) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    @cached_property
    def _cells(self) -> list[tuple[date, int, str, int, int, int]]:
        """(day, query, sentiment, count, reach, engagement) over both periods: the one
        read behind volume, sentiment, share of voice, reach and per-query sentiment."""
        where, params = self._where()
        # One row per (day, query) with each sentiment's sums side by side: the rows come
        # off the unique index already in (day, query) order, so PostgreSQL aggregates
        # them as they stream, with no sort or hash of the tens of thousands it reads.
        sums = ", ".join(
            f"CAST(SUM({column}) FILTER (WHERE sentiment = '{sentiment}') AS BIGINT)"
            for sentiment in SENTIMENTS
            for column in ("count", "reach", "engagement")
        )
        rows = self._read(
            f"SELECT day, query_id, {sums} FROM {DayRollup._meta.db_table} "
            f"WHERE {where} GROUP BY day, query_id",
            params,
        )
        days: dict[Any, date] = {}
        out = []
        for day, qid, *figures in rows:
            if day not in days:
                days[day] = day if isinstance(day, date) else date.fromisoformat(day)
            for i, sentiment in enumerate(SENTIMENTS):
                c, r, e = figures[3 * i : 3 * i + 3]
                if c is not None:
                    out.append((days[day], qid, sentiment, c, r, e))
        return out

    def _in(self, day: date) -> bool:
        return day >= self.period.start

    @cached_property
    def _totals(self) -> dict[str, dict[str, int]]:
        """Headline sums per period: count, reach, engagement and per sentiment."""
        out = {"cur": defaultdict(int), "prev": defaultdict(int)}
        heads = self.headline_queries
        for day, qid, sentiment, c, r, e in self._cells:
            if qid not in heads:
                continue
            t = out["cur" if self._in(day) else "prev"]
            t["count"] += c
            t["reach"] += r
            t["engagement"] += e
            t[sentiment] += c
        return out

    # -- buckets --------------------------------------------------------------------------

    def _bucket_key(self, day: date) -> date:
        if self.bucket == "week":
            return day - timedelta(days=day.weekday())
        return day

    @cached_property
    def _day_buckets(self) -> list[date]:
        keys: list[date] = []
        day = self.period.start
        while day <= self.period.end:
            key = self._bucket_key(day)
            if not keys or keys[-1] != key:
                keys.append(key)
            day += timedelta(days=1)
        return keys

    @property
    def _day_bucket(self) -> str:
        """Trends other than the volume come from day cells: by day for short ranges."""
        return "day" if self.bucket == "hour" else self.bucket

    def _ranges(self, hourly: bool = False) -> list[tuple[date, date]]:
        if hourly:
            return [(h.date(), h.date()) for h in self._hours]
        out = []
        for key in self._day_buckets:
            lo = max(key, self.period.start)
            hi = min(key + timedelta(days=6 if self.bucket == "week" else 0), self.period.end)
            out.append((lo, hi))
        return out

    @cached_property
    def _hours(self) -> list[datetime]:
        return [self.period.lo + timedelta(hours=i) for i in range(self.period.days * 24)]

    def _labels(self, hourly: bool = False) -> list[str]:
        if hourly:
            return [h.strftime("%Y-%m-%d %H:00") for h in self._hours]
        return [d.isoformat() for d in self._day_buckets]

    def _timeline(self, key_of, values, label_of) -> Timeline:
        """Build a timeline from day cells: key_of(qid, sentiment) → series key or None."""
        index = {k: i for i, k in enumerate(self._day_buckets)}
        series: dict[Any, list] = {}
        for day, qid, sentiment, c, r, e in self._cells:
            if not self._in(day):
                continue
            key = key_of(qid, sentiment)
            if key is None:
                continue
            data = series.setdefault(key, [0] * len(index))
            data[index[self._bucket_key(day)]] += values(c, r, e)
        return Timeline(
            self._day_bucket,
            self._labels(),
            [label_of(k, v) for k, v in series.items()],
            self._ranges(),
        )

    # -- widgets --------------------------------------------------------------------------

    @cached_property
    def summary(self) -> dict[str, Figure]:
        """Headline figures with the previous period."""
        cur, prev = self._totals["cur"], self._totals["prev"]
        return {
            "mentions": Figure(cur["count"], prev["count"]),
            "reach": Figure(cur["reach"], prev["reach"]),
            "engagement": Figure(cur["engagement"], prev["engagement"]),
            "net_sentiment": Figure(
                net_sentiment(cur["positive"], cur["negative"]),
                net_sentiment(prev["positive"], prev["negative"]),
            ),
            "neg_pos_ratio": Figure(
                neg_pos_ratio(cur["positive"], cur["negative"]),
                neg_pos_ratio(prev["positive"], prev["negative"]),
            ),
            "unique_authors": self.authors,
            "share_of_voice": self.share_of_voice["brand_share"],
        }

    @cached_property
    def volume(self) -> Timeline:
        """Mentions per bucket of the headline queries, with each competitor overlaid."""
        heads = self.headline_queries
        competitors = [
            pk
            for pk, (_, kind) in self.queries.items()
            if kind == Query.Kind.COMPETITOR
            and pk not in heads
            and (not self.filters.queries or pk in self.filters.queries)
        ]
        # Competitors are overlaid unless the chosen queries exclude them.
        if self.filters.queries:
            competitors = []

        def key_of(qid, _sentiment):
            if qid in heads:
                return "brand"
            return qid if qid in competitors else None

        def label_of(key, data):
            if key == "brand":
                return Series(self.brand.name, data, None, "brand")
            name, kind = self.queries.get(key, (f"Query {key}", ""))
            return Series(name, data, key, kind)

        if self.bucket == "hour":
            timeline = self._hourly_volume(key_of, label_of)
        else:
            timeline = self._timeline(key_of, lambda c, r, e: c, label_of)
        if not any(s.kind == "brand" for s in timeline.series):
            timeline.series.insert(0, Series(self.brand.name, [0] * len(timeline.labels)))
            timeline.series[0].kind = "brand"
        timeline.series.sort(key=lambda s: (s.kind != "brand", s.label))
        return timeline

    def _hourly_volume(self, key_of, label_of) -> Timeline:
        f = self.filters
        qs = Rollup.objects.filter(
            brand=self.brand, hour__gte=self.period.lo, hour__lt=self.period.hi
        )
        if f.platforms:
            qs = qs.filter(platform__in=f.platforms)
        if f.languages:
            qs = qs.filter(lang__in=f.languages)
        if f.sentiments:
            qs = qs.filter(sentiment__in=f.sentiments)
        index = {h: i for i, h in enumerate(self._hours)}
        series: dict[Any, list] = {}
        for hour, qid, c in qs.values_list("hour", "query_id").annotate(c=Sum("count")).order_by():
            key = key_of(qid, None)
            if key is None:
                continue
            data = series.setdefault(key, [0] * len(index))
            i = index.get(hour.astimezone(UTC))
            if i is not None:
                data[i] += c
        return Timeline(
            "hour",
            self._labels(hourly=True),
            [label_of(k, v) for k, v in series.items()],
            self._ranges(hourly=True),
        )

    @cached_property
    def sentiment(self) -> dict[str, Any]:
        """Split, trend, net sentiment and the negative-to-positive ratio."""
        cur, prev = self._totals["cur"], self._totals["prev"]
        heads = self.headline_queries
        split = Split([(s, Sentiment(s).label, Figure(cur[s], prev[s])) for s in SENTIMENTS])
        trend = self._timeline(
            lambda qid, s: s if qid in heads else None,
            lambda c, r, e: c,
            lambda k, v: Series(Sentiment(k).label, v, None, k),
        )
        trend.series.sort(key=lambda s: SENTIMENTS.index(s.kind))
        summary = self.summary
        return {
            "split": split,
            "trend": trend,
            "net_sentiment": summary["net_sentiment"],
            "neg_pos_ratio": summary["neg_pos_ratio"],
            "negative_share": Figure(
                _pct(cur["negative"], cur["count"]), _pct(prev["negative"], prev["count"])
            ),
        }

    @cached_property
    def share_of_voice(self) -> dict[str, Any]:
        """The brand's queries (kind brand) against each competitor query."""
        kinds = {pk: kind for pk, (_, kind) in self.queries.items()}
        wanted = {
            pk
            for pk, kind in kinds.items()
            if kind in (Query.Kind.BRAND, Query.Kind.COMPETITOR)
            and (not self.filters.queries or pk in self.filters.queries)
        }

        def key_of(qid, _s):
            if qid not in wanted:
                return None
            return "brand" if kinds[qid] == Query.Kind.BRAND else qid

        cur: dict[Any, int] = defaultdict(int)
        prev: dict[Any, int] = defaultdict(int)
        for day, qid, _s, c, _r, _e in self._cells:
            key = key_of(qid, None)
            if key is not None:
                (cur if self._in(day) else prev)[key] += c
        total_cur, total_prev = sum(cur.values()), sum(prev.values())
        keys = ["brand"] + [k for k in sorted(set(cur) | set(prev), key=str) if k != "brand"]
        rows = []
        for key in keys:
            name = self.brand.name if key == "brand" else self.queries[key][0]
            rows.append(
                (
                    str(key),
                    name,
                    Figure(_pct(cur[key], total_cur), _pct(prev[key], total_prev)),
                    Figure(cur[key], prev[key]),
                )
            )
        counts = self._timeline(
            key_of,
            lambda c, r, e: c,
            lambda k, v: Series(
                self.brand.name if k == "brand" else self.queries[k][0],
                v,
                None if k == "brand" else k,
                "brand" if k == "brand" else "competitor",
            ),
        )
        totals = [sum(col) for col in zip(*(s.data for s in counts.series), strict=True)]
        for s in counts.series:
            s.data = [
                round(v * 100.0 / t, 1) if t else 0 for v, t in zip(s.data, totals, strict=True)
            ]
        counts.series.sort(key=lambda s: (s.kind != "brand", s.label))
        return {
            "rows": rows,
            "brand_share": rows[0][2],
            "trend": counts,
        }

    @cached_property
    def reach(self) -> dict[str, Any]:
        """Reach and engagement totals and trends (headline queries)."""
        heads = self.headline_queries
        trend = self._timeline(
            lambda qid, s: "reach" if qid in heads else None,
            lambda c, r, e: r,
            lambda k, v: Series("Reach", v, None, "reach"),
        )
        engagement = self._timeline(
            lambda qid, s: "engagement" if qid in heads else None,
            lambda c, r, e: e,
            lambda k, v: Series("Engagement", v, None, "engagement"),
        )
        trend.series += engagement.series
        return {
            "reach": self.summary["reach"],
            "engagement": self.summary["engagement"],
            "trend": trend,
        }

    @cached_property
    def authors(self) -> Figure:
        """Unique authors (≈: merged HyperLogLog sketches of the period's days, ~1.6 %
        standard error, near exact below a few thousand authors)."""
        return self._authors["unique"]

    def _platform_sql(self, column: str = "platform") -> tuple[str, list[str]]:
        if not self.filters.platforms:
            return "", []
        marks = ", ".join(["%s"] * len(self.filters.platforms))
        return f" AND {column} IN ({marks})", list(self.filters.platforms)

    @cached_property
    def _authors(self) -> dict[str, Any]:
        """Unique authors of both periods, and the top authors of this one, in three
        reads, none of them one row per author per day:

        1. the sketches of both periods' days (``AuthorSketch``: a row per day and
           platform), merged per period;
        2. the candidates: authors on the days' shortlists (``AuthorDay`` rows ranked
           within the top ``AuthorDay.SHORTLIST`` of their day by reach or engagement —
           among all platforms, or within their platform under a platform filter),
           the best ``CANDIDATES`` by their shortlisted reach and by engagement;
        3. the candidates' exact period figures and names (by the author index), from
           which the top ``TOP`` are ranked.

        The ranking is exact unless an author who was never on a day's shortlist (or
        whose shortlisted days leave them outside the candidates) would still reach the
        period's top ``TOP`` — a long tail of days each just below the day's top 50 —
        which the tests show does not happen on realistic data. The figures shown are
        exact."""
        start, end = self.period.start, self.period.end
        platforms, platform_params = self._platform_sql()
        rows = self._read(
            f"SELECT day >= %s, sketch FROM {AuthorSketch._meta.db_table} "
            f"WHERE brand_id = %s AND day >= %s AND day <= %s{platforms}",
            [start, self.brand.pk, self.period.previous.start, end, *platform_params],
        )
        unique = Figure(
            sketch.count(s for cur, s in rows if cur),
            sketch.count(s for cur, s in rows if not cur),
        )
        rank = "platform_rank" if self.filters.platforms else "top_rank"
        k = CANDIDATES
        candidates = self._read(
            f"""
            WITH a AS (
                SELECT author_id, SUM(reach) AS r, SUM(engagement) AS e
                FROM {AuthorDay._meta.db_table}
                WHERE brand_id = %s AND day >= %s AND day <= %s
                  AND {rank} IS NOT NULL{platforms}
                GROUP BY author_id
            )
            SELECT author_id FROM (
                SELECT author_id FROM a ORDER BY r DESC, author_id LIMIT {k}
            ) tr
            UNION
            SELECT author_id FROM (
                SELECT author_id FROM a ORDER BY e DESC, author_id LIMIT {k}
            ) te
            """,
            [self.brand.pk, start, end, *platform_params],
        )
        figures: list[TopAuthor] = []
        if candidates:
            ids = sorted(pk for (pk,) in candidates)
            day_platforms, _ = self._platform_sql("d.platform")
            sums = (
                "SUM(d.count), SUM(d.reach), SUM(d.engagement), "
                "SUM(d.negative), SUM(d.neutral), SUM(d.positive)"
            )
            where = f"d.brand_id = %s AND d.day >= %s AND d.day <= %s{day_platforms}"
            if connection.vendor == "postgresql":
                # One short range of the (author, brand, day) index per candidate (a
                # plain IN lets the planner scan the whole period by (brand, day)).
                sql = f"""
                    SELECT a.id, a.handle, a.name, a.platform, a.url, f.*
                    FROM unnest(%s::bigint[]) AS c(id)
                    JOIN {Author._meta.db_table} a ON a.id = c.id
                    CROSS JOIN LATERAL (
                        SELECT {sums} FROM {AuthorDay._meta.db_table} d
                        WHERE d.author_id = c.id AND {where}
                    ) f
                """
                params = [ids, self.brand.pk, start, end, *platform_params]
            else:
                sql = f"""
                    SELECT a.id, a.handle, a.name, a.platform, a.url, {sums}
                    FROM {AuthorDay._meta.db_table} d
                    JOIN {Author._meta.db_table} a ON a.id = d.author_id
                    WHERE d.author_id IN ({", ".join(["%s"] * len(ids))}) AND {where}
                    GROUP BY a.id, a.handle, a.name, a.platform, a.url
                """
                params = [*ids, self.brand.pk, start, end, *platform_params]
            rows = self._read(sql, params)
            figures = [
                TopAuthor(pk, handle, name, platform, url, *(int(n or 0) for n in numbers))
                for pk, handle, name, platform, url, *numbers in rows
            ]
        return {
            "unique": unique,
            "by_reach": sorted(figures, key=lambda a: (-a.reach, a.author_id))[:TOP],
            "by_engagement": sorted(figures, key=lambda a: (-a.engagement, a.author_id))[:TOP],
        }

    @cached_property
    def _splits(self) -> list[tuple[str, str, int, int]]:
        """(platform, language, in this period?, count) of the headline queries."""
        heads = sorted(self.headline_queries)
        if not heads:
            return []
        where, params = self._where()
        rows = self._read(
            "SELECT platform, lang, CASE WHEN day >= %s THEN 1 ELSE 0 END AS cur, "
            f"CAST(SUM(count) AS BIGINT) FROM {DayRollup._meta.db_table} WHERE {where} "
            f"AND query_id IN ({', '.join(['%s'] * len(heads))}) GROUP BY platform, lang, 3",
            [self.period.start, *params, *heads],
        )
        return rows

    def _split(self, index: int, label) -> Split:
        cur: dict[str, int] = defaultdict(int)
        prev: dict[str, int] = defaultdict(int)
        for row in self._splits:
            (cur if row[2] else prev)[row[index]] += row[3]
        keys = sorted(set(cur) | set(prev), key=lambda k: (-cur[k], k))
        return Split([(k, label(k), Figure(cur[k], prev[k])) for k in keys])

    @cached_property
    def platforms(self) -> Split:
        from listening.models import Platform

        labels = dict(Platform.choices)
        return self._split(0, lambda k: labels.get(k, k))

    @cached_property
    def languages(self) -> Split:
        return self._split(1, lambda k: k)

    @cached_property
    def top_authors(self) -> dict[str, list[TopAuthor]]:
        """Top authors by reach and by engagement, with their sentiment split."""
        return {k: self._authors[k] for k in ("by_reach", "by_engagement")}

    @cached_property
    def terms(self) -> dict[str, list]:
        """Top terms (with the previous period's count) and emerging terms."""
        prev = self.period.previous
        table, total, base_total = term_counts(
            self.brand.pk,
            start=self.period.start,
            end=self.period.end,
            baseline_start=prev.start,
            baseline_end=prev.end,
            min_count=2,
        )
        top = sorted(table, key=lambda t: (-t[1], t[0]))[: TOP * 2]
        emerging: list[EmergingTerm] = detect_emerging(table, total, base_total, limit=TOP)
        return {
            "top": [(term, Figure(cur, base)) for term, cur, base in top],
            "emerging": emerging,
        }

    @cached_property
    def query_sentiment(self) -> list[QuerySentiment]:
        """Sentiment per product and person query."""
        wanted = [
            pk
            for pk, (_, kind) in self.queries.items()
            if kind in (Query.Kind.PRODUCT, Query.Kind.PERSON)
            and (not self.filters.queries or pk in self.filters.queries)
        ]
        cur: dict[int, dict[str, int]] = {pk: defaultdict(int) for pk in wanted}
        prev: dict[int, dict[str, int]] = {pk: defaultdict(int) for pk in wanted}
        for day, qid, sentiment, c, _r, _e in self._cells:
            if qid in cur:
                (cur if self._in(day) else prev)[qid][sentiment] += c
        out = []
        for pk in wanted:
            name, kind = self.queries[pk]
            c, p = cur[pk], prev[pk]
            out.append(
                QuerySentiment(
                    pk,
                    name,
                    kind,
                    {s: c[s] for s in SENTIMENTS},
                    Figure(
                        net_sentiment(c["positive"], c["negative"]),
                        net_sentiment(p["positive"], p["negative"]),
                    ),
                    Figure(sum(c.values()), sum(p.values())),
                )
            )
        return out

    @cached_property
    def inbox(self) -> InboxMetrics:
        """The monitoring inbox's response metrics for the period's items (median first
        response, share answered within the brand's SLA) and the open backlog by age
        now: the inbox page's own selector, over the same UTC days as the rollups (four
        queries, however many items)."""
        return inbox_metrics(
            self.brand,
            start=self.period.lo,
            end=datetime.combine(self.period.end, time.max, tzinfo=UTC),
        )

    @property
    def inbox_url(self) -> str:
        """The inbox with every item of the period (its metrics match this widget's)."""
        url = reverse("inbox:item_list", kwargs={"brand_slug": self.brand.slug})
        params = {"start": self.period.start, "end": self.period.end, "status": "all"}
        return f"{url}?{urlencode({k: str(v) for k, v in params.items()})}"

    # -- state ------------------------------------------------------------------------------

    @property
    def is_empty(self) -> bool:
        """Nothing heard in either period (after filters)."""
        return not self._cells

    # -- drill-down --------------------------------------------------------------------------

    def mentions_url(self, **params: Any) -> str:
        """The mention stream with the dashboard's period (or ``start``/``end``) and a
        filter: query, platform, sentiment, lang."""
        base = {"days": "", "start": self.period.start, "end": self.period.end}
        f = self.filters
        if len(f.queries) == 1:
            base["query"] = f.queries[0]
        if len(f.platforms) == 1:
            base["platform"] = f.platforms[0]
        if len(f.languages) == 1:
            base["lang"] = f.languages[0]
        if len(f.sentiments) == 1:
            base["sentiment"] = f.sentiments[0]
        base.update({k: v for k, v in params.items() if v is not None})
        url = reverse("listening:mention_list", kwargs={"brand_slug": self.brand.slug})
        return f"{url}?{urlencode({k: str(v) for k, v in base.items()})}"

    # -- exports ----------------------------------------------------------------------------

    def tables(self) -> dict[str, tuple[list[str], list[list[Any]]]]:
        """Every widget as a named (header, rows) table for CSV/XLSX export."""
        tables: dict[str, tuple[list[str], list[list[Any]]]] = {}
        s = self.summary
        tables["summary"] = (
            ["figure", "value", "previous", "change_pct"],
            [[name, f.value, f.previous, f.change] for name, f in s.items()],
        )
        tables["volume"] = _timeline_table(self.volume)
        tables["sentiment"] = (
            ["sentiment", "mentions", "previous", "change_pct"],
            [
                [label, f.value, f.previous, f.change]
                for _, label, f in self.sentiment["split"].rows
            ],
        )
        tables["sentiment_trend"] = _timeline_table(self.sentiment["trend"])
        tables["share_of_voice"] = (
            ["name", "share_pct", "previous_share_pct", "mentions", "previous_mentions"],
            [
                [name, share.value, share.previous, count.value, count.previous]
                for _, name, share, count in self.share_of_voice["rows"]
            ],
        )
        tables["share_of_voice_trend"] = _timeline_table(self.share_of_voice["trend"])
        tables["reach"] = _timeline_table(self.reach["trend"])
        tables["platforms"] = _split_table("platform", self.platforms)
        tables["languages"] = _split_table("language", self.languages)
        for key in ("by_reach", "by_engagement"):
            tables[f"top_authors_{key}"] = (
                [
                    "handle",
                    "platform",
                    "mentions",
                    "reach",
                    "engagement",
                    "sentiment",
                    "negative",
                    "neutral",
                    "positive",
                ],
                [
                    [
                        a.handle,
                        a.platform,
                        a.mentions,
                        a.reach,
                        a.engagement,
                        a.sentiment,
                        a.negative,
                        a.neutral,
                        a.positive,
                    ]
                    for a in self.top_authors[key]
                ],
            )
        tables["top_terms"] = (
            ["term", "count", "previous", "change_pct"],
            [[t, f.value, f.previous, f.change] for t, f in self.terms["top"]],
        )
        tables["emerging_terms"] = (
            ["term", "count", "baseline_count", "score"],
            [[t.term, t.count, t.baseline_count, t.score] for t in self.terms["emerging"]],
        )
        tables["query_sentiment"] = (
            ["query", "kind", "negative", "neutral", "positive", "net_sentiment", "previous_net"],
            [
                [
                    q.name,
                    q.kind,
                    q.counts["negative"],
                    q.counts["neutral"],
                    q.counts["positive"],
                    q.net.value,
                    q.net.previous,
                ]
                for q in self.query_sentiment
            ],
        )
        inbox = self.inbox
        tables["inbox"] = (
            ["figure", "value"],
            [
                ["items", inbox.items],
                ["answered", inbox.responded],
                ["median_first_response_seconds", inbox.median_response_seconds],
                ["sla_minutes", inbox.sla_minutes],
                ["answered_within_sla", inbox.within_sla],
                ["missed_sla", inbox.missed_sla],
                ["open_now", inbox.open_items],
            ]
            + [[f"open_{b.key}", b.count] for b in inbox.backlog],
        )
        return tables

    def payload(self) -> dict[str, Any]:
        """Every widget as JSON-ready data (the API's and the benchmark's payload)."""
        return {name: widget_json(self, name) for name in self.WIDGETS}


def _timeline_table(t: Timeline) -> tuple[list[str], list[list[Any]]]:
    header = [t.bucket] + [s.label for s in t.series]
    rows = [[label] + [s.data[i] for s in t.series] for i, label in enumerate(t.labels)]
    return header, rows


def _split_table(name: str, split: Split) -> tuple[list[str], list[list[Any]]]:
    return (
        [name, "mentions", "previous", "change_pct"],
        [[label, f.value, f.previous, f.change] for _, label, f in split.rows],
    )


def widget_json(d: Dashboard, name: str) -> Any:
    """One widget as JSON-ready data."""
    if name == "summary":
        return {k: f.as_dict() for k, f in d.summary.items()}
    if name == "volume":
        return d.volume.as_dict()
    if name == "sentiment":
        s = d.sentiment
        return {
            "split": s["split"].as_dict(),
            "trend": s["trend"].as_dict(),
            "net_sentiment": s["net_sentiment"].as_dict(),
            "neg_pos_ratio": s["neg_pos_ratio"].as_dict(),
            "negative_share": s["negative_share"].as_dict(),
        }
    if name == "share_of_voice":
        s = d.share_of_voice
        return {
            "rows": [
                {"key": k, "name": n, "share": sh.as_dict(), "mentions": c.as_dict()}
                for k, n, sh, c in s["rows"]
            ],
            "trend": s["trend"].as_dict(),
        }
    if name == "reach":
        r = d.reach
        return {
            "reach": r["reach"].as_dict(),
            "engagement": r["engagement"].as_dict(),
            "trend": r["trend"].as_dict(),
        }
    if name == "authors":
        # Estimated from per-day sketches (HyperLogLog, ~1.6 % standard error).
        return {"unique_authors": {**d.authors.as_dict(), "approximate": True}}
    if name in ("platforms", "languages"):
        return getattr(d, name).as_dict()
    if name == "top_authors":
        return {k: [a.as_dict() for a in v] for k, v in d.top_authors.items()}
    if name == "terms":
        t = d.terms
        return {
            "top": [{"term": term, **f.as_dict()} for term, f in t["top"]],
            "emerging": [
                {
                    "term": e.term,
                    "count": e.count,
                    "baseline_count": e.baseline_count,
                    "score": e.score,
                }
                for e in t["emerging"]
            ],
        }
    if name == "query_sentiment":
        return [q.as_dict() for q in d.query_sentiment]
    if name == "inbox":
        m = d.inbox
        return {
            "items": m.items,
            "responded": m.responded,
            "median_first_response_seconds": m.median_response_seconds,
            "sla_minutes": m.sla_minutes,
            "within_sla": m.within_sla,
            "missed_sla": m.missed_sla,
            "sla_share": None if m.sla_share is None else round(m.sla_share * 100.0, 1),
            "open_items": m.open_items,
            "backlog": [{"key": b.key, "label": b.label, "count": b.count} for b in m.backlog],
        }
    raise KeyError(name)


def dashboard(
    brand: Brand,
    *,
    start: date,
    end: date,
    filters: Filters | None = None,
    queries: list[Query] | None = None,
) -> Dashboard:
    """A brand's dashboard for [start, end] (UTC days, inclusive). Raises ValueError
    for an end before the start or a range over a year (forms check it first).
    ``queries``: the brand's queries if the caller has read them already."""
    if end < start:
        raise ValueError("The end comes before the start.")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValueError(f"Choose a range of at most {MAX_DAYS} days.")
    return Dashboard(brand, Period(start, end), filters or Filters(), queries)


def brand_queries(brand: Brand) -> list[Query]:
    """The brand's queries (active or not) for the filter bar."""
    return list(Query.objects.filter(brand=brand).order_by("kind", "name"))


__all__ = [
    "Dashboard",
    "Figure",
    "Filters",
    "Period",
    "brand_today",
    "bucket_for",
    "dashboard",
    "preset_period",
]
