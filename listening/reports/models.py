"""Reports models: who receives a brand's weekly digest, and which week they last got."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from socialhub.models import BrandOwned


class DigestSubscription(BrandOwned):
    """A member's opt-in to a brand's weekly digest email (one row per user × brand).

    ``last_sent_week`` is the Monday (brand-local date) of the last digest sent to this
    person: the weekly send claims it with one conditional UPDATE, so a digest goes out
    at most once a week per person, however often the task runs.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_subscriptions"
    )
    is_active = models.BooleanField(default=True)
    last_sent_week = models.DateField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["brand_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "user"], name="unique_digest_subscription")
        ]

    def __str__(self) -> str:
        state = "on" if self.is_active else "off"
        return f"Digest of {self.brand_id} for {self.user_id}: {state}"
