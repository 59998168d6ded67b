"""Benchmark: generated posts through the real pipeline into the configured database.

    python manage.py bench_ingest --mentions 20000 --queries 200

Builds 20 brands with ``--queries`` queries spread over them (brand, competitor,
product, person, campaign and topic queries with phrases, wildcards, hashtags, NEAR
and NOT), ingests ``--mentions`` posts in batches and ends with one line:

    mentions_per_s=NNNN queries=Q db=postgresql
"""

from __future__ import annotations

import multiprocessing
import random
import statistics
import time
from datetime import UTC, datetime

from django.core.management.base import BaseCommand
from django.db import connection, connections, transaction

from listening.demo import generate_posts
from listening.models import Mention, Post, Query
from listening.pipeline import forget_compiled_queries, ingest, ingest_batches
from socialhub.models import Agency, Brand, User

BRANDS = [
    "Acmetron",
    "Globexa",
    "Initrode",
    "Umbrellix",
    "Hooliq",
    "Soylentix",
    "Vandelay",
    "Wonkabar",
    "Starkwave",
    "Wayneco",
    "Cyberdine",
    "Tyrellon",
    "Oscorpa",
    "Massivex",
    "Gringott",
    "Monarcho",
    "Krustyco",
    "Duffbrew",
    "Bluthco",
    "Pawneex",
]
# One broad query per brand; every other query is about a product, person or topic
# with its own word, the way real query sets grow. Posts carry one word of the
# vocabulary, so the number of queries a post matches barely changes with --queries
# and the figure measures matching and writing, not a growing pile of matches.
BRAND_QUERY = '({b} OR #{b} OR "{b} support") AND NOT (job OR hiring)'
SPECIFIC = [
    "{w}",
    '"{w} review" OR ({w} AND NOT spam)',
    "{w} NEAR/4 ({b} OR #{b})",
    "#{w} OR @{w}",
    "{w}* AND (lang:en OR lang:ru OR lang:zh)",
    "{w}~1 AND {b}",
]
SYLLABLES = ["ka", "lo", "mi", "ro", "ze", "tu", "vi", "na", "sho", "pe", "dra", "qui"]
VOCABULARY = [
    a + b + c + d for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES for d in ("x", "n")
][:2000]


class Command(BaseCommand):
    help = "Measure ingest throughput (mentions per second) through the real pipeline."

    def add_arguments(self, parser):
        parser.add_argument("--mentions", type=int, default=20000)
        parser.add_argument("--queries", type=int, default=200)
        parser.add_argument("--batch", type=int, default=1000)
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Ingest processes working at once, as Celery workers would "
            "(default: 1; workers wait on each other's rollup row locks).",
        )
        parser.add_argument("--keep", action="store_true", help="Keep the data afterwards.")

    def handle(self, *args, **options):
        n, q, batch_size = options["mentions"], options["queries"], options["batch"]
        brands = self._setup(q)
        pairs = [(b.name, [BRANDS[(i + 1) % len(BRANDS)]]) for i, b in enumerate(brands)]

        run = int(time.time())
        posts = list(generate_posts(brands=pairs, count=n, days=1, prefix=f"bench{run}", seed=run))
        rng = random.Random(run)
        for post in posts:  # a fresh publication time: the bench measures ingest latency
            post.published_at = datetime.now(UTC)
            word = rng.choice(VOCABULARY)
            post.text += f" {word}" if rng.random() < 0.8 else f" #{word}"
        self.stdout.write(f"Generated {n} posts, {q} queries over {len(brands)} brands.")

        ingest(posts[:50])  # warm up: compile the matcher, load the sentiment model
        # A new session for the timed part, as each worker task gets: PostgreSQL caches
        # the plans of its foreign-key checks per session, and a plan made while the
        # warm-up met nearly empty tables (a sequential scan) would be kept while the
        # tables grow, making every check slower than the last.
        connections.close_all()
        batches = [posts[i : i + batch_size] for i in range(50, n, batch_size)]
        workers = max(1, min(options["workers"], len(batches) or 1))
        started = time.perf_counter()
        stored = _run_batches(batches, workers)
        elapsed = time.perf_counter() - started
        rate = (n - 50) / elapsed if elapsed else 0.0
        self.stdout.write(f"{workers} ingest process(es), batches of {batch_size} posts.")

        lag = list(
            Post.objects.filter(external_id__startswith=f"bench{run}-").values_list(
                "ingested_at", "published_at"
            )[:5000]
        )
        latency = statistics.median((i - p).total_seconds() for i, p in lag) if lag else 0
        self.stdout.write(
            f"{n - 50} posts in {elapsed:.2f}s; {stored} new mentions; "
            f"median time to mention {latency:.2f}s"
        )
        if not options["keep"]:
            self._cleanup()
        self.stdout.write(f"mentions_per_s={rate:.0f} queries={q} db={connection.vendor}")

    def _setup(self, q: int) -> list[Brand]:
        self._cleanup()
        rng = random.Random(7)
        with transaction.atomic():
            owner, _ = User.objects.get_or_create(email="bench@socialhub.invalid")
            agency, _ = Agency.objects.get_or_create(
                slug="bench-agency", defaults={"name": "Bench"}
            )
            brands = [
                Brand.objects.create(agency=agency, name=name, slug=f"bench-{name.lower()}")
                for name in BRANDS
            ]
            queries = []
            kinds = [k for k, _ in Query.Kind.choices if k != Query.Kind.BRAND]
            for i in range(q):
                brand = brands[i % len(brands)]
                if i < len(brands):
                    kind, expression = Query.Kind.BRAND, BRAND_QUERY.format(b=brand.name)
                else:
                    word = VOCABULARY[(i - len(brands)) % len(VOCABULARY)]
                    pattern = SPECIFIC[i % len(SPECIFIC)]
                    kind, expression = rng.choice(kinds), pattern.format(w=word, b=brand.name)
                queries.append(Query(brand=brand, name=f"q{i}", kind=kind, expression=expression))
            Query.objects.bulk_create(queries)
        forget_compiled_queries()
        return brands

    def _cleanup(self) -> None:
        brands = Brand.objects.filter(slug__startswith="bench-")
        Mention.objects.filter(brand__in=brands).delete()
        Post.objects.filter(external_id__startswith="bench").delete()
        Query.objects.filter(brand__in=brands).delete()
        brands.delete()
        Agency.objects.filter(slug="bench-agency").delete()
        forget_compiled_queries()


# The batches each ingest process works through; set before the processes fork, so
# nothing is pickled and the compiled matcher and sentiment model are shared.
_BATCHES: list[list] = []


def _posted_now(chunks: list[list]):
    for chunk in chunks:
        published = datetime.now(UTC)  # as if the batch had just been posted
        for post in chunk:
            post.published_at = published
        yield chunk


def _ingest_batches(worker: int, workers: int) -> int:
    """The real pipeline's many-batch path: the next batch is prepared while the
    current one is written (``listening.pipeline.ingest_batches``)."""
    return sum(r.new_mentions for r in ingest_batches(_posted_now(_BATCHES[worker::workers])))


def _child(worker: int, workers: int, results) -> None:
    try:
        results.put(_ingest_batches(worker, workers))
    finally:
        connections.close_all()


def _run_batches(batches: list[list], workers: int) -> int:
    """Ingest the batches in ``workers`` processes (forked, each with its own database
    connection); returns the number of new mentions."""
    global _BATCHES
    _BATCHES = batches
    if workers == 1:
        return _ingest_batches(0, 1)
    connections.close_all()  # the children must not share the parent's connection
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    children = [context.Process(target=_child, args=(i, workers, results)) for i in range(workers)]
    for child in children:
        child.start()
    stored = sum(results.get() for _ in children)
    for child in children:
        child.join()
    if any(child.exitcode for child in children):
        raise RuntimeError("An ingest process failed; see its traceback above.")
    return stored
