"""Inbox work done by a worker, off the ingest path."""

from __future__ import annotations

from celery import shared_task

from listening.inbox import services


@shared_task(name="inbox.create_items", acks_late=True, reject_on_worker_lost=True)
def create_items(mention_ids: list[int]) -> int:
    """Inbox items for a committed batch's new mentions (idempotent: safe to run twice)."""
    return services.items_create_for_mentions(mention_ids)
