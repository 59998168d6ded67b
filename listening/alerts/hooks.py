"""Where alerts hear about new mentions: the pipeline's ``on_new_mentions`` hook (run on
commit after each batch) queues one evaluation task with the batch's mention ids."""

from __future__ import annotations

from listening.pipeline import on_new_mentions

_connected = False


def _after_batch(mention_ids: list[int]) -> None:
    from listening.alerts.tasks import evaluate_batch

    if mention_ids:
        evaluate_batch.delay(list(mention_ids))


def connect() -> None:
    """Register the hook once per process."""
    global _connected
    if not _connected:
        on_new_mentions(_after_batch)
        _connected = True
