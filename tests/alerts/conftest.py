"""Fixtures of the alerts tests: a brand query, planted rollups and mentions at fixed times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from listening import services as listening_services
from listening.connectors.base import NormalizedPost
from listening.models import Mention
from listening.pipeline import forget_compiled_queries, ingest, rollup_increment

# Evaluations in these tests happen at a fixed moment.
NOW = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)


def hour_ago(hours: int, now: datetime = NOW) -> datetime:
    """The rollup hour ``hours`` before the one ``now`` is in."""
    return now.replace(minute=0, second=0, microsecond=0) - hours * HOUR


@pytest.fixture
def query(world):
    forget_compiled_queries()
    admin = world.users["admin"]
    for phrase, sentiment in (("love it", "positive"), ("broke again", "negative")):
        listening_services.phrase_rule_create(
            actor=admin, brand=world.brand, phrase=phrase, sentiment=sentiment
        )
    return listening_services.query_create(
        actor=admin, brand=world.brand, name="Acme brand", expression="acme OR #acme"
    )


@pytest.fixture
def plant(world, query):
    """``plant({hours_ago: count}, sentiment=...)``: mentions counted in the rollups."""

    def plant(counts: dict[int, int], *, sentiment: str = "neutral", now: datetime = NOW):
        rollup_increment(
            {
                (world.brand.pk, query.pk, hour_ago(h, now), "reddit", sentiment, "en"): [
                    n,
                    n * 10,
                    0,
                ]
                for h, n in counts.items()
            }
        )

    return plant


_n = iter(range(1, 1_000_000))


def make_post(text: str, *, at: datetime, followers: int = 100) -> NormalizedPost:
    n = next(_n)
    return NormalizedPost(
        platform="reddit",
        external_id=f"alerts-{n}",
        url=f"https://example.com/p/{n}",
        text=text,
        published_at=at,
        author_handle=f"person{n}",
        author_name=f"Person {n}",
        author_followers=followers,
        lang="en",
        reach=followers,
    )


@pytest.fixture
def hear(world, query):
    """``hear([post, ...])``: ingest posts for the brand, return their mentions."""

    def hear(posts: list[NormalizedPost], *, now: datetime = NOW) -> list[Mention]:
        result = ingest(posts, brand_ids={world.brand.pk}, now=now)
        return list(Mention.objects.filter(pk__in=result.mention_ids))

    return hear
