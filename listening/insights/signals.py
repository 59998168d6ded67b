"""Where the insights counters hear about changes, without touching the ingest path:

- the pipeline's ``on_new_mentions`` hook (runs on commit after each batch) queues one
  Celery task with the batch's mention ids;
- a mention saved with a new ``sentiment`` (``listening.services.mention_set_sentiment``)
  queues a recount of its day once the correction commits.

- phrase rules re-applied to stored mentions (``listening.signals.mentions_rescored``)
  queue a rebuild of the brand's counters.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save

from listening.models import Mention
from listening.pipeline import on_new_mentions
from listening.signals import mentions_rescored

logger = logging.getLogger(__name__)
_connected = False


def _after_batch(mention_ids: list[int]) -> None:
    from listening.insights.tasks import count_mentions

    # Never let a broker hiccup break the hooks after ours (alerts, inbox): the batch
    # is stored; ``brand_rebuild`` (or the next demo seed) counts what was missed.
    try:
        count_mentions.delay(list(mention_ids))
    except Exception:
        logger.exception("Could not queue the insights count of %d mentions", len(mention_ids))


def _after_mention_saved(sender, instance: Mention, update_fields=None, **kwargs) -> None:
    if not update_fields or "sentiment" not in update_fields:
        return
    from listening.insights.tasks import recount_mention

    pk = instance.pk
    transaction.on_commit(lambda: recount_mention.delay(pk))


def _after_rescoring(sender, brand_id: int, **kwargs) -> None:
    from listening.insights.tasks import rebuild_brand

    rebuild_brand.delay(brand_id)


def connect() -> None:
    """Register the hook and the signal once per process."""
    global _connected
    if _connected:
        return
    on_new_mentions(_after_batch)
    post_save.connect(_after_mention_saved, sender=Mention, dispatch_uid="insights-recount")
    mentions_rescored.connect(_after_rescoring, dispatch_uid="insights-rebuild")
    _connected = True
