"""Reports API serializers."""

from __future__ import annotations

from rest_framework import serializers


class DigestSubscriptionSerializer(serializers.Serializer):
    """The signed-in person's weekly digest opt-in for the brand."""

    subscribed = serializers.BooleanField(help_text="Send me the brand's weekly digest.")
    last_sent_week = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="Monday (brand-local) of the last digest sent to you, if any.",
    )
