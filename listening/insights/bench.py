"""The dashboard benchmark's data and its naive twin.

``load(n, brands)`` fills the configured database with ``n`` mentions over the last 12
months for ``brands`` bench brands, brand by brand: posts, mentions and matches are
generated in Python and written with ``COPY`` on PostgreSQL (``executemany`` on
SQLite), and the rollups (hourly, day, author-day, term-day) are computed from the
same generated rows, so no pipeline runs; the author-day shortlist ranks and the
unique-authors sketches are then built from those rows (``services.authors_backfill``).

``naive_payload(brand, period)`` computes the same widgets as ``Dashboard.payload()``
by aggregating the raw mentions, matches and posts (terms by tokenizing the texts):
what the dashboard would cost without rollups.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate

from listening.insights import services
from listening.insights.models import AuthorDay, AuthorSketch, DayRollup, TermDay
from listening.insights.selectors import SENTIMENTS, Period, net_sentiment
from listening.insights.terms import TOTAL, detect_emerging, extract_terms
from listening.models import Author, Mention, MentionMatch, Post, Query, Rollup
from listening.pipeline import POST_FIELDS
from socialhub.models import Agency, Brand

AGENCY_SLUG = "bench-dashboard"
PLATFORMS = ["mastodon", "bluesky", "reddit", "hackernews", "rss"]
LANGS = ["en"] * 6 + ["de", "fr", "es", "zh"]
SENTIMENT_WEIGHTS = [0.2, 0.5, 0.3]
WORDS = [
    w
    for w in (
        "battery screen price support update delivery design camera quality service "
        "refund shipping charger warranty app login crash speed sound colour size weight "
        "store order launch review unboxing bug feature dark mode sale discount premium "
        "subscription outage fast slow broken great awful cheap expensive durable stylish "
        "comfortable noisy quiet bright heavy light smooth sticky glossy matte waterproof"
    ).split()
]
HASHTAGS = ["#deal", "#review", "#unboxing", "#fail", "#win", "#launch", "#support"]


def _db_columns(model: type[models.Model], fields: Sequence[str]) -> list[models.Field]:
    return [model._meta.get_field(f) for f in fields]


def _write(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write rows (ids included) with COPY on PostgreSQL, executemany elsewhere."""
    cols = _db_columns(model, fields)
    table = model._meta.db_table
    names = ", ".join(connection.ops.quote_name(c.column) for c in cols)
    n = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
            return n
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(cols))})"
        batch: list[list[Any]] = []
        for row in rows:
            batch.append(
                [f.get_db_prep_save(v, connection) for f, v in zip(cols, row, strict=True)]
            )
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            n += len(batch)
    return n


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1


def _reset_sequences(models_: Sequence[type[models.Model]]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )


def clear() -> None:
    """Remove a previous run's bench brands and their data."""
    brand_ids = list(Brand.objects.filter(agency__slug=AGENCY_SLUG).values_list("id", flat=True))
    with transaction.atomic(), connection.cursor() as cursor:
        if brand_ids:
            ids = ",".join(map(str, brand_ids))
            for model in (
                DayRollup,
                TermDay,
                AuthorDay,
                AuthorSketch,
                Rollup,
                MentionMatch,
                Mention,
                Query,
            ):
                cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE brand_id IN ({ids})")
        cursor.execute(
            f"DELETE FROM {Post._meta.db_table} WHERE external_id LIKE 'bench-%%' "
            "AND NOT EXISTS (SELECT 1 FROM listening_mention m WHERE m.post_id = listening_post.id)"
        )
        cursor.execute(f"DELETE FROM {Author._meta.db_table} WHERE handle LIKE 'bench-%%'")
    Brand.objects.filter(agency__slug=AGENCY_SLUG).delete()
    Agency.objects.filter(slug=AGENCY_SLUG).delete()


def existing(n: int, brands: int) -> list[Brand] | None:
    """The bench brands of an earlier load of the same size, if there are."""
    found = list(
        Brand.objects.filter(agency__slug=AGENCY_SLUG, description=f"bench n={n}").order_by("id")
    )
    return found if len(found) == brands else None


def load(
    n: int, brands: int, *, seed: int = 7, now: datetime | None = None, log=print
) -> list[Brand]:
    """Generate and write the bench data (see the module docstring)."""
    rng = random.Random(seed)
    now = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    first = now - timedelta(days=365)
    span = int((now - first).total_seconds())
    agency = Agency.objects.create(name="Bench dashboard", slug=AGENCY_SLUG)
    bench_brands = [
        Brand.objects.create(
            agency=agency,
            name=f"Bench {i:02d}",
            slug=f"bench-dash-{i:02d}",
            description=f"bench n={n}",
        )
        for i in range(brands)
    ]
    # Authors: a global pool; a few have most of the reach.
    n_authors = max(200, min(200_000, n // 20))
    author_id0 = _next_id(Author)
    authors = []
    for i in range(n_authors):
        followers = int(rng.paretovariate(1.16) * 50)
        authors.append((author_id0 + i, PLATFORMS[i % len(PLATFORMS)], followers))
    _write(
        Author,
        ["id", "platform", "handle", "name", "url", "followers", "updated_at"],
        ((pk, p, f"bench-a{pk}", "", "", fl, now) for pk, p, fl in authors),
    )
    post_id = _next_id(Post)
    mention_id = _next_id(Mention)
    match_id = _next_id(MentionMatch)
    for b_index, brand in enumerate(bench_brands):
        count = n // brands + (1 if b_index < n % brands else 0)
        word = f"brand{b_index:02d}"
        queries = [
            Query.objects.create(brand=brand, name=brand.name, kind="brand", expression=word),
            Query.objects.create(
                brand=brand,
                name=f"{brand.name} rival A",
                kind="competitor",
                expression=f"riva{b_index}",
            ),
            Query.objects.create(
                brand=brand,
                name=f"{brand.name} rival B",
                kind="competitor",
                expression=f"rivb{b_index}",
            ),
            Query.objects.create(
                brand=brand,
                name=f"{brand.name} gadget",
                kind="product",
                expression=f"gadget{b_index}",
            ),
            Query.objects.create(
                brand=brand, name=f"{brand.name} CEO", kind="person", expression=f"ceo{b_index}"
            ),
        ]
        qb, qa, qc, qp, qs = (q.pk for q in queries)
        posts, mentions, matches = [], [], []
        hourly: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
        daily: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
        author_day: dict[tuple, list] = {}
        term_day: dict[tuple, int] = defaultdict(int)
        spike_from = now - timedelta(days=6)
        for _ in range(count):
            a_pk, platform, followers = authors[
                min(int(rng.paretovariate(0.6)) - 1, n_authors - 1)
                if rng.random() < 0.3
                else rng.randrange(n_authors)
            ]
            published = first + timedelta(seconds=rng.randrange(span))
            lang = LANGS[rng.randrange(len(LANGS))]
            r = rng.random()
            sentiment = "negative" if r < 0.2 else "neutral" if r < 0.7 else "positive"
            r = rng.random()
            qids = (
                [qb]
                if r < 0.55
                else [qa]
                if r < 0.7
                else [qc]
                if r < 0.8
                else [qb, qp]
                if r < 0.92
                else [qb, qs]
            )
            words = rng.sample(WORDS, 5)
            if rng.random() < 0.2:
                words.append(HASHTAGS[rng.randrange(len(HASHTAGS))])
            if b_index == 0 and published >= spike_from and rng.random() < 0.2:
                words.append("#benchspike")
            likes, shares, replies = rng.randrange(20), rng.randrange(5), rng.randrange(5)
            engagement = likes + shares + replies
            text = f"{word} " + " ".join(words)
            posts.append(
                (
                    post_id,
                    platform,
                    f"bench-{post_id}",
                    "",
                    a_pk,
                    text,
                    lang,
                    published,
                    now,
                    likes,
                    shares,
                    replies,
                    followers,
                    sentiment,
                    0.0,
                    "{}",
                )
            )
            mentions.append(
                (
                    mention_id,
                    brand.pk,
                    post_id,
                    published,
                    platform,
                    lang,
                    sentiment,
                    0.0,
                    "model",
                    now,
                )
            )
            hour = published.replace(minute=0, second=0, microsecond=0)
            day = published.date()
            for qid in qids:
                matches.append((match_id, brand.pk, mention_id, qid))
                match_id += 1
                for key, table in (((qid, hour), hourly), ((qid, day), daily)):
                    cell = table[(*key, platform, sentiment, lang)]
                    cell[0] += 1
                    cell[1] += followers
                    cell[2] += engagement
            row = author_day.setdefault((day, a_pk), [platform, 0, 0, 0, 0, 0, 0])
            row[1] += 1
            row[2] += followers
            row[3] += engagement
            row[4 + SENTIMENTS.index(sentiment)] += 1
            found = extract_terms(text)
            for term in found:
                term_day[(day, term)] += 1
            term_day[(day, TOTAL)] += len(found)
            post_id += 1
            mention_id += 1
        with transaction.atomic():
            _write(Post, ["id", *POST_FIELDS], posts)
            _write(
                Mention,
                [
                    "id",
                    "brand",
                    "post",
                    "published_at",
                    "platform",
                    "lang",
                    "sentiment",
                    "sentiment_score",
                    "sentiment_source",
                    "created_at",
                ],
                mentions,
            )
            _write(MentionMatch, ["id", "brand", "mention", "query"], matches)
            _write(
                Rollup,
                [
                    "brand",
                    "query",
                    "hour",
                    "platform",
                    "sentiment",
                    "lang",
                    "count",
                    "reach",
                    "engagement",
                ],
                ((brand.pk, *k, *v) for k, v in hourly.items()),
            )
            _write(
                DayRollup,
                [
                    "brand",
                    "query",
                    "day",
                    "platform",
                    "sentiment",
                    "lang",
                    "count",
                    "reach",
                    "engagement",
                ],
                ((brand.pk, *k, *v) for k, v in daily.items()),
            )
            _write(
                AuthorDay,
                [
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
                ((brand.pk, *k, *v) for k, v in author_day.items()),
            )
            _write(
                TermDay,
                ["brand", "day", "term", "count"],
                ((brand.pk, *k, v) for k, v in term_day.items()),
            )
        log(f"  {brand.name}: {count} mentions, {len(matches)} matches")
    _reset_sequences([Author, Post, Mention, MentionMatch, Rollup, DayRollup, AuthorDay, TermDay])
    # The top-authors shortlist and the unique-authors sketches, from the AuthorDay rows.
    services.authors_backfill(brand_ids=[b.pk for b in bench_brands])
    analyze()
    return bench_brands


def analyze() -> None:
    """PostgreSQL: VACUUM ANALYZE the bench tables (fresh statistics; VACUUM sets the
    visibility map for index-only scans; plain ANALYZE inside a transaction)."""

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # VACUUM sets the visibility map (index-only scans); not inside a transaction.
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            for model in (
                DayRollup,
                AuthorDay,
                AuthorSketch,
                TermDay,
                Rollup,
                Mention,
                MentionMatch,
                Post,
            ):
                cursor.execute(f"{verb} {model._meta.db_table}")


# -- the naive twin ------------------------------------------------------------------------


def naive_payload(brand: Brand, period: Period) -> dict[str, Any]:
    """Every widget's figures straight from mentions, matches and posts (both periods)."""
    prev = period.previous
    current = Q(mention__published_at__gte=period.lo)
    matches = MentionMatch.objects.filter(
        brand=brand,
        mention__published_at__gte=prev.lo,
        mention__published_at__lt=period.hi,
    )
    cells = list(
        matches.values_list(
            TruncDate("mention__published_at", tzinfo=UTC), "query_id", "mention__sentiment"
        )
        .annotate(
            c=Count("id"),
            r=Sum("mention__post__reach"),
            e=Sum(
                F("mention__post__likes") + F("mention__post__shares") + F("mention__post__replies")
            ),
        )
        .order_by()
    )
    splits = list(
        matches.values_list("mention__platform", "mention__lang")
        .annotate(cur=Count("id", filter=current), prev=Count("id", filter=~current))
        .order_by()
    )
    mentions = Mention.objects.filter(
        brand=brand, published_at__gte=prev.lo, published_at__lt=period.hi
    )
    now_q = Q(published_at__gte=period.lo)
    authors = mentions.aggregate(
        cur=Count("post__author_id", distinct=True, filter=now_q),
        prev=Count("post__author_id", distinct=True, filter=~now_q),
    )
    in_period = (
        mentions.filter(now_q)
        .values("post__author_id")
        .annotate(
            reach=Sum("post__reach"),
            engagement=Sum(F("post__likes") + F("post__shares") + F("post__replies")),
            n=Count("id"),
            neg=Count("id", filter=Q(sentiment="negative")),
            pos=Count("id", filter=Q(sentiment="positive")),
        )
    )
    top_reach = list(in_period.order_by("-reach")[:10])
    top_engagement = list(in_period.order_by("-engagement")[:10])
    terms = _naive_terms(brand, period)
    totals: dict[str, int] = defaultdict(int)
    for day, _qid, sentiment, c, _r, _e in cells:
        if day >= period.start:
            totals[sentiment] += c
    return {
        "cells": len(cells),
        "splits": len(splits),
        "authors": authors,
        "top": (top_reach, top_engagement),
        "terms": terms,
        "net": net_sentiment(totals["positive"], totals["negative"]),
    }


def _naive_terms(brand: Brand, period: Period) -> list:
    prev = period.previous
    if connection.vendor == "postgresql":
        sql = """
            SELECT t.term,
                   SUM(CASE WHEN m.published_at >= %s THEN 1 ELSE 0 END) AS cur,
                   SUM(CASE WHEN m.published_at < %s THEN 1 ELSE 0 END) AS base
            FROM listening_mention m JOIN listening_post p ON p.id = m.post_id,
                 LATERAL (
                     SELECT DISTINCT x AS term
                     FROM regexp_split_to_table(lower(p.text), '[^#[:alnum:]_]+') x
                     WHERE length(x) >= 3
                 ) t
            WHERE m.brand_id = %s AND m.published_at >= %s AND m.published_at < %s
            GROUP BY t.term HAVING SUM(CASE WHEN m.published_at >= %s THEN 1 ELSE 0 END) >= 2
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [period.lo, period.lo, brand.pk, prev.lo, period.hi, period.lo])
            table = cursor.fetchall()
    else:
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        rows = Mention.objects.filter(
            brand=brand, published_at__gte=prev.lo, published_at__lt=period.hi
        ).values_list("published_at", "post__text")
        for published, text in rows.iterator(chunk_size=5000):
            i = 0 if published >= period.lo else 1
            for term in extract_terms(text):
                counts[term][i] += 1
        table = [(t, c, b) for t, (c, b) in counts.items() if c >= 2]
    total = sum(r[1] for r in table)
    base = sum(r[2] for r in table)
    top = sorted(table, key=lambda r: -r[1])[:20]
    return [top, detect_emerging(table, total, base)]


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


__all__ = ["analyze", "clear", "date", "existing", "load", "naive_payload", "p95"]
