"""Alerts: rules a brand sets on what it hears, and the incidents they raise.

An ``AlertRule`` watches the brand's hourly rollups (volume spike, negative share), the
mentions of each ingest batch (a big account, a keyword) or the emerging-terms detector.
An ``Alert`` is one incident: it opens when the rule's condition starts to hold, stays
open (no repeat) while it lasts and clears when it stops; it stores the explanation —
window, baseline, threshold, observed value — as numbers and as a sentence, and the
mention-stream filters that show the mentions behind it. ``AlertRead`` is one person's
"seen it" for the bell.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.timezone import now

from socialhub.models import BrandOwned


class AlertKind(models.TextChoices):
    VOLUME_SPIKE = "volume_spike", "Volume spike"
    NEGATIVE_SHARE = "negative_share", "Negative share"
    INFLUENCER = "influencer", "Mention by a big account"
    EMERGING_TERM = "emerging_term", "New emerging term"
    KEYWORD = "keyword", "Keyword"


class AlertRule(BrandOwned):
    """What to watch, how sensitive to be, and whom to tell.

    ``threshold`` means, per kind: the ratio to the baseline average or the z-score
    (volume spike, see ``method``); a percentage of negative mentions (negative share);
    a follower count (big account); the detector's score (emerging term); unused for a
    keyword. ``min_count`` is the fewest mentions in the window that may raise an alert.
    """

    Kind = AlertKind

    class Method(models.TextChoices):
        RATIO = "ratio", "Ratio to the baseline average"
        ZSCORE = "zscore", "Z-score against the baseline"

    brand = models.ForeignKey("socialhub.Brand", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=AlertKind.choices)
    query = models.ForeignKey(
        "listening.Query",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Only mentions heard by this query. Empty: the brand's own queries.",
    )
    method = models.CharField(
        max_length=8,
        choices=Method.choices,
        default=Method.RATIO,
        help_text="Volume spikes only: how the window is compared with the baseline.",
    )
    threshold = models.FloatField(
        default=3.0,
        validators=[MinValueValidator(0)],
        help_text=(
            "Volume spike: ratio or z-score. Negative share: percent. Big account: "
            "followers. Emerging term: the detector's score. Keyword: unused."
        ),
    )
    min_count = models.PositiveIntegerField(
        default=10,
        validators=[MinValueValidator(1)],
        help_text="The fewest mentions in the window that may raise an alert.",
    )
    keyword = models.CharField(
        max_length=200, blank=True, help_text="Keyword rules: a word or phrase, any case."
    )
    window_hours = models.PositiveIntegerField(
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 7)],
        help_text="Hours looked at, up to now (1 to 168).",
    )
    baseline_days = models.PositiveIntegerField(
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="Days before the window that make the baseline (1 to 90).",
    )
    cooldown_hours = models.PositiveIntegerField(
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
        help_text="While an incident lasts, hours before it is raised again (1 to 720).",
    )
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        help_text="Members emailed when the rule fires (everyone sees it in the app).",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    last_evaluated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "name"], name="unique_alert_rule_name")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """What each kind needs of the shared fields; errors name the field."""
        errors: dict[str, str] = {}
        threshold = self.threshold if self.threshold is not None else 0
        if self.kind == AlertKind.KEYWORD and not (self.keyword or "").strip():
            errors["keyword"] = "Write the word or phrase to watch for."
        if self.kind == AlertKind.NEGATIVE_SHARE and not 0 < threshold <= 100:
            errors["threshold"] = "A negative share is a percentage: between 0 and 100."
        if self.kind == AlertKind.VOLUME_SPIKE and threshold <= 0:
            errors["threshold"] = "A spike needs a ratio or z-score above 0."
        if self.kind == AlertKind.INFLUENCER and threshold < 1:
            errors["threshold"] = "Give the follower count an author must reach (at least 1)."
        if (
            self.kind == AlertKind.VOLUME_SPIKE
            and self.window_hours
            and self.baseline_days
            and self.window_hours > self.baseline_days * 24
        ):
            errors["baseline_days"] = (
                "The baseline must hold at least one window: make it longer than the window."
            )
        if errors:
            raise ValidationError(errors)


class Alert(BrandOwned):
    """One incident of a rule, with its explanation and the mentions behind it."""

    # Listed by (brand, -fired_at): no index of its own.
    brand = models.ForeignKey(
        "socialhub.Brand", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    # Copied from the rule: the history keeps what fired even if the rule is edited.
    kind = models.CharField(max_length=16, choices=AlertKind.choices)
    # Which incident of the rule (the term, for emerging terms); empty for the others.
    incident_key = models.CharField(max_length=200, blank=True)
    fired_at = models.DateTimeField(default=now)
    cleared_at = models.DateTimeField(null=True, blank=True)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    baseline_start = models.DateTimeField(null=True, blank=True)
    baseline_end = models.DateTimeField(null=True, blank=True)
    baseline_value = models.FloatField(null=True, blank=True)
    threshold = models.FloatField()
    observed_value = models.FloatField()
    mention_count = models.PositiveIntegerField(default=0)
    explanation = models.TextField()
    # GET parameters of the mention stream that show the mentions behind the alert.
    link_params = models.JSONField(default=dict, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-fired_at", "-id"]
        indexes = [
            models.Index(fields=["brand", "-fired_at"]),
            models.Index(fields=["rule", "incident_key", "cleared_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} at {self.fired_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None


class AlertRead(BrandOwned):
    """One person has seen one alert (the bell counts the others)."""

    brand = models.ForeignKey(
        "socialhub.Brand", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "user"], name="unique_alert_read")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.alert_id}"
