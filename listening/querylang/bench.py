"""Synthetic posts and queries for timing the ``Matcher`` (``manage.py bench_matcher``).

Posts are a fixed mix (60 % English, 20 % Chinese, 20 % Russian) of Zipf-distributed words,
hashtags, handles and, in about a third of posts, one of 1,500 brand names. The same posts
are used whatever the number of queries, so throughput at Q=20, 200 and 2,000 compares like
with like; queries are brand monitoring queries (names, hashtags, handles, competitors'
names, a few phrases, NEAR, NOT, wildcards, typo tolerance and language filters).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from listening.querylang.matcher import Matcher
from listening.querylang.text import MatchInput, analyze
from listening.querylang.wordlists import COMMON_EN, COMMON_RU, COMMON_ZH

SYLLABLES = "ka ri to na mi zen tro vex lo qua bri sta no vi ma ple xo ti ra del cor sun".split()
ZH_CHARS = "华为小米腾讯阿里巴京东美团滴百度联想海尔格力比亚迪蔚来理想宁德时代茅台安踏李宁"
ZH_COMMON = "的了是我你他在有不这个们中大来上国和也好手机买价格质量服务太差真不错喜欢退款快递"
RU_STEMS = "скидк покупк доставк магазин телефон заказ товар качеств цен отзыв сервис".split()
RU_ENDINGS = ["а", "и", "у", "ой", "е", "ами", "ах", ""]
EN_CONTEXT = "refund broken support scam love hate price launch review app update".split()
PLATFORMS = ["mastodon", "bluesky", "reddit", "hackernews", "rss"]


@dataclass
class BenchResult:
    queries: int
    posts: int
    cpu_seconds: float
    wall_seconds: float
    build_seconds: float
    matches: int
    matched_posts: int
    evaluated_per_post: float
    always_evaluated: int

    @property
    def posts_per_s(self) -> float:
        """Throughput in this process's CPU time (steady on a machine shared with others)."""
        return self.posts / self.cpu_seconds if self.cpu_seconds else float("inf")

    @property
    def wall_posts_per_s(self) -> float:
        return self.posts / self.wall_seconds if self.wall_seconds else float("inf")


def _brand_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(script, name) pairs: mostly Latin, some Chinese and Russian brand names."""
    names: list[tuple[str, str]] = []
    seen: set[str] = set()
    while len(names) < count:
        roll = rng.random()
        if roll < 0.7:
            name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
            script = "latin"
        elif roll < 0.85:
            name = "".join(rng.choice(ZH_CHARS) for _ in range(rng.randint(2, 3)))
            script = "zh"
        else:
            name = rng.choice("бвгдкмнпрст") + rng.choice("аоуие") + rng.choice("лмнрст")
            name += rng.choice(["екс", "ика", "он", "ар", "ис"])
            script = "ru"
        if name not in seen:
            seen.add(name)
            names.append((script, name))
    return names


def make_queries(count: int, seed: int = 7) -> list[str]:
    """``count`` monitoring queries; the first n are the same for any larger count."""
    rng = random.Random(seed)
    brands = _brand_names(random.Random(seed), 1500)
    queries = []
    for i in range(count):
        script, name = brands[i % len(brands)]
        rival = brands[(i * 7 + 3) % len(brands)][1]
        kind = rng.random()
        if script == "zh":
            if kind < 0.5:
                q = f"{name} OR #{name}"
            elif kind < 0.8:
                q = f"({name} AND (退款 OR 太差)) NOT 招聘"
            else:
                q = f"{name} NEAR/2 (手机 OR 质量) AND lang:zh"
        elif script == "ru":
            if kind < 0.5:
                q = f"({name} OR #{name}) AND скидк*"
            else:
                q = f"{name}* AND lang:ru NOT (вакансия OR работа)"
        elif kind < 0.35:
            q = f'({name} OR #{name} OR @{name} OR "{name} app") AND NOT (job OR hiring)'
        elif kind < 0.55:
            q = f"{name} NEAR/3 (refund OR broken OR scam OR {rng.choice(EN_CONTEXT)})"
        elif kind < 0.7:
            q = f"({name} OR {rival}) AND (price OR review*)"
        elif kind < 0.8:
            q = f"{name}~1 OR #{name}" if len(name) >= 4 else f"{name} OR #{name}"
        elif kind < 0.9:
            q = f'"{name} pro" OR "{name} max" OR ({name} AND launch)'
        else:
            q = f"({name} OR @{name}) AND lang:en AND NOT platform:reddit"
        queries.append(q)
    return queries


def make_posts(count: int, seed: int = 11) -> list[MatchInput]:
    rng = random.Random(seed)
    brands = _brand_names(random.Random(7), 1500)
    filler = [f"{rng.choice(SYLLABLES)}{rng.choice(SYLLABLES)}x{i}" for i in range(4000)]
    en_vocab = sorted(COMMON_EN) + EN_CONTEXT + filler
    en_weights = [1.0 / (r + 1) for r in range(len(en_vocab))]
    ru_vocab = sorted(COMMON_RU) + [s + e for s in RU_STEMS for e in RU_ENDINGS]
    ru_weights = [1.0 / (r + 1) ** 0.8 for r in range(len(ru_vocab))]
    zh_common = sorted(COMMON_ZH) + list(ZH_COMMON)
    posts = []
    for _ in range(count):
        roll = rng.random()
        brand = rng.choice(brands)[1] if rng.random() < 0.35 else None
        if roll < 0.6:
            lang = "en"
            words = rng.choices(en_vocab, en_weights, k=rng.randint(8, 40))
            if rng.random() < 0.3:
                words.append("#" + rng.choice(filler))
            if rng.random() < 0.2:
                words.insert(0, "@" + rng.choice(filler))
            text = " ".join(words).capitalize() + rng.choice([".", "!", "?", " 😀"])
        elif roll < 0.8:
            lang = "zh"
            chars = rng.choices(zh_common, k=rng.randint(10, 50))
            for cut in range(0, len(chars), rng.randint(6, 15)):
                chars[cut] += "，"
            text = "".join(chars) + "。"
        else:
            lang = "ru"
            words = rng.choices(ru_vocab, ru_weights, k=rng.randint(8, 35))
            text = " ".join(words).capitalize() + "."
        if brand:
            cut = rng.randint(0, len(text))
            prefix = rng.choice(["", "#", "@"]) if rng.random() < 0.3 else ""
            text = f"{text[:cut]} {prefix}{brand.capitalize()} {text[cut:]}"
        posts.append(
            MatchInput(
                text,
                lang=lang,
                platform=rng.choice(PLATFORMS),
                author=rng.choice(filler),
            )
        )
    return posts


def run_benchmark(
    query_count: int, post_count: int = 10_000, warmup: int = 2_000, seed: int = 7
) -> BenchResult:
    """Build a Matcher over ``query_count`` queries, warm its token cache on ``warmup`` posts
    (a worker that has been running a while), then time ``post_count`` other posts, from
    raw text to matched ids (tokenization included)."""
    queries = make_queries(query_count, seed)
    started = time.perf_counter()
    matcher = Matcher(enumerate(queries))
    build_seconds = time.perf_counter() - started
    if warmup:
        matcher.match_many(make_posts(warmup, seed=seed + 1000))
    posts = make_posts(post_count)
    wall, cpu = time.perf_counter(), time.process_time()
    results = matcher.match_many(posts)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    sample = posts[:1000]
    evaluated = sum(len(matcher.candidates(analyze(p))) for p in sample)
    return BenchResult(
        queries=query_count,
        posts=post_count,
        cpu_seconds=cpu,
        wall_seconds=wall,
        build_seconds=build_seconds,
        matches=sum(map(len, results)),
        matched_posts=sum(1 for r in results if r),
        evaluated_per_post=evaluated / max(1, len(sample)),
        always_evaluated=len(matcher.always_evaluated),
    )
