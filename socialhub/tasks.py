"""Background tasks of the tenancy core."""

from __future__ import annotations

import logging
import os
import socket

from celery import shared_task
from django.db import connection
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="socialhub.tasks.health_check")
def health_check() -> dict[str, str]:
    """Prove a worker is alive and can reach the database; returns where it ran."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {
        "status": "ok",
        "worker": f"{socket.gethostname()}:{os.getpid()}",
        "at": timezone.now().isoformat(),
    }


@shared_task(name="socialhub.tasks.heartbeat")
def heartbeat() -> None:
    """Beat's periodic sign of life in the worker log."""
    logger.info("SocialHub worker heartbeat: %s", health_check())
