"""Insights background work: counting each ingest batch into the day counters."""

from __future__ import annotations

from celery import shared_task

from listening.insights import services


@shared_task(name="insights.count_mentions")
def count_mentions(mention_ids: list[int]) -> int:
    """Count a committed batch's new mentions (takes ids, reads them in one query)."""
    return services.mentions_count(mention_ids=mention_ids)


@shared_task(name="insights.recount_mention")
def recount_mention(mention_id: int) -> None:
    """Bring the day counters in line after a hand sentiment correction."""
    services.mention_recount(mention_id=mention_id)


@shared_task(name="insights.rebuild_brand")
def rebuild_brand(brand_id: int) -> int:
    """Recount every insights counter of a brand (after a bulk re-scoring)."""
    from listening.insights.services import brand_rebuild

    return brand_rebuild(brand_id=brand_id)
