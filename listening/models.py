"""Listening data: where posts come from (Source), what a brand listens for (Query),
who posted (Author), what was posted (Post, once per platform id) and what a brand
heard (Mention: a Post matched by at least one of the brand's queries).

Posts are global and deduplicated on (platform, external id); every brand whose queries
match a post gets its own Mention of it, so triage, hand corrections and rollups are
per brand while the text is stored once.
"""

from __future__ import annotations

from django.db import models
from django.utils.timezone import now

from socialhub.models import BrandOwned


class Platform(models.TextChoices):
    RSS = "rss", "RSS/Atom"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    REDDIT = "reddit", "Reddit"
    HACKERNEWS = "hackernews", "Hacker News"
    IMPORT = "import", "Imported"
    API = "api", "Pushed by API"


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", "Negative"
    NEUTRAL = "neutral", "Neutral"
    POSITIVE = "positive", "Positive"


class Source(BrandOwned):
    """A connector instance of a brand: a feed, a hashtag, a search, an import."""

    class Kind(models.TextChoices):
        RSS = "rss", "RSS/Atom feed"
        MASTODON = "mastodon", "Mastodon"
        BLUESKY = "bluesky", "Bluesky search"
        REDDIT = "reddit", "Reddit search"
        HACKERNEWS = "hackernews", "Hacker News search"
        FILE = "file", "File import"
        PUSH = "push", "Push API"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    config = models.JSONField(default=dict, blank=True)
    poll_interval = models.PositiveIntegerField(
        default=15, help_text="Minutes between fetches (scheduled kinds only)."
    )
    is_active = models.BooleanField(default=True)
    # Where the next fetch starts: ETag / Last-Modified, since_id, a cursor.
    cursor = models.JSONField(default=dict, blank=True)
    last_fetch_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # One fetch at a time per source: a worker holds the lease until it is done (or
    # until it expires, if the worker died).
    lease_until = models.DateTimeField(null=True, blank=True)
    posts_fetched = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["is_active", "next_poll_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def health(self) -> str:
        """ok, failing (1–2 failures), backing off (3+), paused, or new."""
        if not self.is_active:
            return "paused"
        if self.consecutive_failures >= 3:
            return "backing off"
        if self.consecutive_failures:
            return "failing"
        return "ok" if self.last_success_at else "new"


class Query(BrandOwned):
    """A boolean expression a brand listens for, with what it is about."""

    class Kind(models.TextChoices):
        BRAND = "brand", "Brand"
        COMPETITOR = "competitor", "Competitor"
        PERSON = "person", "Person"
        PRODUCT = "product", "Product / feature"
        CAMPAIGN = "campaign", "Campaign"
        TOPIC = "topic", "Topic"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.BRAND)
    expression = models.TextField()
    languages = models.JSONField(default=list, blank=True)
    platforms = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name_plural = "queries"
        constraints = [
            models.UniqueConstraint(fields=["brand", "name"], name="unique_query_name_per_brand")
        ]

    def __str__(self) -> str:
        return self.name


class Author(models.Model):
    """Someone who posts, once per platform and handle."""

    platform = models.CharField(max_length=16, choices=Platform.choices)
    handle = models.CharField(max_length=255)
    name = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=500, blank=True)
    followers = models.PositiveBigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["platform", "handle"]
        constraints = [models.UniqueConstraint(fields=["platform", "handle"], name="unique_author")]

    def __str__(self) -> str:
        return f"@{self.handle} ({self.get_platform_display()})"


class Post(models.Model):
    """One post on one platform, stored once whoever hears it."""

    platform = models.CharField(max_length=16, choices=Platform.choices)
    external_id = models.CharField(max_length=255)
    url = models.URLField(max_length=1000, blank=True)
    author = models.ForeignKey(Author, null=True, blank=True, on_delete=models.SET_NULL)
    text = models.TextField()
    lang = models.CharField(max_length=8, default="und")
    published_at = models.DateTimeField(db_index=True)
    ingested_at = models.DateTimeField(default=now)
    likes = models.PositiveBigIntegerField(default=0)
    shares = models.PositiveBigIntegerField(default=0)
    replies = models.PositiveBigIntegerField(default=0)
    reach = models.PositiveBigIntegerField(default=0)
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices, blank=True)
    sentiment_score = models.FloatField(null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "external_id"], name="unique_post")
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.external_id}"

    @property
    def engagement(self) -> int:
        return self.likes + self.shares + self.replies


class Mention(BrandOwned):
    """A post as one brand heard it: its matched queries and the brand's sentiment."""

    # Indexed by unique (brand, post) and (brand, -published_at): no index of its own.
    brand = models.ForeignKey(
        "socialhub.Brand", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    # Denormalized from the post so a brand's stream is one index range scan.
    published_at = models.DateTimeField()
    platform = models.CharField(max_length=16, choices=Platform.choices)
    lang = models.CharField(max_length=8, default="und")
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices)
    sentiment_score = models.FloatField(default=0.0)
    # "model", "rule" (a brand phrase rule) or "manual" (a person; never re-scored).
    sentiment_source = models.CharField(max_length=8, default="model")
    sentiment_set_by = models.ForeignKey(
        "socialhub.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    queries = models.ManyToManyField(Query, through="MentionMatch", related_name="mentions")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "post"], name="unique_mention_per_brand")
        ]
        indexes = [models.Index(fields=["brand", "-published_at"])]

    def __str__(self) -> str:
        return f"{self.post} in {self.brand_id}"


class MentionMatch(BrandOwned):
    """Which of the brand's queries heard a mention."""

    # Looked up by mention (unique (mention, query)) and by query; never by brand alone.
    brand = models.ForeignKey(
        "socialhub.Brand", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    mention = models.ForeignKey(
        Mention, on_delete=models.CASCADE, related_name="matches", db_index=False
    )
    query = models.ForeignKey(Query, on_delete=models.CASCADE, related_name="matches")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mention", "query"], name="unique_mention_match")
        ]

    def __str__(self) -> str:
        return f"{self.mention_id} ← {self.query_id}"


class PhraseRule(BrandOwned):
    """A brand's override of the model: a phrase that means a sentiment here."""

    phrase = models.CharField(max_length=200)
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["phrase"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "phrase"], name="unique_phrase_rule")
        ]

    def __str__(self) -> str:
        return f"“{self.phrase}” → {self.sentiment}"


class Rollup(BrandOwned):
    """Counters per hour × query × platform × sentiment × language, read by dashboards.

    Day figures are sums of hours (a selector aggregates them); charts never scan mentions.
    """

    # The unique bucket and (brand, hour) lead with the brand: no index of its own.
    brand = models.ForeignKey(
        "socialhub.Brand", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    query = models.ForeignKey(Query, on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField()
    platform = models.CharField(max_length=16, choices=Platform.choices)
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices)
    lang = models.CharField(max_length=8)
    # Signed: a hand correction moves a mention between buckets by adding -1 and +1.
    count = models.BigIntegerField(default=0)
    reach = models.BigIntegerField(default=0)
    engagement = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "query", "hour", "platform", "sentiment", "lang"],
                name="unique_rollup_bucket",
            )
        ]
        indexes = [models.Index(fields=["brand", "hour"])]

    def __str__(self) -> str:
        return f"{self.query_id} {self.hour:%Y-%m-%d %H}h {self.sentiment}: {self.count}"


class ImportJob(BrandOwned):
    """A file someone uploaded to import (CSV, JSON, JSONL, XLSX): where it is kept, how
    its columns map to our fields, and what importing it did."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        JSON = "json", "JSON"
        JSONL = "jsonl", "JSON Lines"
        XLSX = "xlsx", "Excel (XLSX)"

    class Status(models.TextChoices):
        NEW = "new", "Awaiting column mapping"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    # Relative to the import folder (settings.VAR_DIR / "imports"); a name we chose.
    file_path = models.CharField(max_length=255)
    original_name = models.CharField(max_length=255)
    format = models.CharField(max_length=8, choices=Format.choices)
    size = models.PositiveBigIntegerField(default=0)
    # The file's header and its first rows, read once at upload for the mapping step.
    columns = models.JSONField(default=list, blank=True)
    sample_rows = models.JSONField(default=list, blank=True)
    # Our field → the file's column; rows without a platform column get default_platform.
    mapping = models.JSONField(default=dict, blank=True)
    default_platform = models.CharField(
        max_length=16, choices=Platform.choices, default=Platform.IMPORT
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.NEW)
    # Rows in the file (known once the worker has counted them) and rows done so far.
    total = models.PositiveIntegerField(null=True, blank=True)
    processed = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    # The first rows with problems: [{"row": n, "field": name, "message": text}].
    row_errors = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, help_text="Why the whole import failed.")
    # Publication times of the rows read, so the result can link to them in the stream.
    first_published_at = models.DateTimeField(null=True, blank=True)
    last_published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "socialhub.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["brand", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        """How far the import is, 0–100."""
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, self.processed * 100 // self.total)
