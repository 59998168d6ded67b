"""Writes of the insights counters (system writes: no actor; called from tasks).

- ``mentions_count``: a batch's new mentions → ``TermDay``/``AuthorDay`` increments and
  a ``DayRollup`` refresh of the (brand, day) pairs they fall on.
- ``day_rollup_refresh``: recompute (brand, day) pairs of ``DayRollup`` from the hourly
  ``listening.Rollup`` (overwrite, so it is idempotent and consistent with hand
  corrections, which move hourly buckets).
- ``mention_recount``: after a hand correction, refresh the mention's day and recount
  its author's row for that day from the mentions.
- ``brand_rebuild``: recompute every counter of a brand (demo, repairs).
- ``author_ranks_refresh`` / ``author_sketches_add``: the top-authors shortlist and the
  unique-authors sketches, kept with ``AuthorDay`` by ``mentions_count``;
  ``authors_backfill`` (re)builds both from existing ``AuthorDay`` rows in SQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

from listening import bulk
from listening.insights import sketch
from listening.insights.models import AuthorDay, AuthorSketch, CountedMention, DayRollup, TermDay
from listening.insights.terms import TOTAL, extract_terms
from listening.models import Mention, Rollup

SENTIMENT_INDEX = {"negative": 0, "neutral": 1, "positive": 2}
_MENTION_FIELDS = (
    "brand_id",
    "published_at",
    "platform",
    "sentiment",
    "post__text",
    "post__author_id",
    "post__reach",
    "post__likes",
    "post__shares",
    "post__replies",
)


def _day(dt: datetime) -> date:
    return dt.astimezone(UTC).date()


def _bounds(day: date) -> tuple[datetime, datetime]:
    lo = datetime.combine(day, time.min, tzinfo=UTC)
    return lo, lo + timedelta(days=1)


def day_rollup_refresh(*, pairs: Iterable[tuple[int, date]]) -> int:
    """Recompute ``DayRollup`` for (brand id, day) pairs from the hourly rollup; one
    read and one upsert per brand. Returns the number of buckets written."""
    by_brand: dict[int, set[date]] = defaultdict(set)
    for brand_id, day in pairs:
        by_brand[brand_id].add(day)
    written = 0
    for brand_id, days in sorted(by_brand.items()):
        window = Q()
        for day in days:
            lo, hi = _bounds(day)
            window |= Q(hour__gte=lo, hour__lt=hi)
        rows = (
            Rollup.objects.filter(Q(brand_id=brand_id) & window)
            .annotate(day=TruncDate("hour", tzinfo=UTC))
            .values_list("day", "query_id", "platform", "sentiment", "lang")
            .annotate(c=Sum("count"), r=Sum("reach"), e=Sum("engagement"))
            .order_by()
        )
        out = sorted((brand_id, *row) for row in rows)
        bulk.upsert(
            DayRollup,
            fields=[
                "brand",
                "day",
                "query",
                "platform",
                "sentiment",
                "lang",
                "count",
                "reach",
                "engagement",
            ],
            rows=out,
            conflict=["brand", "day", "query", "platform", "sentiment", "lang"],
            update=["count", "reach", "engagement"],
        )
        written += len(out)
    return written


@transaction.atomic
def mentions_count(*, mention_ids: list[int]) -> int:
    """Count newly stored mentions into the term and author counters and refresh the
    day rollup of their days. Idempotent: a mention already counted (``CountedMention``,
    marked in the same transaction) is skipped."""
    now = datetime.now(UTC)
    fresh = bulk.upsert(
        CountedMention,
        fields=["mention_id", "counted_at"],
        rows=[(pk, now) for pk in sorted(set(mention_ids))],
        conflict=["mention_id"],
        returning=["mention_id"],
    )
    if not fresh:
        return 0
    rows = list(
        Mention.objects.filter(pk__in=[pk for (pk,) in fresh]).values_list(*_MENTION_FIELDS)
    )
    terms: dict[tuple, int] = defaultdict(int)
    authors: dict[tuple, list[int]] = {}
    heard: dict[tuple, set[int]] = defaultdict(set)
    pairs = set()
    for brand_id, published, platform, sentiment, text, author_id, reach, lk, sh, rp in rows:
        day = _day(published)
        pairs.add((brand_id, day))
        found = extract_terms(text)
        for term in found:
            terms[(brand_id, day, term)] += 1
        terms[(brand_id, day, TOTAL)] += len(found)
        if author_id is None:
            continue
        key = (brand_id, day, author_id)
        heard[(brand_id, day, platform)].add(author_id)
        row = authors.setdefault(key, [platform, 0, 0, 0, 0, 0, 0])
        row[1] += 1
        row[2] += reach
        row[3] += lk + sh + rp
        row[4 + SENTIMENT_INDEX.get(sentiment, 1)] += 1
    _lock_author_days({(b, d) for b, d, _a in authors})
    bulk.upsert(
        TermDay,
        fields=["brand", "day", "term", "count"],
        rows=[(*key, n) for key, n in sorted(terms.items())],
        conflict=["brand", "day", "term"],
        increment=["count"],
    )
    bulk.upsert(
        AuthorDay,
        fields=[
            "brand",
            "day",
            "author",
            "platform",
            "count",
            "reach",
            "engagement",
            "negative",
            "neutral",
            "positive",
        ],
        rows=[(*key, *values) for key, values in sorted(authors.items())],
        conflict=["brand", "day", "author"],
        increment=["count", "reach", "engagement", "negative", "neutral", "positive"],
    )
    author_ranks_refresh(pairs={(b, d) for b, d, _a in authors})
    author_sketches_add(heard=heard)
    day_rollup_refresh(pairs=pairs)
    return len(rows)


def _lock_author_days(pairs: set[tuple[int, date]]) -> None:
    """PostgreSQL: serialize batches that touch the same (brand, day) — the shortlist
    re-ranking rewrites the day's rows, which two concurrent batches could otherwise
    lock in opposite orders. Transaction-level advisory locks, taken in sorted order."""
    if connection.vendor != "postgresql" or not pairs:
        return
    with connection.cursor() as cursor:
        for brand_id, day in sorted(pairs):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [brand_id, day.toordinal()])


def _rank_sql(where: str) -> str:
    """Set ``top_rank``/``platform_rank`` of the AuthorDay rows matching ``where``
    (whole brand-days): the better of the ranks by reach and by engagement (ties by
    author id) if within ``AuthorDay.SHORTLIST``, else NULL; rows that keep their ranks
    are not written. Portable SQL (PostgreSQL, SQLite)."""
    table = AuthorDay._meta.db_table
    k = int(AuthorDay.SHORTLIST)

    def best(a: str, b: str) -> str:
        low = f"(CASE WHEN {a} < {b} THEN {a} ELSE {b} END)"
        return f"CASE WHEN {low} <= {k} THEN {low} END"

    def rn(partition: str, column: str) -> str:
        return f"ROW_NUMBER() OVER (PARTITION BY {partition} ORDER BY {column} DESC, author_id)"

    return f"""
        UPDATE {table} SET top_rank = r.tr, platform_rank = r.pr
        FROM (
            SELECT id, {best("rr", "er")} AS tr, {best("prr", "per")} AS pr FROM (
                SELECT id,
                    {rn("brand_id, day", "reach")} AS rr,
                    {rn("brand_id, day", "engagement")} AS er,
                    {rn("brand_id, day, platform", "reach")} AS prr,
                    {rn("brand_id, day, platform", "engagement")} AS per
                FROM {table} WHERE {where}
            ) x
        ) r
        WHERE {table}.id = r.id
          AND (COALESCE({table}.top_rank, 0) <> COALESCE(r.tr, 0)
               OR COALESCE({table}.platform_rank, 0) <> COALESCE(r.pr, 0))
    """


def author_ranks_refresh(*, pairs: Iterable[tuple[int, date]]) -> None:
    """Recompute the shortlist ranks of (brand id, day) pairs: one UPDATE per brand."""
    by_brand: dict[int, set[date]] = defaultdict(set)
    for brand_id, day in pairs:
        by_brand[brand_id].add(day)
    with connection.cursor() as cursor:
        for brand_id, days in sorted(by_brand.items()):
            days_sql = ", ".join(["%s"] * len(days))
            cursor.execute(
                _rank_sql(f"brand_id = %s AND day IN ({days_sql})"), [brand_id, *sorted(days)]
            )


def author_sketches_add(*, heard: dict[tuple[int, date, str], set[int]]) -> None:
    """Add authors to the (brand id, day, platform) sketches: create missing rows, lock
    the touched ones (concurrent batches of the same day queue here), merge, write."""
    if not heard:
        return
    keys = sorted(heard)
    bulk.upsert(
        AuthorSketch,
        fields=["brand", "day", "platform", "sketch"],
        rows=[(*key, b"") for key in keys],
        conflict=["brand", "day", "platform"],
    )
    stored: dict[tuple, tuple] = {}
    for brand_id in sorted({b for b, _d, _p in keys}):
        # Brand × days × platforms: a superset of the keys, locked in id order.
        mine = [k for k in keys if k[0] == brand_id]
        rows = (
            AuthorSketch.objects.select_for_update()
            .filter(
                brand_id=brand_id,
                day__in=sorted({d for _b, d, _p in mine}),
                platform__in=sorted({p for _b, _d, p in mine}),
            )
            .order_by("id")
            .values_list("id", "brand_id", "day", "platform", "sketch")
        )
        stored.update({(b, d, p): (pk, data) for pk, b, d, p, data in rows})
    changed = []
    for key in keys:
        pk, data = stored[key]
        regs = sketch.add(sketch.registers(data), heard[key])
        changed.append(AuthorSketch(pk=pk, sketch=sketch.encode(regs)))
    AuthorSketch.objects.bulk_update(changed, ["sketch"], batch_size=500)


def authors_backfill(*, brand_ids: Iterable[int] | None = None) -> tuple[int, int]:
    """(Re)build the shortlist ranks and the unique-authors sketches from the stored
    ``AuthorDay`` rows (after the migration that added them, or a bulk load): on
    PostgreSQL both in SQL (sketch registers by ``sketch.REGISTERS_SQL``), elsewhere the
    sketches in Python. Returns (brands, sketches written)."""
    if brand_ids is None:
        brand_ids = AuthorDay.objects.values_list("brand_id", flat=True).distinct().order_by()
    brand_ids = sorted(set(brand_ids))
    table, sketches = AuthorDay._meta.db_table, AuthorSketch._meta.db_table
    written = 0
    for brand_id in brand_ids:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_rank_sql("brand_id = %s"), [brand_id])
            cursor.execute(f"DELETE FROM {sketches} WHERE brand_id = %s", [brand_id])
            if connection.vendor == "postgresql":
                idx, rank = (e.format(col="author_id") for e in sketch.REGISTERS_SQL)
                cursor.execute(
                    f"""
                    INSERT INTO {sketches} (brand_id, day, platform, sketch)
                    SELECT brand_id, day, platform,
                           string_agg(int2send(i::int2) || set_byte('\\x00'::bytea, 0, r),
                                      ''::bytea ORDER BY i)
                    FROM (
                        SELECT brand_id, day, platform, {idx} AS i, MAX({rank}) AS r
                        FROM {table} WHERE brand_id = %s
                        GROUP BY brand_id, day, platform, 4
                    ) reg
                    GROUP BY brand_id, day, platform
                    """,
                    [brand_id],
                )
                written += cursor.rowcount
                continue
            heard: dict[tuple, set[int]] = defaultdict(set)
            for day, platform, author_id in AuthorDay.objects.filter(brand_id=brand_id).values_list(
                "day", "platform", "author_id"
            ):
                heard[(brand_id, day, platform)].add(author_id)
            author_sketches_add(heard=heard)
            written += len(heard)
    return len(brand_ids), written


@transaction.atomic
def mention_recount(*, mention_id: int) -> None:
    """After a hand sentiment correction: the day rollup of the mention's day from the
    hourly table, and its author's row of that day from the mentions."""
    mention = (
        Mention.objects.filter(pk=mention_id)
        .values_list("brand_id", "published_at", "post__author_id")
        .first()
    )
    if mention is None:
        return
    brand_id, published, author_id = mention
    day = _day(published)
    day_rollup_refresh(pairs=[(brand_id, day)])
    if author_id is None:
        return
    lo, hi = _bounds(day)
    figures = Mention.objects.filter(
        brand_id=brand_id, published_at__gte=lo, published_at__lt=hi, post__author_id=author_id
    ).aggregate(
        negative=Count("id", filter=Q(sentiment="negative")),
        neutral=Count("id", filter=Q(sentiment="neutral")),
        positive=Count("id", filter=Q(sentiment="positive")),
    )
    AuthorDay.objects.filter(brand_id=brand_id, day=day, author_id=author_id).update(**figures)


@transaction.atomic
def brand_rebuild(*, brand_id: int) -> int:
    """Recompute every insights counter of a brand from its mentions and the hourly
    rollup (the demo seed; a repair after a bulk change). Returns mentions counted."""
    DayRollup.objects.filter(brand_id=brand_id).delete()
    TermDay.objects.filter(brand_id=brand_id).delete()
    AuthorDay.objects.filter(brand_id=brand_id).delete()
    AuthorSketch.objects.filter(brand_id=brand_id).delete()
    CountedMention.objects.filter(
        mention_id__in=Mention.objects.filter(brand_id=brand_id).values("id")
    ).delete()
    ids = list(Mention.objects.filter(brand_id=brand_id).values_list("id", flat=True))
    counted = 0
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        # The same code path as ingest: terms, authors, and the days they fall on.
        counted += mentions_count(mention_ids=chunk)
    return counted
