"""A hand-built brand for the dashboard: four queries, phrase rules that fix every
post's sentiment, and posts in a 10-day period and the 10 days before it, ingested
through the pipeline (the insights counters are fed by its on-commit hook)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from listening import pipeline, services
from listening.connectors.base import NormalizedPost
from listening.models import Query

START, END = date(2026, 1, 1), date(2026, 1, 10)  # previous period: Dec 22 – Dec 31

# (count, text, author, followers, platform, lang, when)
POSTS = [
    (6, "acme love it", "alice", 1000, "mastodon", "en", datetime(2026, 1, 2, 10, tzinfo=UTC)),
    (2, "acme hate it", "bob", 10, "bluesky", "en", datetime(2026, 1, 3, 10, tzinfo=UTC)),
    (2, "acme meh", "carol", 5, "mastodon", "de", datetime(2026, 1, 4, 10, tzinfo=UTC)),
    (8, "acme meh #acmecap", "erin", 1, "mastodon", "en", datetime(2026, 1, 9, 10, tzinfo=UTC)),
    (4, "globex love it", "dave", 100, "mastodon", "en", datetime(2026, 1, 5, 10, tzinfo=UTC)),
    (2, "bottle love it", "frank", 2, "reddit", "en", datetime(2026, 1, 6, 10, tzinfo=UTC)),
    (1, "jane roe hate it", "gina", 3, "mastodon", "en", datetime(2026, 1, 6, 11, tzinfo=UTC)),
    # The previous period.
    (3, "acme love it", "alice", 1000, "mastodon", "en", datetime(2025, 12, 24, 9, tzinfo=UTC)),
    (3, "acme hate it", "bob", 10, "bluesky", "en", datetime(2025, 12, 25, 9, tzinfo=UTC)),
    (4, "globex meh", "dave", 100, "mastodon", "en", datetime(2025, 12, 26, 9, tzinfo=UTC)),
]


@dataclass
class Fixture:
    brand: object
    queries: dict[str, Query]


@pytest.fixture(autouse=True)
def _fresh_matcher():
    pipeline.forget_compiled_queries()
    yield
    pipeline.forget_compiled_queries()


def make_posts(prefix: str, rows=POSTS, copies: int = 1) -> list[NormalizedPost]:
    posts = []
    for r, (count, text, author, followers, platform, lang, when) in enumerate(rows):
        for i in range(count * copies):
            posts.append(
                NormalizedPost(
                    platform=platform,
                    external_id=f"{prefix}-{r}-{i}",
                    url=f"https://social.example/{prefix}/{r}/{i}",
                    text=text,
                    published_at=when,
                    author_handle=author,
                    author_followers=followers,
                    lang=lang,
                    likes=1,
                )
            )
    return posts


def build(world, committed, *, brand=None, copies: int = 1, prefix: str = "p") -> Fixture:
    brand = brand or world.brand
    actor = world.users["admin"]
    specs = [
        ("Acme", Query.Kind.BRAND, "acme"),
        ("Globex", Query.Kind.COMPETITOR, "globex"),
        ("Bottle", Query.Kind.PRODUCT, "bottle"),
        ("Jane Roe", Query.Kind.PERSON, '"jane roe"'),
    ]
    queries = {
        name: services.query_create(
            actor=actor, brand=brand, name=name, kind=kind, expression=expression
        )
        for name, kind, expression in specs
    }
    for phrase, sentiment in (("love", "positive"), ("hate", "negative"), ("meh", "neutral")):
        services.phrase_rule_create(actor=actor, brand=brand, phrase=phrase, sentiment=sentiment)
    pipeline.forget_compiled_queries()
    with committed():
        pipeline.ingest(make_posts(prefix, copies=copies), brand_ids={brand.pk})
    return Fixture(brand, queries)


@pytest.fixture
def acme(world, committed) -> Fixture:
    return build(world, committed)
