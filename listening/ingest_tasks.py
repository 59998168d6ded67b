"""A batch of posts ingested by a worker, safe to cut short.

The task is acknowledged late and rejected if its worker dies, so a worker killed
mid-batch leaves the message to another worker, which runs the whole batch again; the
pipeline's idempotent writes store every post once and count it once. Sub-batches are
committed one by one, so a large batch never holds one long transaction.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from celery import shared_task
from django.core.exceptions import ValidationError

from listening.connectors.base import normalize_item
from listening.pipeline import ingest_batches

logger = logging.getLogger(__name__)

SUB_BATCH = 500
# Tests only: seconds to sleep after each committed sub-batch, so that a test can kill
# the worker between two sub-batches (tests/listening/test_worker_kill.py).
SLOW_INGEST_ENV = "SOCIALHUB_TEST_SLOW_INGEST_SECONDS"


@shared_task(name="listening.ingest_posts", acks_late=True, reject_on_worker_lost=True)
def ingest_posts(
    posts_payload: list[dict[str, Any]], brand_id: int, batch_size: int = SUB_BATCH
) -> dict[str, int]:
    """Ingest posts of the generic shape (:func:`normalize_item`) for one brand's queries;
    items that do not validate are skipped and counted."""
    posts, invalid = [], 0
    for item in posts_payload:
        try:
            posts.append(normalize_item(item))
        except ValidationError:
            invalid += 1
    pause = float(os.environ.get(SLOW_INGEST_ENV) or 0)
    size = max(1, batch_size)
    new_mentions = duplicates = 0
    chunks = (posts[start : start + size] for start in range(0, len(posts), size))
    for result in ingest_batches(chunks, brand_ids={brand_id}):
        new_mentions += result.new_mentions
        duplicates += result.outcomes.count("duplicate")
        if pause:
            time.sleep(pause)
    logger.info(
        "Ingested %d posts for brand %s: %d new mentions, %d duplicates, %d invalid",
        len(posts),
        brand_id,
        new_mentions,
        duplicates,
        invalid,
    )
    return {
        "received": len(posts_payload),
        "invalid": invalid,
        "new_mentions": new_mentions,
        "duplicates": duplicates,
    }
