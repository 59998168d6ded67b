"""Where the calendar hears about new mentions: the pipeline's ``on_new_mentions`` hook
queues a task that links a brand's published posts to the mentions that are them (same
URL, or the same platform and id), so their engagement shows up on the calendar and in
the KPIs."""

from __future__ import annotations

import logging

from listening.pipeline import on_new_mentions

logger = logging.getLogger(__name__)
_connected = False


def _after_batch(mention_ids: list[int]) -> None:
    from campaigns.calendar import tasks

    if mention_ids:
        # In a worker task, as the inbox does: the ingest path only queues it.
        tasks.link_mentions.delay(list(mention_ids))


def connect() -> None:
    """Register the hook once per process (and the calendar's Celery tasks with it)."""
    global _connected
    if not _connected:
        from campaigns.calendar import tasks  # noqa: F401  (registers calendar.* tasks)

        on_new_mentions(_after_batch)
        _connected = True
