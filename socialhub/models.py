"""The tenancy core: people, agencies, client brands, roles and the audit trail.

Access rules live in ``socialhub.access``; this module only holds data and its
database constraints.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.timezone import now

from socialhub.access import AgencyQuerySet, BrandQuerySet, BrandScopedQuerySet


class UserManager(BaseUserManager["User"]):
    """Users are identified by email; there are no usernames."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in. Email is the login; one account across agencies."""

    username = None
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email


def validate_timezone(value: str) -> None:
    """Refuse a time zone name the IANA database does not know."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone (e.g. Europe/Berlin).")


class Agency(models.Model):
    """An agency (or an in-house team): the tenant that owns client brands."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    require_mfa = models.BooleanField(
        default=False,
        help_text="Every member must set up two-factor authentication before using the app.",
    )
    created_at = models.DateTimeField(default=now, editable=False)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("socialhub:agency_overview", kwargs={"agency_slug": self.slug})


class AgencyMembership(models.Model):
    """A person belongs to an agency; an agency admin holds every brand of it."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_memberships"
    )
    is_admin = models.BooleanField("agency admin", default=False)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["agency__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "user"], name="unique_agency_member"),
        ]

    def __str__(self) -> str:
        suffix = " (admin)" if self.is_admin else ""
        return f"{self.user} in {self.agency}{suffix}"


class Brand(models.Model):
    """A client brand of an agency: everything listened to and planned belongs to one."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="brands")
    name = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        help_text="Used in the brand's addresses: /b/<slug>/. Lowercase letters, digits, dashes.",
    )
    timezone = models.CharField(
        max_length=64, default="UTC", validators=[validate_timezone], help_text="IANA name."
    )
    languages = models.JSONField(
        default=list, blank=True, help_text="ISO 639-1 codes the brand listens in, e.g. en, zh."
    )
    competitors = models.JSONField(
        default=list, blank=True, help_text="Names of competitors to listen for."
    )
    description = models.TextField(blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now, editable=False)

    objects = BrandQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("socialhub:brand_home", kwargs={"brand_slug": self.slug})

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class BrandOwned(models.Model):
    """Base for every brand-scoped model: a brand FK and the scoped queryset.

    ``Model.objects.for_user(user)`` keeps the rows of brands the user holds a role in.
    """

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")

    objects = BrandScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class Role(models.TextChoices):
    """A person's role in one brand. Agency admins hold every brand without a row."""

    MANAGER = "manager", "Manager"
    ANALYST = "analyst", "Analyst"
    CLIENT = "client", "Client"


class BrandMembership(BrandOwned):
    """A person's role in one brand."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="brand_memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["brand__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "user"], name="unique_brand_member"),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="brand_member_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.brand}"


class Invitation(models.Model):
    """An emailed, single-use, expiring invitation to join an agency with brand roles.

    ``brand_roles`` maps brand ids (as strings) to a role; accepting grants them.
    Only a hash of the token is stored, so a database leak gives no working links.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    is_admin = models.BooleanField("agency admin", default=False)
    brand_roles = models.JSONField(default=dict, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now, editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.agency}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now():
            return "expired"
        return "pending"


# What the actions outside the tenancy core are about: by the whole action, else by
# the part before the dot.
AUDIT_SUBJECTS = {
    "review.decision_recorded": "decision",
    "phrase_rule.applied": "phrase rules",
    "influencer.imported": "directory import",
    "source": "source",
    "query": "query",
    "mention": "mention",
    "phrase_rule": "phrase rule",
    "import": "import",
    "alert_rule": "alert rule",
    "campaign": "campaign",
    "kpi": "KPI",
    "kpi_entry": "figure",
    "post": "post",
    "channel": "channel",
    "approval_link": "approval link",
    "calendar_feed": "calendar feed",
    "review": "review",
    "relationship": "relationship",
    "interaction": "interaction",
    "collaboration": "collaboration",
    "influencer": "influencer",
}

# How the ``count`` of an action's detail reads: “re-scored 12 mentions”.
AUDIT_COUNTS = {
    "phrase_rule.applied": ("re-scored", "mention"),
    "influencer.imported": ("added", "influencer"),
}


class AuditEvent(models.Model):
    """Who did what to whom, when: role changes, invitations, removals, brand changes,
    and the changes people make to a brand's listening, campaigns, calendar and
    influencers (recorded by each app's services, in the transaction of the change)."""

    class Action(models.TextChoices):
        BRAND_CREATED = "brand.created", "Brand created"
        BRAND_UPDATED = "brand.updated", "Brand updated"
        BRAND_ARCHIVED = "brand.archived", "Brand archived"
        BRAND_RESTORED = "brand.restored", "Brand restored"
        MEMBER_INVITED = "member.invited", "Member invited"
        INVITATION_REVOKED = "invitation.revoked", "Invitation revoked"
        INVITATION_ACCEPTED = "invitation.accepted", "Invitation accepted"
        ROLE_GRANTED = "role.granted", "Role granted"
        ROLE_CHANGED = "role.changed", "Role changed"
        ROLE_REVOKED = "role.revoked", "Role removed"
        ADMIN_GRANTED = "admin.granted", "Made agency admin"
        ADMIN_REVOKED = "admin.revoked", "Agency admin removed"
        MEMBER_REMOVED = "member.removed", "Removed from agency"
        AGENCY_UPDATED = "agency.updated", "Agency settings changed"
        # listening
        SOURCE_CREATED = "source.created", "Source added"
        SOURCE_UPDATED = "source.updated", "Source changed"
        SOURCE_DELETED = "source.deleted", "Source deleted"
        QUERY_CREATED = "query.created", "Query added"
        QUERY_UPDATED = "query.updated", "Query changed"
        QUERY_PAUSED = "query.paused", "Query switched off"
        QUERY_RESUMED = "query.resumed", "Query switched on"
        QUERY_DELETED = "query.deleted", "Query deleted"
        PHRASE_RULE_CREATED = "phrase_rule.created", "Phrase rule added"
        PHRASE_RULE_DELETED = "phrase_rule.deleted", "Phrase rule removed"
        PHRASE_RULES_APPLIED = "phrase_rule.applied", "Phrase rules applied"
        MENTION_SENTIMENT_CHANGED = "mention.sentiment_changed", "Mention sentiment corrected"
        IMPORT_STARTED = "import.started", "Import started"
        ALERT_RULE_CREATED = "alert_rule.created", "Alert rule added"
        ALERT_RULE_UPDATED = "alert_rule.updated", "Alert rule changed"
        ALERT_RULE_DELETED = "alert_rule.deleted", "Alert rule deleted"
        # campaigns
        CAMPAIGN_CREATED = "campaign.created", "Campaign created"
        CAMPAIGN_UPDATED = "campaign.updated", "Campaign changed"
        CAMPAIGN_STATUS_CHANGED = "campaign.status_changed", "Campaign status changed"
        CAMPAIGN_ARCHIVED = "campaign.archived", "Campaign archived"
        CAMPAIGN_DELETED = "campaign.deleted", "Campaign deleted"
        KPI_CREATED = "kpi.created", "KPI added"
        KPI_UPDATED = "kpi.updated", "KPI changed"
        KPI_DELETED = "kpi.deleted", "KPI removed"
        KPI_ENTRY_CREATED = "kpi_entry.created", "Figure added"
        KPI_ENTRY_UPDATED = "kpi_entry.updated", "Figure changed"
        KPI_ENTRY_DELETED = "kpi_entry.deleted", "Figure removed"
        # the content calendar
        POST_CREATED = "post.created", "Post created"
        POST_UPDATED = "post.updated", "Post changed"
        POST_SUBMITTED = "post.submitted", "Post submitted for review"
        POST_SCHEDULED = "post.scheduled", "Post scheduled"
        POST_CANCELLED = "post.cancelled", "Post cancelled"
        POST_APPROVED = "post.approved", "Post approved"
        POST_CHANGES_REQUESTED = "post.changes_requested", "Changes requested"
        POST_MARKED_PUBLISHED = "post.marked_published", "Post marked published"
        CHANNEL_CREATED = "channel.created", "Channel added"
        CHANNEL_UPDATED = "channel.updated", "Channel changed"
        CHANNEL_CREDENTIALS_CHANGED = "channel.credentials_changed", "Channel credentials changed"
        APPROVAL_LINK_CREATED = "approval_link.created", "Approval link created"
        APPROVAL_LINK_REVOKED = "approval_link.revoked", "Approval link revoked"
        CALENDAR_FEED_RESET = "calendar_feed.reset", "Calendar feed link reset"
        # reviews
        REVIEW_COMPLETED = "review.completed", "Review completed"
        REVIEW_UPDATED = "review.updated", "Review changed"
        REVIEW_DELETED = "review.deleted", "Review deleted"
        REVIEW_DECISION_RECORDED = "review.decision_recorded", "Decision recorded"
        # influencers
        RELATIONSHIP_OPENED = "relationship.opened", "Relationship opened"
        RELATIONSHIP_STAGE_CHANGED = "relationship.stage_changed", "Relationship stage changed"
        RELATIONSHIP_OWNER_CHANGED = "relationship.owner_changed", "Relationship owner changed"
        RELATIONSHIP_DELETED = "relationship.deleted", "Relationship deleted"
        INTERACTION_LOGGED = "interaction.logged", "Interaction logged"
        COLLABORATION_CREATED = "collaboration.created", "Collaboration created"
        COLLABORATION_STATUS_CHANGED = (
            "collaboration.status_changed",
            "Collaboration status changed",
        )
        COLLABORATION_DELETED = "collaboration.deleted", "Collaboration deleted"
        # the agency's influencer directory (rows without a brand)
        INFLUENCER_CREATED = "influencer.created", "Influencer added"
        INFLUENCER_UPDATED = "influencer.updated", "Influencer changed"
        INFLUENCER_DELETED = "influencer.deleted", "Influencer deleted"
        INFLUENCERS_IMPORTED = "influencer.imported", "Influencers imported"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="audit_events")
    brand = models.ForeignKey(
        Brand, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=32, choices=Action.choices)
    target_email = models.EmailField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=now, editable=False, db_index=True)

    # Agency-owned; rows about one brand are also read through the brand scope.
    objects = BrandScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.target_email or self.brand}"

    @property
    def summary(self) -> str:
        """A sentence for the audit list, e.g. “analyst → manager in Acme”, or for a
        brand's objects “query “Acme” in Acme: changed expression, languages”."""
        d = self.detail or {}
        subject = AUDIT_SUBJECTS.get(self.action) or AUDIT_SUBJECTS.get(
            self.action.partition(".")[0]
        )
        if subject is not None:
            return self._object_summary(subject, d)
        parts = []
        old, new = d.get("from_role"), d.get("to_role")
        if old and new:
            parts.append(f"{old} → {new}")
        elif new:
            parts.append(f"as {new}")
        elif old:
            parts.append(f"was {old}")
        elif d.get("roles"):
            parts.append(", ".join(f"{role} in {name}" for name, role in d["roles"].items()))
        if self.brand_id and self.brand and not d.get("roles"):
            parts.append(f"in {self.brand.name}")
        if d.get("changes"):
            parts.append("changed " + ", ".join(d["changes"]))
        return " ".join(parts)

    def _object_summary(self, subject: str, d: dict) -> str:
        """“<kind> <subject> “<name>” of <date> on “<campaign>” in <brand>: <what
        happened>”, from the detail keys the services write: name, kind, date, campaign,
        field/from/to, changes, count (read through ``AUDIT_COUNTS``), via_link (the
        recipient of the approval link that acted)."""

        def words(value: object) -> str:
            # Codes read as words (at_risk → at risk); names and emails stay as they are.
            text = str(value)
            return text.replace("_", " ") if text.isidentifier() else text

        head = f"{words(d['kind'])} {subject}" if d.get("kind") else subject
        if d.get("name"):
            head += f" “{d['name']}”"
        if d.get("date"):
            head += f" of {d['date']}"
        if d.get("campaign"):
            head += f" on “{d['campaign']}”"
        if self.brand_id and self.brand:
            head += f" in {self.brand.name}"
        tail = []
        if d.get("field") and d.get("from") is not None and d.get("to") is not None:
            tail.append(f"{words(d['field'])} {words(d['from'])} → {words(d['to'])}")
        elif d.get("field") and d.get("to") is not None:
            tail.append(f"{words(d['field'])} {words(d['to'])}")
        # The field told as from → to above is not listed again.
        changes = [words(c) for c in d.get("changes") or [] if c != d.get("field")]
        if changes:
            tail.append("changed " + ", ".join(changes))
        if d.get("count") is not None and self.action in AUDIT_COUNTS:
            verb, noun = AUDIT_COUNTS[self.action]
            tail.append(f"{verb} {d['count']} {noun}{'' if d['count'] == 1 else 's'}")
        if d.get("via_link"):
            tail.append(f"by {d['via_link']} through an approval link")
        return f"{head}: {', '.join(tail)}" if tail else head
