"""Campaigns: the plan (Campaign), its goals (Kpi, with the team's KpiEntry figures),
the content calendar (SocialAccount, ContentPost and what happened to a post: decisions,
comments, publishing attempts; ApprovalLink for clients without an account) and the
adjust step (Review, ReviewDecision).

Computed KPI values are never stored as typed numbers: ``campaigns.kpis`` recomputes
them from the listening rollups; a Review keeps the snapshot it saw.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.timezone import now

from socialhub.models import BrandOwned

CURRENCY_HELP = "ISO 4217 code, e.g. EUR, USD, GBP."


class Campaign(BrandOwned):
    """A plan with dates, money, channels and the listening queries that measure it."""

    class Objective(models.TextChoices):
        AWARENESS = "awareness", "Awareness"
        ENGAGEMENT = "engagement", "Engagement"
        REPUTATION = "reputation", "Reputation repair"
        LAUNCH = "launch", "Launch"
        LEADS = "leads", "Lead generation"
        EMPLOYER = "employer", "Recruitment / employer brand"
        RESEARCH = "research", "Product research"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        ARCHIVED = "archived", "Archived"

    name = models.CharField(max_length=160)
    objective = models.CharField(max_length=16, choices=Objective.choices)
    description = models.TextField(blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    budget = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(max_length=3, default="EUR", help_text=CURRENCY_HELP)
    channels = models.ManyToManyField("SocialAccount", blank=True, related_name="campaigns")
    hashtags = models.JSONField(default=list, blank=True, help_text="Without the #.")
    tracked_links = models.JSONField(default=list, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    queries = models.ManyToManyField(
        "listening.Query",
        blank=True,
        related_name="campaigns",
        help_text="The listening queries that measure the campaign (none: the brand's own).",
    )
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "name"]
        indexes = [models.Index(fields=["brand", "status", "-start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="campaign_end_after_start"
            ),
            models.UniqueConstraint(fields=["brand", "name"], name="campaign_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "campaigns:campaign_detail", kwargs={"brand_slug": self.brand.slug, "pk": self.pk}
        )

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


class Kpi(BrandOwned):
    """A goal of a campaign: one metric of the catalogue (``campaigns.kpis.CATALOGUE``),
    its baseline, its target and how the value should move."""

    class Direction(models.TextChoices):
        UP = "up", "Up"
        DOWN = "down", "Down"

    class TargetKind(models.TextChoices):
        ABSOLUTE = "absolute", "An absolute value"
        RELATIVE = "relative", "A change against the baseline (%)"

    class Plan(models.TextChoices):
        LINEAR = "linear", "Linear"
        FRONT = "front", "Front-loaded"
        BACK = "back", "Back-loaded"
        FLAT = "flat", "From day one"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="kpis")
    metric = models.CharField(max_length=32)
    label = models.CharField(max_length=120, blank=True)
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.UP)
    target_kind = models.CharField(
        max_length=8, choices=TargetKind.choices, default=TargetKind.ABSOLUTE
    )
    target = models.DecimalField(max_digits=18, decimal_places=4)
    # Computed KPIs: filled from the period before the campaign; entered KPIs: typed.
    baseline = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    baseline_computed_at = models.DateTimeField(null=True, blank=True)
    plan = models.CharField(max_length=8, choices=Plan.choices, default=Plan.LINEAR)
    # For "influencer mentions": authors at or above this many followers count.
    follower_threshold = models.PositiveIntegerField(default=10_000)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "metric"], name="kpi_unique_metric")
        ]

    def __str__(self) -> str:
        return self.label or self.metric


class KpiEntry(BrandOwned):
    """A figure only the team knows (impressions, clicks, spend...) for a date."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="entries")
    metric = models.CharField(max_length=32)
    date = models.DateField()
    value = models.DecimalField(
        max_digits=18, decimal_places=4, validators=[MinValueValidator(Decimal("0"))]
    )
    note = models.CharField(max_length=255, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["campaign", "metric", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "metric", "date"], name="kpientry_one_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.date}: {self.value}"


class SocialAccount(BrandOwned):
    """An owned channel of the brand, where the calendar's posts go."""

    class Platform(models.TextChoices):
        MASTODON = "mastodon", "Mastodon"
        BLUESKY = "bluesky", "Bluesky"
        X = "x", "X (Twitter)"
        INSTAGRAM = "instagram", "Instagram"
        FACEBOOK = "facebook", "Facebook"
        LINKEDIN = "linkedin", "LinkedIn"
        TIKTOK = "tiktok", "TikTok"
        YOUTUBE = "youtube", "YouTube"
        THREADS = "threads", "Threads"

    platform = models.CharField(max_length=12, choices=Platform.choices)
    handle = models.CharField(max_length=255)
    url = models.URLField(max_length=500, blank=True)
    # Publishing: Mastodon {"instance": "https://…", "access_token": "…"};
    # Bluesky {"service": "https://bsky.social", "identifier": "…", "app_password": "…"}.
    credentials = models.JSONField(default=dict, blank=True)
    credentials_expire_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["platform", "handle"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "platform", "handle"], name="socialaccount_unique_handle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.handle}"

    @property
    def can_publish(self) -> bool:
        """Does SocialHub publish to this channel itself (else a member marks it)?"""
        return self.platform in (self.Platform.MASTODON, self.Platform.BLUESKY) and bool(
            self.credentials
        )


class ContentPost(BrandOwned):
    """A post on the content calendar and where it is in its workflow."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes", "Changes requested"
        APPROVED = "approved", "Approved"
        SCHEDULED = "scheduled", "Scheduled"
        READY = "ready", "Ready to post by hand"
        PUBLISHING = "publishing", "Publishing"
        PUBLISHED = "published", "Published"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    account = models.ForeignKey(SocialAccount, on_delete=models.PROTECT, related_name="posts")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    text = models.TextField()
    link = models.URLField(max_length=1000, blank=True, help_text="With its UTM parameters.")
    scheduled_at = models.DateTimeField(null=True, blank=True, db_index=True)
    labels = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Publishing.
    published_at = models.DateTimeField(null=True, blank=True)
    published_url = models.URLField(max_length=1000, blank=True)
    external_id = models.CharField(max_length=255, blank=True)
    failure_reason = models.TextField(blank=True)
    publish_attempts = models.PositiveSmallIntegerField(default=0)
    # The listening mention of the published post, once heard (engagement comes from it).
    mention = models.ForeignKey(
        "listening.Mention", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scheduled_at", "id"]
        indexes = [
            models.Index(fields=["brand", "scheduled_at"]),
            models.Index(fields=["status", "scheduled_at"]),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class PostMedia(BrandOwned):
    """An image attached to a post (type and size checked on upload)."""

    post = models.ForeignKey(ContentPost, on_delete=models.CASCADE, related_name="media")
    file = models.FileField(upload_to="calendar/%Y/%m/")
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    alt_text = models.CharField(max_length=1000, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class ApprovalLink(BrandOwned):
    """A signed, expiring, revocable link a manager sends to a client who has no account:
    it opens the posts waiting for review, read-only but for approve / changes / comment."""

    token = models.CharField(max_length=64, unique=True, editable=False)
    recipient_name = models.CharField(max_length=120)
    recipient_email = models.EmailField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now, editable=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.recipient_name} <{self.recipient_email}>"

    def save(self, *args, **kwargs):
        if not self.token:
            self.token = secrets.token_urlsafe(32)
        super().save(*args, **kwargs)

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > now()


class PostEvent(BrandOwned):
    """What happened to a post, in order: submitted, approved, changes requested (with
    the comment), scheduled, rescheduled, published, failed, edited back to review.
    Decisions keep who made them: a member, or the recipient of an approval link."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        SUBMITTED = "submitted", "Submitted for review"
        APPROVED = "approved", "Approved"
        CHANGES = "changes", "Changes requested"
        BACK_TO_REVIEW = "back_to_review", "Edited after approval, back to review"
        SCHEDULED = "scheduled", "Scheduled"
        RESCHEDULED = "rescheduled", "Rescheduled"
        PUBLISHED = "published", "Published"
        FAILED = "failed", "Publishing failed"
        CANCELLED = "cancelled", "Cancelled"

    post = models.ForeignKey(ContentPost, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approval_link = models.ForeignKey(
        ApprovalLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["created_at", "id"]

    @property
    def actor_name(self) -> str:
        if self.actor_id:
            return self.actor.display_name
        if self.approval_link_id:
            return f"{self.approval_link.recipient_name} (approval link)"
        return "SocialHub"


class PostComment(BrandOwned):
    """A comment on a post; ``@email`` or ``@name`` of members notifies them."""

    post = models.ForeignKey(ContentPost, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approval_link = models.ForeignKey(
        ApprovalLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    mentioned = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["created_at", "id"]


class CalendarFeed(BrandOwned):
    """The private token of a brand's iCalendar feed (one per brand; a new token revokes)."""

    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["brand"], name="calendarfeed_one_per_brand")]

    def save(self, *args, **kwargs):
        if not self.token:
            self.token = secrets.token_urlsafe(32)
        super().save(*args, **kwargs)


class Review(BrandOwned):
    """The adjust step: a walk through the checklist, the KPIs as they were, decisions."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reviews")
    date = models.DateField(default=now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # {question key: answer text}; keys from campaigns.reviews.CHECKLIST.
    answers = models.JSONField(default=dict, blank=True)
    summary = models.TextField(blank=True)
    # The KPIs at review time: [{metric, label, baseline, target, value, pacing, ...}].
    kpi_snapshot = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"Review of {self.campaign} on {self.date}"


class ReviewDecision(BrandOwned):
    """Keep, stop or change something, with a note and links to what changed."""

    class Verdict(models.TextChoices):
        KEEP = "keep", "Keep"
        STOP = "stop", "Stop"
        CHANGE = "change", "Change"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions")
    verdict = models.CharField(max_length=6, choices=Verdict.choices)
    subject = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    # What changed: a query, posts, an influencer relationship (generic: label + URL).
    query = models.ForeignKey(
        "listening.Query", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    posts = models.ManyToManyField(ContentPost, blank=True, related_name="decisions")
    links = models.JSONField(default=list, blank=True, help_text='[{"label": …, "url": …}]')
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["id"]
