"""Background work of the influencers app: the daily health check, and linking new
listening Authors to the directory's profiles after each ingest batch."""

from __future__ import annotations

from celery import shared_task

from influencers import health, services
from influencers.models import Relationship
from listening.models import Mention


@shared_task(name="influencers.health_check_brand")
def health_check_brand(brand_id: int) -> int:
    """Check the health of every relationship of one brand; returns alerts raised."""
    return health.brand_health_check(brand_id=brand_id)


@shared_task(name="influencers.health_check_all")
def health_check_all() -> int:
    """Beat (daily): queue a health check of each active brand with relationships."""
    brand_ids = list(
        Relationship.objects.filter(brand__archived_at__isnull=True)
        .values_list("brand_id", flat=True)
        .distinct()
    )
    for brand_id in brand_ids:
        health_check_brand.delay(brand_id)
    return len(brand_ids)


@shared_task(name="influencers.link_authors")
def link_authors(mention_ids: list[int]) -> int:
    """After an ingest batch: link unlinked profiles to the batch's authors."""
    author_ids = set(
        Mention.objects.filter(pk__in=mention_ids, post__author__isnull=False).values_list(
            "post__author_id", flat=True
        )
    )
    return services.profiles_link_authors(author_ids=author_ids) if author_ids else 0


@shared_task(name="influencers.match_collaborations")
def match_collaborations(mention_ids: list[int]) -> int:
    """After an ingest batch: match the collaborations' content to the new mentions."""
    return services.collaborations_match_mentions(mention_ids=mention_ids)
