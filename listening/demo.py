"""Realistic generated posts for the demo and the benchmarks (never for tests of
behaviour: those use recorded real responses)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from listening.connectors.base import NormalizedPost

EN = [
    "Just got my new {b} headphones and the sound is amazing, best purchase this year",
    "{b} customer support kept me on hold for an hour. Never again.",
    "Anyone else having trouble with the {b} app after the update? It keeps crashing",
    "Comparing {b} and {c} for my studio setup, {c} is cheaper but {b} sounds better",
    "Love how {b} handled the recall, quick refund and a nice note #{t}",
    "The new {b} cap on the bottle cut my thumb, that edge is sharp!! #{t}",
    "{b} just announced a partnership with {c}, interesting move",
    "Honestly {b} quality has gone downhill, my third broken charger this year",
    "Shoutout to @{h} for the {b} review, very helpful",
    "Is {b} worth it? Looking at reviews before I buy",
    "Terrible experience with {b} delivery, package arrived damaged",
    "{b} event tonight was great fun, thanks for the invite #{t}",
    "Interview with {b} CEO {p} about where the company goes next",
    "{p} from {b} on stage today, not convinced by the roadmap",
    "The {b} noise cancelling is the best feature I have tried",
    "{b} battery life is disappointing, barely lasts a day",
]
ZH = [
    "{b}的新耳机音质真的很好，推荐！",
    "{b}客服太差了，等了一个小时没人理",
    "刚买的{b}音箱坏了，很失望",
    "{b}和{c}哪个更值得买？",
    "{b}的新品发布会很精彩 #{t}",
]
RU = [
    "Купил наушники {b}, звук отличный, очень доволен",
    "Поддержка {b} ужасная, жду ответа уже неделю",
    "Кто-нибудь сравнивал {b} и {c}? Что лучше?",
    "Новая крышка {b} порезала палец, осторожно",
    "{b} снова подняли цены, это уже слишком",
]
PLATFORMS = ["mastodon", "bluesky", "reddit", "hackernews", "rss"]
HANDLES = [
    "techreviewer",
    "audiophile_jane",
    "mike_on_music",
    "studio_sam",
    "gadgetgirl",
    "bargainhunter",
    "newsdesk",
    "daily_tech",
    "lena_k",
    "ivan_petrov",
    "wang_li",
    "soundcheck",
    "the_verge_fan",
    "budget_buyer",
    "podcast_pete",
    "marta_writes",
]


def generate_posts(
    *,
    brands: list[tuple[str, list[str]]],
    count: int,
    days: float = 90,
    now: datetime | None = None,
    seed: int = 42,
    spike: tuple[str, float, int] | None = None,
    prefix: str = "demo",
    people: dict[str, str] | None = None,
) -> Iterator[NormalizedPost]:
    """``count`` posts about the given (brand name, competitors) pairs, spread over the
    last ``days`` days with a daily rhythm; ``spike=(term, days_ago, n)`` plants ``n``
    extra posts with a hashtag on one day (an emerging term)."""
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    for i in range(count):
        brand, competitors = rng.choice(brands)
        competitor = rng.choice(competitors) if competitors else "Globex"
        roll = rng.random()
        templates, lang = (EN, "en") if roll < 0.7 else (ZH, "zh") if roll < 0.85 else (RU, "ru")
        text = rng.choice(templates).format(
            b=brand,
            c=competitor,
            t=brand.lower() + "life",
            h=rng.choice(HANDLES),
            p=(people or {}).get(brand, "the CEO"),
        )
        # More posts in the day than at night, more recently than long ago.
        age = timedelta(days=rng.triangular(0, days, 0), hours=rng.gauss(0, 4))
        published = min(now - abs(age), now)
        yield _post(rng, prefix, i, text, lang, published)
    if spike:
        term, days_ago, n = spike
        day = now - timedelta(days=days_ago)
        for j in range(n):
            brand, _ = rng.choice(brands)
            text = f"Careful with the new {brand} bottle cap, it cut my hand #{term}"
            yield _post(
                rng, f"{prefix}-spike", j, text, "en", day + timedelta(minutes=rng.randint(0, 600))
            )


def _post(
    rng: random.Random, prefix: str, i: int, text: str, lang: str, published
) -> NormalizedPost:
    platform = rng.choice(PLATFORMS)
    handle = rng.choice(HANDLES) + str(rng.randint(1, 40))
    followers = int(rng.paretovariate(1.2) * 200)
    return NormalizedPost(
        platform=platform,
        external_id=f"{prefix}-{i}",
        url=f"https://example.org/{platform}/{prefix}-{i}",
        text=text,
        published_at=published,
        author_handle=handle,
        author_name=handle.replace("_", " ").title(),
        author_url=f"https://example.org/{platform}/@{handle}",
        author_followers=followers,
        lang=lang,
        likes=int(rng.expovariate(1 / 12)),
        shares=int(rng.expovariate(1 / 3)),
        replies=int(rng.expovariate(1 / 2)),
        reach=followers,
        raw={},
    )
