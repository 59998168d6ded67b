"""Benchmark: export N mentions as CSV and XLSX, the way the export pages do.

    python manage.py bench_export --rows 1000000

Fills a throwaway brand with N mentions (bulk inserts, not the pipeline), exports them
through the same code as /b/<slug>/mentions/export.csv and .xlsx, once timed and once
under tracemalloc (which slows Python down, so it is not timed), then removes the data
(unless --keep). Ends with one line:

    rows=N csv_rows_per_s=NNNN csv_peak_mb=X.X xlsx_rows_per_s=NNNN xlsx_peak_mb=X.X db=sqlite

Peak memory is Python's own allocations during the export: it stays flat as N grows.
"""

from __future__ import annotations

import random
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings

from listening.models import Author, Mention, MentionMatch, Post, Query
from listening.reports import exports, selectors
from socialhub.models import Agency, Brand

BATCH = 5000
WORDS = (
    "acme headphones battery love broke again support order refund great terrible app "
    "update price shipping fast slow noise cancelling =SUM(A1) @everyone +1 -- café 東京 ура"
).split()


class Command(BaseCommand):
    help = "Measure the mention export (CSV and XLSX): rows per second and peak memory."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--format", choices=["csv", "xlsx", "both"], default="both")
        parser.add_argument("--keep", action="store_true", help="Keep the data afterwards.")

    def handle(self, *args, **options):
        rows, which = options["rows"], options["format"]
        if rows < 1:
            raise CommandError("--rows must be at least 1.")
        started = time.perf_counter()
        brand, prefix = self._fill(rows)
        self.stdout.write(f"filled {rows} mentions in {time.perf_counter() - started:.1f}s")
        results: dict[str, str] = {}
        try:
            zone = selectors.brand_zone(brand)
            mentions = selectors.mention_export(Mention.objects.filter(brand=brand), {"days": "90"})
            runs: dict[str, Callable[[], int]] = {
                "csv": lambda: self._csv(mentions, zone),
                "xlsx": lambda: self._xlsx(mentions, zone),
            }
            for name, run in runs.items():
                if which not in (name, "both"):
                    continue
                # As in production: with DEBUG on, Django keeps the last 9,000 queries'
                # SQL, which would be counted as the export's memory.
                with override_settings(DEBUG=False):
                    t0 = time.perf_counter()
                    exported = run()
                    elapsed = time.perf_counter() - t0
                    if exported != rows:
                        raise CommandError(f"{name} exported {exported} rows, expected {rows}.")
                    tracemalloc.start()
                    run()
                    _, peak = tracemalloc.get_traced_memory()
                    tracemalloc.stop()
                self.stdout.write(f"{name}: {exported} rows in {elapsed:.1f}s")
                results[f"{name}_rows_per_s"] = f"{exported / elapsed:.0f}"
                results[f"{name}_peak_mb"] = f"{peak / 1_048_576:.1f}"
        finally:
            if not options["keep"]:
                self._remove(brand, prefix)
        summary = " ".join(f"{k}={v}" for k, v in results.items())
        self.stdout.write(f"rows={rows} {summary} db={connection.vendor}")

    def _csv(self, mentions, zone) -> int:
        exported = 0

        def counted(rows):
            nonlocal exported
            for row in rows:
                exported += 1
                yield row

        rows = counted(selectors.mention_export_rows(mentions))
        for chunk in exports.csv_chunks(rows, zone, selectors.EXPORT_CHUNK_SIZE):
            chunk.encode()  # what a response does with each chunk before sending it on
        return exported

    def _xlsx(self, mentions, zone) -> int:
        with tempfile.TemporaryFile(suffix=".xlsx") as out:
            return exports.write_xlsx(selectors.mention_export_rows(mentions), zone, out)

    @transaction.atomic
    def _fill(self, rows: int) -> tuple[Brand, str]:
        prefix = f"bench-export-{uuid.uuid4().hex[:8]}"
        agency = Agency.objects.create(name=prefix, slug=prefix)
        brand = Brand.objects.create(
            agency=agency, name=prefix, slug=prefix, timezone="Europe/Paris"
        )
        queries = [
            Query.objects.create(brand=brand, name=f"Query {i}", expression=f"acme{i}")
            for i in range(3)
        ]
        authors = Author.objects.bulk_create(
            Author(platform="reddit", handle=f"{prefix}-{i}", name=f"Person {i}", followers=i * 37)
            for i in range(1000)
        )
        rng = random.Random(7)
        now = datetime.now(UTC)
        for start in range(0, rows, BATCH):
            size = min(BATCH, rows - start)
            posts = Post.objects.bulk_create(
                Post(
                    platform="reddit",
                    external_id=f"{prefix}-{start + i}",
                    url=f"https://example.com/{prefix}/{start + i}",
                    author=authors[(start + i) % len(authors)],
                    text=" ".join(rng.choices(WORDS, k=rng.randint(8, 40))),
                    lang="en",
                    published_at=now - timedelta(minutes=(start + i) % (80 * 24 * 60)),
                    reach=rng.randint(0, 100_000),
                    likes=rng.randint(0, 500),
                    shares=rng.randint(0, 100),
                    replies=rng.randint(0, 50),
                    sentiment="neutral",
                )
                for i in range(size)
            )
            mentions = Mention.objects.bulk_create(
                Mention(
                    brand=brand,
                    post=post,
                    published_at=post.published_at,
                    platform=post.platform,
                    lang=post.lang,
                    sentiment=rng.choice(("negative", "neutral", "positive")),
                    sentiment_score=rng.uniform(-1, 1),
                )
                for post in posts
            )
            MentionMatch.objects.bulk_create(
                MentionMatch(brand=brand, mention=m, query=queries[i % len(queries)])
                for i, m in enumerate(mentions)
            )
        return brand, prefix

    @transaction.atomic
    def _remove(self, brand: Brand, prefix: str) -> None:
        # Set-based deletes: the ORM's collector would load every row first.
        tables = {m: m._meta.db_table for m in (MentionMatch, Mention, Post, Author)}
        with connection.cursor() as cursor:
            for model in (MentionMatch, Mention):
                cursor.execute(f"DELETE FROM {tables[model]} WHERE brand_id = %s", [brand.pk])
            cursor.execute(f"DELETE FROM {tables[Post]} WHERE external_id LIKE %s", [f"{prefix}-%"])
            cursor.execute(f"DELETE FROM {tables[Author]} WHERE handle LIKE %s", [f"{prefix}-%"])
        agency = brand.agency
        brand.delete()
        agency.delete()
