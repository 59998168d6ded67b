"""(Re)build the top-authors shortlist ranks and the unique-authors sketches from the
stored ``AuthorDay`` rows: once after migration 0005, or after a bulk change.

    python manage.py insights_backfill_authors [--brand ID ...]

On PostgreSQL both are computed in SQL, a brand per transaction (3M mentions' rows:
~3 minutes on the bench machine).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from listening.insights import services


class Command(BaseCommand):
    help = "Rebuild the insights top-authors shortlist and unique-authors sketches."

    def add_arguments(self, parser):
        parser.add_argument(
            "--brand", type=int, action="append", dest="brands", help="Only this brand id."
        )

    def handle(self, *args, brands=None, **options):
        started = time.perf_counter()
        done, written = services.authors_backfill(brand_ids=brands)
        self.stdout.write(
            f"{done} brands, {written} author sketches in {time.perf_counter() - started:.1f}s"
        )
