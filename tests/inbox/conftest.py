"""Inbox fixtures: a brand query, posts through the real pipeline, items from its hook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from listening import services as listening_services
from listening.connectors.base import NormalizedPost
from listening.inbox.models import InboxItem
from listening.pipeline import forget_compiled_queries, ingest

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def post(n: int, text: str, *, hours_ago: float = 1, reach: int = 100, platform="reddit"):
    return NormalizedPost(
        platform=platform,
        external_id=f"inbox-{n}",
        url=f"https://example.com/p/{n}",
        text=text,
        published_at=datetime.now(UTC) - timedelta(hours=hours_ago),
        author_handle=f"person{n}",
        author_name=f"Person {n}",
        author_followers=reach,
        lang="en",
        reach=reach,
    )


@pytest.fixture
def queries(world):
    """A brand query and a competitor query (not monitored by default); phrase rules fix
    the sentiment of the test posts."""
    forget_compiled_queries()
    admin = world.users["admin"]
    for phrase, sentiment in (("love it", "positive"), ("broke again", "negative")):
        listening_services.phrase_rule_create(
            actor=admin, brand=world.brand, phrase=phrase, sentiment=sentiment
        )
    brand_query = listening_services.query_create(
        actor=admin, brand=world.brand, name="Acme", kind="brand", expression="acme"
    )
    competitor = listening_services.query_create(
        actor=admin, brand=world.brand, name="Globex", kind="competitor", expression="globex"
    )
    return brand_query, competitor


@pytest.fixture
def feed(world, queries, committed):
    """ingest(posts) through the pipeline with its on-commit hooks run."""

    def run(posts):
        with committed():
            return ingest(posts, brand_ids={world.brand.pk})

    return run


@pytest.fixture
def items(world, feed):
    """Four items: a far-reaching negative question, a negative one, a positive one and
    a quiet neutral one."""
    feed(
        [
            post(1, "acme broke again, how do I get a refund?", reach=500_000, hours_ago=2),
            post(2, "acme broke again", reach=50, hours_ago=3),
            post(3, "acme headphones, love it", reach=10_000, hours_ago=4),
            post(4, "saw an acme ad", reach=10, hours_ago=5, platform="mastodon"),
        ]
    )
    return list(InboxItem.objects.filter(brand=world.brand).order_by("mention__post__external_id"))
