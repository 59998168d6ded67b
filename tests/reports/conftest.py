"""Mentions of the test brand, heard through the real pipeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from listening import services
from listening.connectors.base import NormalizedPost
from listening.pipeline import forget_compiled_queries, ingest


def post(
    n: int, text: str, *, platform="reddit", lang="en", hours_ago=1, **extra
) -> NormalizedPost:
    values = {
        "author_handle": f"person{n}",
        "author_name": f"Person {n}",
        "author_followers": 1000 + n,
        "reach": 100 * n,
        "likes": n,
        "shares": 2 * n,
        "replies": 3 * n,
        **extra,
    }
    return NormalizedPost(
        platform=platform,
        external_id=f"post-{n}",
        url=f"https://example.com/p/{n}",
        text=text,
        published_at=datetime.now(UTC) - timedelta(hours=hours_ago),
        lang=lang,
        **values,
    )


@pytest.fixture
def queries(world):
    """Two queries of the brand, and phrase rules that fix the test posts' sentiment."""
    forget_compiled_queries()
    admin = world.users["admin"]
    for phrase, sentiment in (("love it", "positive"), ("broke again", "negative")):
        services.phrase_rule_create(
            actor=admin, brand=world.brand, phrase=phrase, sentiment=sentiment
        )
    brand_query = services.query_create(
        actor=admin, brand=world.brand, name="Acme brand", expression="acme OR #acme"
    )
    product = services.query_create(
        actor=admin,
        brand=world.brand,
        name="Headphones",
        kind="product",
        expression="headphones",
    )
    yield brand_query, product
    forget_compiled_queries()


def hear(world, posts) -> None:
    ingest(posts, brand_ids={world.brand.pk})
