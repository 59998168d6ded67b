"""Background work of the alerts app: evaluation after each ingest batch and on beat."""

from __future__ import annotations

from celery import shared_task

from listening.alerts import services
from listening.alerts.models import AlertRule
from listening.models import Mention


@shared_task(name="alerts.evaluate_batch")
def evaluate_batch(mention_ids: list[int]) -> int:
    """After an ingest batch: evaluate the rules of each brand the batch reached."""
    by_brand: dict[int, list[int]] = {}
    for pk, brand_id in Mention.objects.filter(pk__in=mention_ids).values_list("pk", "brand_id"):
        by_brand.setdefault(brand_id, []).append(pk)
    fired = 0
    for brand_id, ids in by_brand.items():
        fired += len(services.brand_alerts_evaluate(brand_id=brand_id, mention_ids=ids))
    return fired


@shared_task(name="alerts.evaluate_brand")
def evaluate_brand(brand_id: int) -> int:
    """On the schedule: evaluate every active rule of one brand (clears incidents too)."""
    return len(services.brand_alerts_evaluate(brand_id=brand_id))


@shared_task(name="alerts.evaluate_all")
def evaluate_all() -> int:
    """Beat: queue an evaluation of each brand that has an active rule."""
    brand_ids = list(
        AlertRule.objects.filter(is_active=True, brand__archived_at__isnull=True)
        .values_list("brand_id", flat=True)
        .distinct()
    )
    for brand_id in brand_ids:
        evaluate_brand.delay(brand_id)
    return len(brand_ids)
