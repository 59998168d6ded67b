"""Influencer test data: the brand listens for "acme" (brand), "globex" (competitor) and
"bottle" (product); phrase rules fix each post's sentiment ("love" +1, "hate" −1, "meh"
0). Posts go through the pipeline, and its on-commit hooks feed the insights counters
and link directory profiles to new Authors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from influencers import services
from listening import pipeline
from listening import services as listening_services
from listening.connectors.base import NormalizedPost
from listening.models import Query

NOW = datetime.now(UTC).replace(microsecond=0)


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)


@pytest.fixture(autouse=True)
def _fresh_matcher():
    pipeline.forget_compiled_queries()
    yield
    pipeline.forget_compiled_queries()


@pytest.fixture
def listening_setup(world):
    actor = world.users["admin"]
    queries = {}
    for name, kind, expression in (
        ("Acme", Query.Kind.BRAND, "acme"),
        ("Globex", Query.Kind.COMPETITOR, "globex"),
        ("Bottle", Query.Kind.PRODUCT, "bottle"),
    ):
        queries[name] = listening_services.query_create(
            actor=actor, brand=world.brand, name=name, kind=kind, expression=expression
        )
    for phrase, sentiment in (("love", "positive"), ("hate", "negative"), ("meh", "neutral")):
        listening_services.phrase_rule_create(
            actor=actor, brand=world.brand, phrase=phrase, sentiment=sentiment
        )
    pipeline.forget_compiled_queries()
    return queries


_ids = iter(range(1, 10**6))


@pytest.fixture
def hear(world, listening_setup, committed):
    """``hear([(author, text, when), ...], followers=..., likes=..., platform=...)``:
    ingest posts into ``world.brand`` (hooks run as on a real commit)."""

    def hear(posts, *, followers=100, likes=0, reach=0, platform="mastodon"):
        batch = [
            NormalizedPost(
                platform=platform,
                external_id=f"t{next(_ids)}",
                url="",
                text=text,
                published_at=when,
                author_handle=author,
                author_name=author.title(),
                author_followers=followers if isinstance(followers, int) else followers[author],
                lang="en",
                likes=likes,
                reach=reach,
            )
            for author, text, when in posts
        ]
        with committed():
            return pipeline.ingest(batch, brand_ids={world.brand.pk})

    return hear


@pytest.fixture
def influencer(world):
    """Nina, in the agency's directory with an Instagram and a Mastodon profile."""
    return services.influencer_create(
        actor=world.users["analyst"],
        agency=world.agency,
        name="Nina Nano",
        topics=["running"],
        languages=["en"],
        tags=["vegan", "outdoor"],
        notes="Agency-only notes.",
        profiles=[
            {"platform": "instagram", "handle": "nina", "followers": 8_000},
            {"platform": "mastodon", "handle": "nina", "followers": 1_200},
        ],
    )


@pytest.fixture
def relationship(world, influencer):
    return services.relationship_open(
        actor=world.users["manager"], brand=world.brand, influencer=influencer
    )
