"""Background work of the reports app: the weekly digest (beat runs the check hourly)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from celery import shared_task

from listening.reports import selectors, services
from socialhub.models import Brand


def _now() -> datetime:
    return datetime.now(UTC)


@shared_task(name="reports.send_due_digests")
def send_due_digests() -> int:
    """Queue the digest of every brand where it is Monday 07:00 or later (brand-local)
    and someone is subscribed (beat: hourly). Safe to run any number of times: each
    person is sent a week's digest at most once."""
    due = selectors.digest_due_brands(_now())
    for brand_id, week_of in due:
        send_brand_digest.delay(brand_id, week_of.isoformat())
    return len(due)


@shared_task(name="reports.send_brand_digest")
def send_brand_digest(brand_id: int, week_of: str) -> int:
    """Send one brand's digest of the week of ``week_of`` (a Monday, ISO date)."""
    brand = Brand.objects.active().filter(pk=brand_id).first()
    if brand is None:
        return 0
    return services.digest_send_week(brand=brand, week_of=date.fromisoformat(week_of))
