"""The insights part of ``manage.py seed_demo``: counts the demo mentions that
listening's seed ingested into the day counters (runs after listening's).

With Celery eager (tests) the pipeline's hook has counted them already; otherwise the
tasks are queued for a worker. Counting is idempotent, so whichever runs first counts
and the other finds nothing left to do."""

from __future__ import annotations

from listening.insights import services
from listening.insights.models import CountedMention
from listening.models import Mention
from socialhub.models import Brand, User


def seed(*, brands: dict[str, Brand], actor: User, stdout) -> None:
    for brand in brands.values():
        ids = list(Mention.objects.filter(brand=brand).values_list("id", flat=True))
        counted = 0
        for start in range(0, len(ids), 5000):
            counted += services.mentions_count(mention_ids=ids[start : start + 5000])
        already = CountedMention.objects.filter(mention_id__in=ids).count() - counted
        stdout.write(f"  {brand.name}: {counted} mentions counted ({already} already were)")
