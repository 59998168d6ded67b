"""The file import task: a confirmed ImportJob's file, imported by a worker.

Acknowledged late and rejected if its worker dies, so another worker runs it again;
the pipeline's idempotent writes make a second run store nothing twice.
"""

from __future__ import annotations

import logging
import random

from celery import shared_task
from django.db import OperationalError

from listening import services

logger = logging.getLogger(__name__)


@shared_task(
    name="listening.import_file",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=3,
)
def import_file(self, job_id: int) -> dict[str, int] | None:
    """Import one ImportJob's file; its counts are saved on the job as it goes."""
    try:
        job = services.import_job_run(job_id=job_id)
    except OperationalError as exc:
        # The database blinked: try again soon (the run starts over; nothing is stored twice).
        if self.request.retries < self.max_retries:
            countdown = 2 ** (self.request.retries + 2) + random.uniform(0, 3)
            raise self.retry(exc=exc, countdown=countdown) from exc
        services.import_job_fail(job_id=job_id, error=f"Database error: {exc}")
        return None
    except Exception as exc:  # an importer bug must fail the job, not leave it "running"
        logger.exception("Import job %s failed", job_id)
        services.import_job_fail(
            job_id=job_id, error=f"Unexpected error ({type(exc).__name__}): {exc}"
        )
        return None
    if job is None:
        return None
    return {"total": job.total or 0, "imported": job.imported, "invalid": job.invalid}
