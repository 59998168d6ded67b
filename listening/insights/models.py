"""Insights counters: the day-level rollups the brand dashboard reads.

``listening.Rollup`` is hourly; a 90-day dashboard over it aggregates ~90×24 rows per
bucket combination. These tables hold the same figures per UTC day, plus the two
counters the hourly table cannot give: terms (words and hashtags) and authors.

- ``DayRollup`` is *derived* from the hourly ``Rollup``: a refresh recomputes the
  touched (brand, day) pairs from it (``insights.services.day_rollup_refresh``), so hand
  sentiment corrections, which move hourly buckets, stay consistent by construction.
- ``TermDay``, ``AuthorDay`` and ``AuthorSketch`` are *incremented* from each ingest
  batch's new mentions (the pipeline's on_new_mentions hook → a Celery task), and the
  day's top-authors shortlist re-ranked; a hand correction recomputes
  the one ``AuthorDay`` row it touches from the mentions.
"""

from __future__ import annotations

from django.db import models

from listening.models import Author, Platform, Query, Sentiment
from socialhub.models import BrandOwned


class DayRollup(BrandOwned):
    """Counters per UTC day × query × platform × sentiment × language (sums of hours)."""

    # The unique bucket leads with (brand, day): no index of its own.
    brand = models.ForeignKey(
        "socialhub.Brand", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Cascades like the hourly rollup: a deleted query's figures leave the dashboard.
    query = models.ForeignKey(Query, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    platform = models.CharField(max_length=16, choices=Platform.choices)
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices)
    lang = models.CharField(max_length=8)
    count = models.BigIntegerField(default=0)
    reach = models.BigIntegerField(default=0)
    engagement = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "day", "query", "platform", "sentiment", "lang"],
                name="unique_day_rollup_bucket",
            )
        ]

    def __str__(self) -> str:
        return f"{self.query_id} {self.day} {self.sentiment}: {self.count}"


class TermDay(BrandOwned):
    """How many of a brand's mentions used a word or hashtag on a UTC day."""

    brand = models.ForeignKey(
        "socialhub.Brand", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    term = models.CharField(max_length=64)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["brand", "day", "term"], name="unique_term_day")
        ]

    def __str__(self) -> str:
        return f"{self.term} {self.day}: {self.count}"


class AuthorDay(BrandOwned):
    """One author's mentions of a brand on a UTC day, with reach, engagement and the
    sentiment split (top authors, unique authors)."""

    brand = models.ForeignKey(
        "socialhub.Brand", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    # Indexed with the brand and day below (the ranked authors' figures are read by it).
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="+", db_index=False)
    platform = models.CharField(max_length=16, choices=Platform.choices)
    count = models.BigIntegerField(default=0)
    reach = models.BigIntegerField(default=0)
    engagement = models.BigIntegerField(default=0)
    negative = models.BigIntegerField(default=0)
    neutral = models.BigIntegerField(default=0)
    positive = models.BigIntegerField(default=0)
    # The day's shortlist (``SHORTLIST``): the better of the author's ranks by reach and
    # by engagement among the brand's authors of the day (``top_rank``) and among those
    # of its platform (``platform_rank``), or NULL outside the top ``SHORTLIST``. Kept by
    # ``services.author_ranks_refresh``; PostgreSQL has a partial covering index on each
    # (migration 0005), so the top-authors widget reads ≤ 2 × SHORTLIST rows a day.
    top_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    platform_rank = models.PositiveSmallIntegerField(null=True, blank=True)

    SHORTLIST = 50

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["brand", "day", "author"], name="unique_author_day")
        ]
        indexes = [models.Index(fields=["author", "brand", "day"], name="author_day_by_author")]

    def __str__(self) -> str:
        return f"{self.author_id} {self.day}: {self.count}"


class AuthorSketch(BrandOwned):
    """The authors heard on a UTC day on one platform, as a HyperLogLog sketch
    (``insights.sketch``): unique authors of any period are the merged sketches of its
    days, ≈1.6 % standard error, near exact for small counts."""

    brand = models.ForeignKey(
        "socialhub.Brand", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    platform = models.CharField(max_length=16, choices=Platform.choices)
    sketch = models.BinaryField(default=b"")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "day", "platform"], name="unique_author_sketch"
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform} {self.day}"


class CountedMention(models.Model):
    """A mention already counted into ``TermDay``/``AuthorDay``: makes counting
    idempotent (a redelivered task, a demo seed after the hook already ran, a rebuild
    racing queued batches). Only ids: safe to prune for mentions older than a week."""

    mention_id = models.BigIntegerField(primary_key=True)
    counted_at = models.DateTimeField()

    def __str__(self) -> str:
        return str(self.mention_id)
