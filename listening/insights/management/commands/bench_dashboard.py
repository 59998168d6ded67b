"""Benchmark: the brand dashboard from rollups against a naive aggregation.

    python manage.py bench_dashboard --mentions 200000 [--brands 20] [--runs 5]
    python manage.py bench_dashboard --mentions 200000 --reuse [--backfill]

Fills the configured database with N mentions over 12 months for the bench brands
(``listening.insights.bench.load``: COPY on PostgreSQL, rollups computed from the
generated rows), then times the full dashboard payload (every widget, last 90 days)
for each brand × runs, through the rollups and naively over the raw mentions, and
ends with one line:

    p95_ms=NN naive_p95_ms=NNNN speedup=NN mentions=N
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand

from listening.insights import bench, services
from listening.insights.selectors import Period, dashboard


class Command(BaseCommand):
    help = "Time the dashboard payload through rollups and naively over raw mentions."

    def add_arguments(self, parser):
        parser.add_argument("--mentions", type=int, default=200_000)
        parser.add_argument("--brands", type=int, default=20)
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument(
            "--naive-runs", type=int, default=None, help="Runs of the naive path (default: --runs)."
        )
        parser.add_argument(
            "--reuse", action="store_true", help="Keep the data of an earlier load of this size."
        )
        parser.add_argument(
            "--backfill",
            action="store_true",
            help="With --reuse: rebuild the top-authors shortlist and unique-authors "
            "sketches of the reused brands from their AuthorDay rows (after a migration).",
        )

    def handle(self, *args, mentions, brands, runs, naive_runs, reuse, backfill, **options):
        log = self.stdout.write
        brand_list = bench.existing(mentions, brands) if reuse else None
        if brand_list is None:
            bench.clear()
            started = time.perf_counter()
            brand_list = bench.load(mentions, brands, log=log)
            log(f"loaded {mentions} mentions in {time.perf_counter() - started:.1f}s")
        elif backfill:
            started = time.perf_counter()
            _, written = services.authors_backfill(brand_ids=[b.pk for b in brand_list])
            bench.analyze()
            log(f"backfilled {written} author sketches in {time.perf_counter() - started:.1f}s")
        today = datetime.now(UTC).date()
        period = Period(today - timedelta(days=89), today)
        fast, naive = [], []
        for _ in range(runs):
            for brand in brand_list:
                started = time.perf_counter()
                dashboard(brand, start=period.start, end=period.end).payload()
                fast.append((time.perf_counter() - started) * 1000)
        for _ in range(runs if naive_runs is None else naive_runs):
            for brand in brand_list:
                started = time.perf_counter()
                bench.naive_payload(brand, period)
                naive.append((time.perf_counter() - started) * 1000)
        p95, naive_p95 = bench.p95(fast), bench.p95(naive)
        log(
            f"rollups: {len(fast)} payloads, median {statistics.median(fast):.0f} ms; "
            f"naive: {len(naive)} payloads, median {statistics.median(naive):.0f} ms"
        )
        speedup = naive_p95 / p95 if p95 else 0
        log(
            f"p95_ms={p95:.0f} naive_p95_ms={naive_p95:.0f} speedup={speedup:.0f} "
            f"mentions={mentions}"
        )
