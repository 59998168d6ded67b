"""The ingest pipeline: normalized posts in, brand-scoped classified mentions out.

    normalize → dedupe (platform, external id) → language → match every active query
    → sentiment (matched posts only) → upsert authors, posts, mentions, matches
    → rollup counters → one hand-off task (insights, alerts, inbox, influencers, calendar)

Work is done per batch, never per row: one round trip per table per batch. Writes are
idempotent: a batch ingested twice, or retried after a worker died mid-way, stores
every post once and counts it once, because rollups are incremented only for the
mention↔query matches that the same transaction inserted.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max

from listening import bulk
from listening.connectors.base import NormalizedPost
from listening.models import Author, Mention, MentionMatch, PhraseRule, Post, Query, Rollup
from listening.nlp.language import detect_language
from listening.nlp.rules import apply_phrase_rules
from listening.nlp.sentiment import get_backend
from listening.querylang import Matcher, MatchInput, QuerySyntaxError, compile_query

logger = logging.getLogger(__name__)

MAX_TEXT = 20_000

# The columns a batch writes to Post, in the order of its rows.
POST_FIELDS = [
    "platform",
    "external_id",
    "url",
    "author",
    "text",
    "lang",
    "published_at",
    "ingested_at",
    "likes",
    "shares",
    "replies",
    "reach",
    "sentiment",
    "sentiment_score",
    "raw",
]

# Run after each committed batch, in a worker, with the ids of the mentions it created
# (insights, alerts, the inbox, influencers, the calendar).
_after_ingest_hooks: list[Callable[[list[int]], None]] = []


def run_after_ingest_hooks(mention_ids: list[int]) -> None:
    """Each hand-off on its own: one that fails is logged and the others still run (the
    batch is stored either way). Runs in the ``listening.after_ingest`` task."""
    for hook in _after_ingest_hooks:
        try:
            hook(mention_ids)
        except Exception:
            logger.exception("The after-ingest hook %s failed", getattr(hook, "__name__", hook))


def on_new_mentions(hook: Callable[[list[int]], None]) -> Callable[[list[int]], None]:
    """Register a hand-off point: ``hook(mention_ids)`` runs after each committed batch."""
    _after_ingest_hooks.append(hook)
    return hook


def _hand_off(mention_ids: list[int]) -> None:
    """On commit: one task message per batch, whatever the number of hooks; the worker
    runs them (and each queues its own work), so the ingest path pays for one send."""
    from listening.tasks import after_ingest

    try:
        after_ingest.delay(mention_ids)
    except Exception:  # the batch is stored; the hand-offs can be backfilled
        logger.exception("The hand-off of %d new mentions was not queued", len(mention_ids))


@dataclass
class IngestResult:
    """What one batch did, for the source's health, the push API and the benchmarks."""

    received: int = 0
    duplicates_in_batch: int = 0
    matched_posts: int = 0
    new_mentions: int = 0
    new_matches: int = 0
    mention_ids: list[int] = field(default_factory=list)
    # Per input position: "stored", "duplicate", "unmatched".
    outcomes: list[str] = field(default_factory=list)


# -- the active queries, compiled once per change ---------------------------------------


@dataclass
class _QuerySet:
    version: tuple
    matcher: Matcher
    # query id → (brand id, allowed languages, allowed platforms)
    meta: dict[int, tuple[int, frozenset[str], frozenset[str]]]


_compiled: _QuerySet | None = None
_compiled_lock = threading.Lock()


def _queries_version() -> tuple:
    # Only queries that are matched count: archiving (or restoring) a brand changes the
    # count, so its queries drop out of (or come back into) the matcher.
    live = Query.objects.filter(is_active=True, brand__archived_at__isnull=True)
    agg = live.aggregate(last=Max("updated_at"), n=Max("id"), count=Count("id"))
    return (agg["last"], agg["n"], agg["count"])


def active_queries() -> _QuerySet:
    """Every active query of every brand, compiled into one matcher; rebuilt when a
    query is added, edited or switched off (checked with one cheap query per batch)."""
    global _compiled
    version = _queries_version()
    with _compiled_lock:
        if _compiled is None or _compiled.version != version:
            rows = list(
                Query.objects.filter(is_active=True, brand__archived_at__isnull=True).values_list(
                    "id", "brand_id", "expression", "languages", "platforms"
                )
            )
            compiled, meta = {}, {}
            for qid, brand_id, expression, languages, platforms in rows:
                try:
                    compiled[qid] = compile_query(expression)
                except QuerySyntaxError as exc:  # saved before a grammar change: skip it
                    logger.warning("Query %s does not compile: %s", qid, exc)
                    continue
                meta[qid] = (brand_id, frozenset(languages or ()), frozenset(platforms or ()))
            _compiled = _QuerySet(version, Matcher(compiled), meta)
        return _compiled


def forget_compiled_queries() -> None:
    """Drop the compiled matcher (tests; after bulk query changes)."""
    global _compiled
    _compiled = None


# -- steps ------------------------------------------------------------------------------


def _clean(post: NormalizedPost, now: datetime) -> NormalizedPost:
    """Cap the text, clamp timestamps from the future (clock skew) to now."""
    if len(post.text) > MAX_TEXT:
        post.text = post.text[:MAX_TEXT]
    if post.published_at > now + timedelta(minutes=5):
        post.raw = {**(post.raw or {}), "_published_at_claimed": post.published_at.isoformat()}
        post.published_at = now
    return post


def _hour(dt: datetime) -> datetime:
    return dt.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass
class Prepared:
    """A batch after the CPU half of the pipeline (dedupe, language, matching,
    sentiment), ready for :func:`store`; prepared without touching the database."""

    result: IngestResult
    batch: list[NormalizedPost]
    matches: list[list[int]]
    matched: list[tuple[NormalizedPost, list[int]]]
    predictions: list
    compiled: _QuerySet
    now: datetime


def prepare(
    posts: Sequence[NormalizedPost],
    *,
    compiled: _QuerySet,
    brand_ids: set[int] | None = None,
    now: datetime | None = None,
) -> Prepared:
    """The CPU half of a batch. Pure computation over ``compiled`` (the active queries):
    safe to run in another thread while an earlier batch is written."""
    now = now or datetime.now(UTC)
    result = IngestResult(received=len(posts))

    # Dedupe inside the batch on (platform, external id); the database does the rest.
    unique: dict[tuple[str, str], int] = {}
    batch: list[NormalizedPost] = []
    for post in posts:
        key = (post.platform, post.external_id)
        if key in unique:
            result.duplicates_in_batch += 1
            result.outcomes.append("duplicate")
            continue
        unique[key] = len(batch)
        result.outcomes.append("")
        batch.append(_clean(post, now))

    # Language, where the platform did not say.
    for post in batch:
        if not post.lang:
            post.lang = detect_language(post.text)

    # Match every active query.
    matches: list[list[int]] = []
    for post in batch:
        candidates = compiled.matcher.match(
            MatchInput(
                post.text, lang=post.lang, platform=post.platform, author=post.author_handle or ""
            )
        )
        kept = []
        for qid in candidates:
            brand_id, langs, platforms = compiled.meta[qid]
            if brand_ids is not None and brand_id not in brand_ids:
                continue
            if langs and post.lang not in langs:
                continue
            if platforms and post.platform not in platforms:
                continue
            kept.append(qid)
        matches.append(kept)

    matched = [(post, qids) for post, qids in zip(batch, matches, strict=True) if qids]
    result.matched_posts = len(matched)
    # Sentiment for matched posts only (each brand's phrase rules go on top in store()).
    predictions = (
        get_backend().predict([p.text for p, _ in matched], [p.lang for p, _ in matched])
        if matched
        else []
    )
    return Prepared(result, batch, matches, matched, predictions, compiled, now)


def store(prepared: Prepared) -> IngestResult:
    """The database half of a batch: one transaction, then the hand-offs on commit."""
    result, batch, matches, matched = (
        prepared.result,
        prepared.batch,
        prepared.matches,
        prepared.matched,
    )
    if not matched:
        result.outcomes = ["unmatched" if o == "" else o for o in result.outcomes]
        return result

    compiled = prepared.compiled
    brands_in_batch = {compiled.meta[q][0] for _, qids in matched for q in qids}
    rules_by_brand: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for brand_id, phrase, label in PhraseRule.objects.filter(
        brand_id__in=brands_in_batch
    ).values_list("brand_id", "phrase", "sentiment"):
        rules_by_brand[brand_id].append((phrase, label))

    with transaction.atomic():
        new_keys = _write(
            matched, prepared.predictions, compiled, rules_by_brand, prepared.now, result
        )

    # Per input: stored (a brand heard it for the first time), duplicate (already
    # stored), unmatched (no active query heard it).
    positions = iter(i for i, o in enumerate(result.outcomes) if o == "")
    for post, qids in zip(batch, matches, strict=True):
        key = (post.platform, post.external_id)
        outcome = "unmatched" if not qids else "stored" if key in new_keys else "duplicate"
        result.outcomes[next(positions)] = outcome

    if result.mention_ids:
        ids = list(result.mention_ids)
        transaction.on_commit(lambda: _hand_off(ids))
    return result


def ingest(
    posts: Sequence[NormalizedPost],
    *,
    brand_ids: set[int] | None = None,
    now: datetime | None = None,
) -> IngestResult:
    """Run a batch through the pipeline. ``brand_ids`` limits matching to those brands'
    queries (push API and file imports into one brand); None matches every brand."""
    return store(prepare(posts, compiled=active_queries(), brand_ids=brand_ids, now=now))


def ingest_batches(
    batches: Iterable[Sequence[NormalizedPost]],
    *,
    brand_ids: set[int] | None = None,
    now: Callable[[], datetime] | None = None,
) -> Iterator[IngestResult]:
    """Ingest many batches, preparing the next one in a thread while the current one is
    written: the database works on one core while matching and sentiment run on the
    other. Yields each batch's result in order; each batch is its own transaction."""
    clock = now or (lambda: datetime.now(UTC))
    iterator = iter(batches)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-prepare") as pool:

        def submit(batch: Sequence[NormalizedPost]) -> Future[Prepared]:
            # The active queries are read here, in the caller's thread (and database
            # connection); the thread only computes.
            return pool.submit(
                prepare, batch, compiled=active_queries(), brand_ids=brand_ids, now=clock()
            )

        first = next(iterator, None)
        pending = submit(first) if first is not None else None
        while pending is not None:
            prepared = pending.result()
            following = next(iterator, None)
            pending = submit(following) if following is not None else None
            yield store(prepared)


def _write(
    matched, predictions, compiled, rules_by_brand, now, result: IngestResult
) -> set[tuple[str, str]]:
    """The database half of a batch, inside one transaction; returns the keys of the
    posts that gave at least one brand a new mention."""
    # Authors: one upsert; the newest follower count wins, unknown counts keep the old.
    # Inside a batch too: a later post of the same author without a count keeps the one
    # an earlier post gave.
    author_rows: dict[tuple[str, str], tuple] = {}
    for p, _ in matched:
        if not p.author_handle:
            continue
        key = (p.platform, p.author_handle)
        followers = p.author_followers
        if followers is None and key in author_rows:
            followers = author_rows[key][4]
        author_rows[key] = (
            p.platform,
            p.author_handle,
            p.author_name or "",
            p.author_url or "",
            followers,
            now,
        )
    author_ids = {
        (platform, handle): pk
        for pk, platform, handle in bulk.upsert(
            Author,
            fields=["platform", "handle", "name", "url", "followers", "updated_at"],
            rows=sorted(author_rows.values(), key=lambda r: (r[0], r[1])),
            conflict=["platform", "handle"],
            update=["name", "url", "updated_at"],
            coalesce=["followers"],
            returning=["id", "platform", "handle"],
        )
    }

    # Posts: one upsert; engagement figures are refreshed when a post comes again.
    post_rows = []
    for (post, _), prediction in zip(matched, predictions, strict=True):
        reach = post.reach or post.author_followers or 0
        post_rows.append(
            (
                post.platform,
                post.external_id,
                post.url or "",
                author_ids.get((post.platform, post.author_handle)),
                post.text,
                post.lang,
                post.published_at,
                now,
                post.likes or 0,
                post.shares or 0,
                post.replies or 0,
                reach,
                prediction.label,
                prediction.score,
                post.raw or {},
            )
        )
    post_ids = {
        (platform, external_id): pk
        for pk, platform, external_id in bulk.upsert(
            Post,
            fields=POST_FIELDS,
            rows=sorted(post_rows, key=lambda r: (r[0], r[1])),
            conflict=["platform", "external_id"],
            update=["likes", "shares", "replies", "reach"],
            returning=["id", "platform", "external_id"],
        )
    }

    # Mentions: one per brand that heard the post; existing ones are left as they are
    # (their sentiment may have been corrected by a person).
    mention_rows = {}
    wanted_matches = []
    for (post, qids), prediction in zip(matched, predictions, strict=True):
        post_id = post_ids[(post.platform, post.external_id)]
        for qid in qids:
            brand_id = compiled.meta[qid][0]
            wanted_matches.append((brand_id, post_id, qid))
            if (brand_id, post_id) in mention_rows:
                continue
            label, score, origin = prediction.label, prediction.score, "model"
            override = apply_phrase_rules(post.text, rules_by_brand.get(brand_id, ()))
            if override is not None:
                label, score, origin = override.label, override.score, "rule"
            mention_rows[(brand_id, post_id)] = (
                brand_id,
                post_id,
                post.published_at,
                post.platform,
                post.lang,
                label,
                score,
                origin,
                now,
            )
    new = bulk.upsert(
        Mention,
        fields=[
            "brand",
            "post",
            "published_at",
            "platform",
            "lang",
            "sentiment",
            "sentiment_score",
            "sentiment_source",
            "created_at",
        ],
        rows=sorted(mention_rows.values(), key=lambda r: (r[0], r[1])),
        conflict=["brand", "post"],
        returning=["id", "brand", "post", "sentiment"],
    )
    result.new_mentions = len(new)
    result.mention_ids = [row[0] for row in new]
    key_of_post = {pk: key for key, pk in post_ids.items()}
    new_keys = {key_of_post[row[2]] for row in new}

    # Every mention of the batch, with what the rollups need. The new ones come back
    # from the insert; the ones stored before are read (their sentiment may have been
    # corrected since), in one query and only when there are any.
    posts_by_id = {post_ids[(p.platform, p.external_id)]: p for p, _ in matched}
    mentions = {(brand_id, post_id): (pk, sentiment) for pk, brand_id, post_id, sentiment in new}
    earlier = mention_rows.keys() - mentions.keys()
    if earlier:
        for pk, brand_id, post_id, sentiment in Mention.objects.filter(
            post_id__in={post_id for _, post_id in earlier},
            brand_id__in={brand_id for brand_id, _ in earlier},
        ).values_list("id", "brand_id", "post_id", "sentiment"):
            if (brand_id, post_id) in earlier:
                mentions[(brand_id, post_id)] = (pk, sentiment)
    figures = {
        post_ids[(p.platform, p.external_id)]: (
            p.reach or p.author_followers or 0,
            (p.likes or 0) + (p.shares or 0) + (p.replies or 0),
        )
        for p, _ in matched
    }

    # Matches: only the pairs this transaction inserts are counted in the rollups.
    match_rows = sorted(
        {
            (brand_id, mentions[(brand_id, post_id)][0], qid)
            for brand_id, post_id, qid in wanted_matches
        }
    )
    inserted = bulk.upsert(
        MentionMatch,
        fields=["brand", "mention", "query"],
        rows=match_rows,
        conflict=["mention", "query"],
        returning=["mention", "query"],
    )
    result.new_matches = len(inserted)
    by_id = {
        pk: (brand_id, post_id, sentiment)
        for (brand_id, post_id), (pk, sentiment) in mentions.items()
    }
    buckets: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for mention_id, query_id in inserted:
        brand_id, post_id, sentiment = by_id[mention_id]
        post = posts_by_id[post_id]
        key = (brand_id, query_id, _hour(post.published_at), post.platform, sentiment, post.lang)
        reach, engagement = figures[post_id]
        bucket = buckets[key]
        bucket[0] += 1
        bucket[1] += reach
        bucket[2] += engagement
    rollup_increment(buckets)
    return new_keys


def rollup_increment(buckets: dict[tuple, list[int]]) -> None:
    """Add (count, reach, engagement) to rollup buckets keyed by
    (brand id, query id, hour, platform, sentiment, lang); negative values subtract."""
    rows = [(*key, *values) for key, values in sorted(buckets.items()) if any(values)]
    bulk.upsert(
        Rollup,
        fields=[
            "brand",
            "query",
            "hour",
            "platform",
            "sentiment",
            "lang",
            "count",
            "reach",
            "engagement",
        ],
        rows=rows,
        conflict=["brand", "query", "hour", "platform", "sentiment", "lang"],
        increment=["count", "reach", "engagement"],
    )
