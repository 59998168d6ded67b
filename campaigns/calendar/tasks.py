"""Background work of the content calendar: publishing scheduled posts.

``calendar.publish_due`` (beat, every minute) hands each due post to
``calendar.publish_post``, which is acknowledged late and idempotent: it locks the row
and does nothing unless the post is still scheduled, so a task delivered twice (or a
post edited or cancelled meanwhile) never publishes twice. For an answer lost on the way
back, Mastodon gets an Idempotency-Key and a Bluesky post is written at a record key derived
from the post, looked up before it is created (``publishing.post_record_key``).
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime

from celery import shared_task

from campaigns.calendar import publishing, selectors, services
from listening.http import HttpClient

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


@shared_task(name="calendar.publish_due")
def publish_due() -> int:
    """Queue every scheduled post whose time has come; channels SocialHub cannot
    publish to become "ready" for a person."""
    queued = 0
    now = datetime.now(UTC)
    for post_id, can_publish in selectors.due_posts(now, now - services.STALE_PUBLISHING):
        if can_publish:
            publish_post.delay(post_id)
            queued += 1
        else:
            services.post_mark_ready(post_id=post_id)
    return queued


def backoff(retries: int, retry_after: int | None = None) -> float:
    """Seconds before the next try: exponential (30 s, 60 s, 2 min …) with jitter, or
    what the server asked for if that is longer."""
    delay = 30 * 2**retries + random.uniform(0, 5)
    return max(delay, float(retry_after or 0))


@shared_task(
    name="calendar.publish_post",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def publish_post(self, post_id: int) -> str:
    """Publish one post; returns what happened ("published", "skipped", "retry",
    "failed")."""
    post = services.post_start_publishing(post_id=post_id, retrying=self.request.retries > 0)
    if post is None:
        return "skipped"
    try:
        with HttpClient() as client:
            result = publishing.publish(post, client)
    except publishing.Transient as exc:
        if self.request.retries < self.max_retries:
            services.post_record_retry(post_id=post_id, reason=str(exc))
            countdown = backoff(self.request.retries, exc.retry_after)
            raise self.retry(exc=exc, countdown=countdown) from exc
        services.post_record_failure(
            post_id=post_id, reason=f"{exc} (gave up after {self.max_retries + 1} tries)"
        )
        return "failed"
    except publishing.Permanent as exc:
        services.post_record_failure(post_id=post_id, reason=str(exc))
        return "failed"
    except Exception as exc:  # a bug must not leave the post "publishing" for ever
        logger.exception("Publishing post %s failed", post_id)
        services.post_record_failure(
            post_id=post_id, reason=f"Unexpected error ({type(exc).__name__}): {exc}"
        )
        return "failed"
    services.post_record_published(post_id=post_id, url=result.url, external_id=result.external_id)
    return "published"


@shared_task(name="calendar.link_mentions", acks_late=True)
def link_mentions(mention_ids: list[int]) -> int:
    """Link published posts to new listening mentions that are them (queued after each
    ingest batch, off the ingest path; idempotent: only unlinked posts are linked)."""
    return services.link_mentions(mention_ids)
