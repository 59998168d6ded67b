"""Reads of the listening app: the mention stream, query previews."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Prefetch, QuerySet

from listening.models import Mention, Query
from listening.querylang import MatchInput, compile_query
from socialhub.models import Brand

PREVIEW_LIMIT = 5000


def period_bounds(
    *, days: str | None, start: date | None, end: date | None, now: datetime | None = None
) -> tuple[datetime, datetime]:
    """A period as aware datetimes: a preset (last N days) or a custom date range."""
    now = now or datetime.now(UTC)
    if start or end:
        if start is None:
            # 30 days before the end, or the first day there is (no OverflowError).
            start = end - timedelta(days=30) if end > date.min + timedelta(days=30) else date.min
        lo = datetime.combine(start, time.min, tzinfo=UTC)
        hi = datetime.combine(end or now.date(), time.max, tzinfo=UTC)
        return lo, hi
    return now - timedelta(days=int(days or 30)), now


def mention_stream(mentions: QuerySet[Mention], filters: dict) -> QuerySet[Mention]:
    """A brand's mentions (already scoped) narrowed by the stream's filters, newest first,
    with everything a row shows fetched in a fixed number of queries."""
    lo, hi = period_bounds(
        days=filters.get("days"), start=filters.get("start"), end=filters.get("end")
    )
    qs = mentions.filter(published_at__gte=lo, published_at__lte=hi)
    if filters.get("query"):
        qs = qs.filter(matches__query_id=filters["query"])
    if filters.get("platform"):
        qs = qs.filter(platform=filters["platform"])
    if filters.get("sentiment"):
        qs = qs.filter(sentiment=filters["sentiment"])
    if filters.get("lang"):
        qs = qs.filter(lang=filters["lang"].lower())
    if filters.get("q"):
        qs = qs.filter(post__text__icontains=filters["q"])
    return (
        qs.select_related("post", "post__author", "sentiment_set_by")
        .prefetch_related(Prefetch("queries", queryset=Query.objects.only("id", "name", "kind")))
        .order_by("-published_at", "-id")
    )


@dataclass
class Preview:
    """An expression run against what the brand heard recently."""

    scanned: int
    matched: int
    days: int
    truncated: bool
    samples: list[Mention] = field(default_factory=list)


def query_preview(brand: Brand, mentions: QuerySet[Mention], expression: str, days: int) -> Preview:
    """Run ``expression`` over the brand's mentions of the last ``days`` days (the newest
    5,000) and count what it would have matched. Raises QuerySyntaxError."""
    compiled = compile_query(expression)
    since = datetime.now(UTC) - timedelta(days=days)
    rows = list(
        mentions.filter(published_at__gte=since)
        .select_related("post", "post__author")
        .order_by("-published_at")[: PREVIEW_LIMIT + 1]
    )
    truncated = len(rows) > PREVIEW_LIMIT
    rows = rows[:PREVIEW_LIMIT]
    hits = [
        m
        for m in rows
        if compiled.matches(
            MatchInput(
                m.post.text,
                lang=m.lang,
                platform=m.platform,
                author=m.post.author.handle if m.post.author else "",
            )
        )
    ]
    return Preview(
        scanned=len(rows), matched=len(hits), days=days, truncated=truncated, samples=hits[:10]
    )
