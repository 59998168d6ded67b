"""The inbox metrics on hand-built data: median first response, SLA share, backlog."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from listening.inbox import selectors, services
from listening.inbox.models import InboxItem
from tests.inbox.conftest import post

pytestmark = pytest.mark.django_db


@pytest.fixture
def timeline(world, feed):
    """Seven items with known ages and answers, SLA 4 hours."""
    now = datetime.now(UTC)
    ages = {"a": 10, "b": 9, "c": 8, "d": 5, "e": 0.5, "f": 20 * 24, "g": 2 * 24}
    feed([post(n, f"acme item {key}", hours_ago=h) for n, (key, h) in enumerate(ages.items())])
    items = {i.mention.post.text[-1]: i for i in InboxItem.objects.filter(brand=world.brand)}
    analyst = world.users["analyst"]
    for key, minutes in (("a", 30), ("b", 120), ("c", 360)):  # c is late: 6 h > 4 h
        item = items[key]
        services.item_reply(
            actor=analyst,
            item=item,
            text="Thanks!",
            at=item.published_at + timedelta(minutes=minutes),
        )
    services.items_set_status(actor=analyst, items=[items["f"]], status="closed")
    services.items_set_status(actor=analyst, items=[items["g"]], status="needs_reply")
    return now, items


def test_it_gives_the_median_first_response_time(world, timeline):
    now, _ = timeline
    metrics = selectors.inbox_metrics(world.brand, start=now - timedelta(days=7), end=now, now=now)

    assert metrics.items == 6  # f is older than the period
    assert metrics.responded == 3
    assert metrics.median_response_seconds == 2 * 3600
    assert metrics.median_display == "2 h"


def test_it_counts_late_answers_and_overdue_open_items_as_sla_misses(world, timeline):
    now, _ = timeline
    metrics = selectors.inbox_metrics(world.brand, start=now - timedelta(days=7), end=now, now=now)

    # Within: a, b. Missed: c (answered late), d and g (open past 4 h). e is not due yet.
    assert (metrics.within_sla, metrics.missed_sla) == (2, 3)
    assert metrics.sla_share == pytest.approx(0.4)
    assert metrics.sla_percent == "40%"


def test_the_sla_is_the_brands_own(world, timeline):
    now, _ = timeline
    services.settings_update(
        actor=world.users["manager"],
        brand=world.brand,
        sla_minutes=8 * 60,
        monitor_default_kinds=True,
    )
    metrics = selectors.inbox_metrics(world.brand, start=now - timedelta(days=7), end=now, now=now)

    # With 8 hours, c was in time and d is not due yet; g still missed.
    assert (metrics.within_sla, metrics.missed_sla) == (3, 1)


def test_it_buckets_the_open_backlog_by_age(world, timeline):
    now, _ = timeline
    metrics = selectors.inbox_metrics(world.brand, start=now - timedelta(days=1), end=now, now=now)

    assert {b.key: b.count for b in metrics.backlog} == {
        "lt_1h": 1,  # e
        "1_4h": 0,
        "4_24h": 1,  # d
        "1_3d": 1,  # g: the backlog is now, whatever the period
        "3_7d": 0,
        "gt_7d": 0,
    }
    assert metrics.open_items == 3


def test_an_empty_inbox_has_no_median_and_no_share(world):
    now = datetime.now(UTC)
    metrics = selectors.inbox_metrics(world.brand, start=now - timedelta(days=7), end=now)

    assert metrics.median_response_seconds is None
    assert metrics.sla_share is None
    assert (metrics.median_display, metrics.sla_percent) == ("—", "—")
    assert metrics.sla_minutes == 240
