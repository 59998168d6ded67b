"""Influencers: an agency-wide directory (``Influencer`` with its ``InfluencerProfile`` on
each platform, linked to the listening ``Author`` with that handle) and, per brand, a
``Relationship`` pipeline with its ``Interaction`` log and the ``HealthAlert`` raised when
an ally turns negative, and the ``Collaboration`` of an influencer on a campaign (its
``Deliverable`` rows and the ``ContentLink`` of each post it produced).

The directory belongs to an agency, not a brand: ``Influencer.objects.for_user(user)``
keeps the influencers of the agencies whose directory the user may use
(``socialhub.access.can_use_directory``). Relationships and interactions are brand-owned.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.timezone import now

from influencers.tiers import Tier, tier_for
from listening.models import Platform
from socialhub.access import directory_agency_ids
from socialhub.models import BrandOwned


class InfluencerPlatform(models.TextChoices):
    """Listening's platforms plus the big networks an agency tracks by hand."""

    INSTAGRAM = "instagram", "Instagram"
    TIKTOK = "tiktok", "TikTok"
    YOUTUBE = "youtube", "YouTube"
    X = "x", "X (Twitter)"
    MASTODON = Platform.MASTODON.value, Platform.MASTODON.label
    BLUESKY = Platform.BLUESKY.value, Platform.BLUESKY.label
    REDDIT = Platform.REDDIT.value, Platform.REDDIT.label
    HACKERNEWS = Platform.HACKERNEWS.value, Platform.HACKERNEWS.label
    RSS = Platform.RSS.value, "Blog (RSS/Atom)"
    IMPORT = Platform.IMPORT.value, Platform.IMPORT.label
    API = Platform.API.value, Platform.API.label


class InfluencerQuerySet(models.QuerySet):
    """Influencers, narrowed to the directories a user may use."""

    def for_user(self, user) -> InfluencerQuerySet:
        """Influencers of the agencies whose directory ``user`` may use."""
        return self.filter(agency_id__in=directory_agency_ids(user))


class Influencer(models.Model):
    """Someone whose posts move their audience, in one agency's directory."""

    agency = models.ForeignKey(
        "socialhub.Agency", on_delete=models.CASCADE, related_name="influencers"
    )
    name = models.CharField(max_length=200)
    topics = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True, help_text="ISO 639-1 codes.")
    region = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    tags = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    # The largest follower count of the profiles (kept by the services): tier and sorting.
    max_followers = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InfluencerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["agency", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "influencers:influencer_detail",
            kwargs={"agency_slug": self.agency.slug, "pk": self.pk},
        )

    @property
    def tier(self) -> Tier:
        return tier_for(self.max_followers)


class ProfileQuerySet(models.QuerySet):
    def for_user(self, user) -> ProfileQuerySet:
        """Profiles of the influencers ``user`` may see."""
        return self.filter(agency_id__in=directory_agency_ids(user))


class InfluencerProfile(models.Model):
    """An influencer's account on one platform, linked to the listening ``Author`` with
    the same platform and handle so reach, engagement and posts are observed."""

    # Copied from the influencer so one handle per platform is unique in the agency.
    agency = models.ForeignKey("socialhub.Agency", on_delete=models.CASCADE, related_name="+")
    influencer = models.ForeignKey(Influencer, on_delete=models.CASCADE, related_name="profiles")
    platform = models.CharField(max_length=16, choices=InfluencerPlatform.choices)
    handle = models.CharField(max_length=255, help_text="Without the leading @.")
    url = models.URLField(max_length=500, blank=True)
    followers = models.PositiveBigIntegerField(default=0)
    author = models.ForeignKey(
        "listening.Author",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="influencer_profiles",
    )
    created_at = models.DateTimeField(default=now, editable=False)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        ordering = ["platform", "handle"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "platform", "handle"], name="unique_influencer_handle"
            )
        ]
        indexes = [models.Index(fields=["platform", "handle"])]

    def __str__(self) -> str:
        return f"@{self.handle} ({self.get_platform_display()})"


class Stage(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    CONTACTED = "contacted", "Contacted"
    NEGOTIATING = "negotiating", "Negotiating"
    ACTIVE = "active", "Active"
    AMBASSADOR = "ambassador", "Ambassador"
    PAUSED = "paused", "Paused"
    AT_RISK = "at_risk", "At risk"


class Trend(models.TextChoices):
    UP = "up", "Improving"
    FLAT = "flat", "Steady"
    DOWN = "down", "Worsening"
    NONE = "", "Not enough data"


class Relationship(BrandOwned):
    """One brand's relationship with one influencer of its agency's directory."""

    brand = models.ForeignKey("socialhub.Brand", on_delete=models.CASCADE, related_name="+")
    influencer = models.ForeignKey(
        Influencer, on_delete=models.CASCADE, related_name="relationships"
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.PROSPECT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    next_step = models.CharField(max_length=200, blank=True)
    next_step_due = models.DateField(null=True, blank=True)
    # Health, from listening (influencers.health): the mean sentiment score of the
    # influencer's mentions of the brand over the last 30 days, and its trend.
    health_score = models.FloatField(null=True, blank=True)
    health_previous = models.FloatField(null=True, blank=True)
    health_mentions = models.PositiveIntegerField(default=0)
    health_trend = models.CharField(max_length=4, choices=Trend.choices, blank=True)
    health_checked_at = models.DateTimeField(null=True, blank=True)
    suggested_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["influencer__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "influencer"], name="unique_relationship_per_brand"
            ),
            models.CheckConstraint(
                condition=Q(stage__in=[s.value for s in Stage]), name="relationship_stage_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.influencer} – {self.get_stage_display()}"

    def get_absolute_url(self) -> str:
        return reverse(
            "influencers:relationship_detail",
            kwargs={"brand_slug": self.brand.slug, "pk": self.pk},
        )


class Interaction(BrandOwned):
    """One contact with the influencer: an email, a DM, a call, a meeting, an event, a gift."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        DM = "dm", "Direct message"
        CALL = "call", "Call"
        MEETING = "meeting", "Meeting"
        EVENT = "event", "Event"
        GIFT = "gift", "Gift"

    brand = models.ForeignKey("socialhub.Brand", on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="interactions"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    date = models.DateField()
    summary = models.TextField()
    outcome = models.CharField(max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date}"


class HealthAlert(BrandOwned):
    """An active influencer or ambassador turned negative: told to the relationship's
    owner in the app (and by email). One open alert per relationship at a time."""

    brand = models.ForeignKey("socialhub.Brand", on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="health_alerts"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.FloatField()
    previous = models.FloatField(null=True, blank=True)
    explanation = models.TextField()
    fired_at = models.DateTimeField(default=now)
    read_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-fired_at", "-id"]

    def __str__(self) -> str:
        return f"{self.relationship} at {self.fired_at:%Y-%m-%d}"


class Collaboration(BrandOwned):
    """An influencer (through the brand's relationship) working on one of the brand's
    campaigns: deliverables, fee, status, the content it produced and the clicks the
    team enters. Results are computed from the matched mentions
    (``selectors.collaboration_results``), never typed."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        AGREED = "agreed", "Agreed"
        CONTENT_IN_REVIEW = "content_in_review", "Content in review"
        LIVE = "live", "Live"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    brand = models.ForeignKey("socialhub.Brand", on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="collaborations"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="collaborations"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    fee = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(max_length=3, default="EUR", help_text="ISO 4217 code.")
    clicks = models.PositiveIntegerField(default=0, help_text="Entered by the team.")
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "campaign"], name="unique_collaboration_per_campaign"
            ),
            models.CheckConstraint(condition=Q(fee__gte=0), name="collaboration_fee_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.relationship.influencer} on {self.campaign}"

    def get_absolute_url(self) -> str:
        return reverse(
            "influencers:collaboration_detail",
            kwargs={"brand_slug": self.brand.slug, "pk": self.pk},
        )


class Deliverable(BrandOwned):
    """What the influencer promised: ``count`` pieces of one format on one platform."""

    class Format(models.TextChoices):
        POST = "post", "Post"
        STORY = "story", "Story"
        VIDEO = "video", "Video"
        REEL = "reel", "Reel"
        LIVE = "live", "Live"
        ARTICLE = "article", "Article"

    brand = models.ForeignKey("socialhub.Brand", on_delete=models.CASCADE, related_name="+")
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="deliverables"
    )
    platform = models.CharField(max_length=16, choices=InfluencerPlatform.choices)
    format = models.CharField(max_length=8, choices=Format.choices, default=Format.POST)
    count = models.PositiveSmallIntegerField(default=1)
    due_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return f"{self.count} × {self.get_format_display()} on {self.get_platform_display()}"


class ContentLink(BrandOwned):
    """A post the collaboration produced: typed by the team (its URL) or found by
    listening (the influencer's mention of the campaign), and the mention it matched."""

    class MatchedBy(models.TextChoices):
        NONE = "", "Not heard yet"
        URL = "url", "Its URL"
        AUTHOR = "author", "The influencer's profile, during the campaign"

    brand = models.ForeignKey("socialhub.Brand", on_delete=models.CASCADE, related_name="+")
    collaboration = models.ForeignKey(Collaboration, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(max_length=1000, blank=True)
    # Typed by the team (kept on edits) or found by the matching (replaced by it).
    typed = models.BooleanField(default=True)
    mention = models.ForeignKey(
        "listening.Mention",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="collaboration_links",
    )
    matched_by = models.CharField(max_length=8, choices=MatchedBy.choices, blank=True)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaboration", "mention"],
                condition=Q(mention__isnull=False),
                name="unique_collaboration_mention",
            )
        ]

    def __str__(self) -> str:
        return self.url or f"mention {self.mention_id}"
