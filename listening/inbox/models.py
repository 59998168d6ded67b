"""The monitoring inbox: every mention a monitored query heard becomes an item a person
triages, routes and answers, with the time it took to answer.

Response times are measured from the mention's **published time** (what the author
waited), not from when the item was created: an item created late (a backfill, a slow
source) shows the wait its author really had.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from listening.models import Mention, Query, Sentiment
from socialhub.models import BrandOwned

# Queries of these kinds are monitored unless the brand chose its own list.
DEFAULT_MONITORED_KINDS = (Query.Kind.BRAND, Query.Kind.PERSON, Query.Kind.PRODUCT)
DEFAULT_SLA_MINUTES = 240


class Status(models.TextChoices):
    NEW = "new", "New"
    NEEDS_REPLY = "needs_reply", "Needs reply"
    ASSIGNED = "assigned", "Assigned"
    REPLIED = "replied", "Replied"
    CLOSED = "closed", "Closed"
    IGNORED = "ignored", "Ignored"


# Still waiting for someone: what the backlog counts.
OPEN_STATUSES = (Status.NEW, Status.NEEDS_REPLY, Status.ASSIGNED)


class Category(models.TextChoices):
    CUSTOMER_CARE = "customer_care", "Customer care"
    SALES_LEAD = "sales_lead", "Sales lead"
    PRODUCT_FEEDBACK = "product_feedback", "Product feedback"
    COMPLAINT = "complaint", "Complaint"
    PRAISE = "praise", "Praise"
    CRISIS = "crisis", "Crisis"


class Priority(models.IntegerChoices):
    """Hand-set priorities; computed ones are any score from 0 to 100."""

    URGENT = 100, "Urgent"
    HIGH = 75, "High"
    NORMAL = 40, "Normal"
    LOW = 10, "Low"


def priority_label(score: int) -> str:
    """A word for a 0–100 score, as the list shows it."""
    if score >= 90:
        return "Urgent"
    if score >= 60:
        return "High"
    if score >= 30:
        return "Normal"
    return "Low"


class InboxSettings(BrandOwned):
    """A brand's inbox settings: its response SLA and which queries feed the inbox."""

    sla_minutes = models.PositiveIntegerField(
        default=DEFAULT_SLA_MINUTES,
        help_text="The time within which every mention should get its first response.",
    )
    monitor_default_kinds = models.BooleanField(
        default=True,
        help_text="Monitor every brand, person and product query (new ones too).",
    )
    # Ids of the brand's queries, used when monitor_default_kinds is off. A list, not a
    # many-to-many, so the ingest hook reads every brand's settings in one query.
    monitored_queries = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "inbox settings"
        constraints = [
            models.UniqueConstraint(fields=["brand"], name="unique_inbox_settings_per_brand")
        ]

    def __str__(self) -> str:
        return f"Inbox settings of {self.brand_id}"

    @property
    def sla_display(self) -> str:
        return duration_display(self.sla_minutes * 60)


class RoutingRule(BrandOwned):
    """A rule applied to new items, in order: a keyword and/or a sentiment gives the item a
    category (and maybe an assignee); a rule with neither routes a category to a member."""

    keywords = models.CharField(
        max_length=300,
        blank=True,
        help_text="Comma-separated words or phrases; any of them matches (case-insensitive).",
    )
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.describe()

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip().lower() for k in self.keywords.split(",") if k.strip()]

    @property
    def is_category_route(self) -> bool:
        """Category → member: no condition of its own."""
        return not self.keyword_list and not self.sentiment

    def describe(self) -> str:
        conditions = []
        if self.keyword_list:
            conditions.append("mentions " + " or ".join(f"“{k}”" for k in self.keyword_list))
        if self.sentiment:
            conditions.append(f"is {self.get_sentiment_display().lower()}")
        who = f" → {self.assignee.display_name}" if self.assignee_id else ""
        if not conditions:
            return f"{self.get_category_display()}{who}"
        return f"If it {' and '.join(conditions)}: {self.get_category_display()}{who}"


class InboxItem(BrandOwned):
    """One mention to triage and answer, once per mention."""

    # Indexed by (brand, status) and (brand, -published_at): no index of its own.
    brand = models.ForeignKey(
        "socialhub.Brand", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    mention = models.OneToOneField(Mention, on_delete=models.CASCADE, related_name="inbox_item")
    # Denormalized from the mention: ordering, periods and backlog ages use one index.
    published_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    routing_rule = models.ForeignKey(
        RoutingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # priority = the override if a person set one, else the computed score (0–100).
    priority = models.PositiveSmallIntegerField(default=0)
    priority_auto = models.PositiveSmallIntegerField(default=0)
    priority_override = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=Priority.choices
    )
    reply_text = models.TextField(blank=True)
    reply_url = models.URLField(max_length=1000, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-priority", "-published_at", "-id"]
        indexes = [
            models.Index(fields=["brand", "status", "-priority"]),
            models.Index(fields=["brand", "-published_at"]),
        ]

    def __str__(self) -> str:
        return f"Inbox item {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def priority_label(self) -> str:
        return priority_label(self.priority)

    @property
    def response_seconds(self) -> int | None:
        """Seconds from the mention's publication to the first response."""
        if self.first_response_at is None:
            return None
        return max(0, int((self.first_response_at - self.published_at).total_seconds()))

    @property
    def response_display(self) -> str:
        seconds = self.response_seconds
        return "" if seconds is None else duration_display(seconds)


class InboxNote(BrandOwned):
    """An internal note on an item: seen by the team, never sent."""

    item = models.ForeignKey(InboxItem, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note on {self.item_id}"


class InboxEvent(BrandOwned):
    """The item's history: who changed what, from what to what, when."""

    class Kind(models.TextChoices):
        STATUS = "status", "Status"
        ASSIGNEE = "assignee", "Assignee"
        CATEGORY = "category", "Category"
        PRIORITY = "priority", "Priority"
        REPLY = "reply", "Reply"
        NOTE = "note", "Note"

    item = models.ForeignKey(InboxItem, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    from_value = models.CharField(max_length=200, blank=True)
    to_value = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.from_value} → {self.to_value}"


def duration_display(seconds: float) -> str:
    """A short human duration: 45s, 12 min, 3 h 20 min, 2 d 4 h."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
