"""Background work of the listening app: polling sources on schedule.

Fetch tasks take ids, hold a per-source lease (one fetch at a time per source), are
acknowledged late and rejected if their worker dies (so another worker runs them again),
and write idempotently, so a task run twice or cut short loses and duplicates nothing.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta

from celery import shared_task
from django.db import OperationalError
from django.db.models import Q

from listening import services
from listening.connectors import CONNECTORS
from listening.http import FetchError, HttpClient
from listening.models import Source
from listening.pipeline import ingest_batches, run_after_ingest_hooks

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
BATCH = 500


def _now() -> datetime:
    return datetime.now(UTC)


@shared_task(name="listening.poll_due_sources")
def poll_due_sources() -> int:
    """Queue a fetch for every active source whose next poll is due (beat: every minute)."""
    now = _now()
    due = list(
        Source.objects.filter(
            is_active=True,
            kind__in=list(CONNECTORS),
            next_poll_at__lte=now,
            brand__archived_at__isnull=True,
        )
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .values_list("id", flat=True)
    )
    for source_id in due:
        fetch_source.delay(source_id)
    return len(due)


def acquire_lease(source_id: int) -> bool:
    """Take the source's lease if nobody holds it (one UPDATE, safe across processes)."""
    now = _now()
    return bool(
        Source.objects.filter(pk=source_id)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + LEASE)
    )


def release_lease(source_id: int) -> None:
    Source.objects.filter(pk=source_id).update(lease_until=None)


@shared_task(
    name="listening.fetch_source",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=3,
)
def fetch_source(self, source_id: int) -> dict[str, int] | None:
    """Fetch one source, run what it returned through the pipeline, save the cursor.

    The cursor moves only after the posts are stored, so a fetch cut short is fetched
    again; the pipeline's idempotent writes make that harmless.
    """
    source = Source.objects.filter(pk=source_id, is_active=True).first()
    if source is None or source.kind not in CONNECTORS:
        return None
    if not acquire_lease(source_id):
        logger.info("Source %s is being fetched by another worker; skipping.", source_id)
        return None
    try:
        connector = CONNECTORS[source.kind]
        with HttpClient() as client:
            result = connector.fetch(source.config, source.cursor, client)
        chunks = (result.posts[i : i + BATCH] for i in range(0, len(result.posts), BATCH))
        stored = sum(r.new_mentions for r in ingest_batches(chunks))
        services.source_record_success(
            source_id=source_id, cursor=result.cursor, fetched=len(result.posts)
        )
        return {"fetched": len(result.posts), "new_mentions": stored}
    except FetchError as exc:
        # The source's own problem (bad address, 404, blocked host): recorded, no retry;
        # the schedule backs off.
        services.source_record_failure(source_id=source_id, error=str(exc))
        return None
    except OperationalError as exc:
        # The database blinked: try again soon, with jitter.
        if self.request.retries < self.max_retries:
            release_lease(source_id)
            countdown = 2 ** (self.request.retries + 2) + random.uniform(0, 3)
            raise self.retry(exc=exc, countdown=countdown) from exc
        services.source_record_failure(source_id=source_id, error=f"Database error: {exc}")
        return None
    except Exception as exc:  # a connector bug must not kill the schedule
        logger.exception("Fetching source %s failed", source_id)
        services.source_record_failure(
            source_id=source_id, error=f"Unexpected error ({type(exc).__name__}): {exc}"
        )
        return None
    finally:
        release_lease(source_id)


@shared_task(name="listening.after_ingest")
def after_ingest(mention_ids: list[int]) -> int:
    """A committed batch's new mentions, handed to every app that listens for them."""
    run_after_ingest_hooks(mention_ids)
    return len(mention_ids)


# Registers listening.import_file and listening.ingest_posts.
from listening import import_tasks, ingest_tasks  # noqa: E402, F401
