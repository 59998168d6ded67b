"""Serializers of the listening API."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from listening import services
from listening.forms import SECRET_KEYS
from listening.models import Mention, Platform, Query, Source

# What a secret setting reads as; sent back unchanged, it keeps the stored secret.
SECRET_MASK = "••••"


def _messages(exc: DjangoValidationError) -> dict | list:
    """A Django ValidationError as DRF error detail: by field when it has fields."""
    return exc.message_dict if hasattr(exc, "error_dict") else exc.messages


class SourceSerializer(serializers.ModelSerializer):
    health = serializers.CharField(read_only=True)
    # As on the page: at least a minute, at most a day (0 would poll without pause).
    poll_interval = serializers.IntegerField(
        min_value=1, max_value=1440, required=False, help_text="Minutes between fetches."
    )

    class Meta:
        model = Source
        fields = [
            "id",
            "name",
            "kind",
            "config",
            "poll_interval",
            "is_active",
            "health",
            "last_success_at",
            "last_error_at",
            "last_error",
            "consecutive_failures",
            "next_poll_at",
            "posts_fetched",
            "created_at",
        ]
        read_only_fields = [
            "health",
            "last_success_at",
            "last_error_at",
            "last_error",
            "consecutive_failures",
            "next_poll_at",
            "posts_fetched",
            "created_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["kind"].read_only = True

    def validate_config(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError(
                'Enter an object of settings, e.g. {"url": "https://example.com/feed.xml"}.'
            )
        return value

    def validate(self, attrs):
        # The connector's own check, with its errors under "config" by setting name.
        if self.instance is not None and "config" not in attrs:
            return attrs
        kind = self.instance.kind if self.instance is not None else attrs.get("kind")
        config = dict(attrs.get("config") or {})
        if self.instance is not None:
            # A secret read back masked (and sent again unchanged) keeps the stored one.
            for key in SECRET_KEYS & set(config):
                if config[key] == SECRET_MASK:
                    if key in self.instance.config:
                        config[key] = self.instance.config[key]
                    else:
                        del config[key]
        try:
            attrs["config"] = services.source_validate_config(kind, config)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"config": _messages(exc)}) from exc
        return attrs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # Secrets are write-only.
        data["config"] = {
            k: (SECRET_MASK if k in SECRET_KEYS else v)
            for k, v in (data.get("config") or {}).items()
        }
        return data


class QuerySerializer(serializers.ModelSerializer):
    languages = serializers.ListField(
        child=serializers.RegexField(r"^[a-z]{2}$"), required=False, max_length=50
    )
    platforms = serializers.ListField(
        child=serializers.ChoiceField(choices=Platform.choices), required=False
    )

    class Meta:
        model = Query
        fields = [
            "id",
            "name",
            "kind",
            "expression",
            "languages",
            "platforms",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_name(self, value: str) -> str:
        # The unique (brand, name) constraint, said on the field.
        view = self.context.get("view")
        if view is not None and not getattr(view, "swagger_fake_view", False):
            taken = view.get_queryset().filter(name=value.strip())
            if self.instance is not None:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                raise serializers.ValidationError("The brand already has a query of this name.")
        return value

    def validate_expression(self, value: str) -> str:
        try:
            services.query_validate(value)
        except DjangoValidationError as exc:
            # One message (where, and what was expected), not nested under the field twice.
            raise serializers.ValidationError(exc.message_dict["expression"]) from exc
        return value


class ExpressionSerializer(serializers.Serializer):
    expression = serializers.CharField()


class LintWarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    position = serializers.IntegerField()


class ValidationResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    error = serializers.CharField(allow_null=True)
    position = serializers.IntegerField(allow_null=True)
    warnings = LintWarningSerializer(many=True)


class MentionQuerySerializer(serializers.ModelSerializer):
    class Meta:
        model = Query
        fields = ["id", "name", "kind"]


class MentionSerializer(serializers.ModelSerializer):
    text = serializers.CharField(source="post.text")
    url = serializers.CharField(source="post.url")
    external_id = serializers.CharField(source="post.external_id")
    author = serializers.SerializerMethodField()
    reach = serializers.IntegerField(source="post.reach")
    likes = serializers.IntegerField(source="post.likes")
    shares = serializers.IntegerField(source="post.shares")
    replies = serializers.IntegerField(source="post.replies")
    ingested_at = serializers.DateTimeField(source="post.ingested_at")
    time_to_mention_s = serializers.SerializerMethodField(
        help_text="Seconds from publication to ingestion."
    )
    queries = MentionQuerySerializer(many=True, read_only=True)

    class Meta:
        model = Mention
        fields = [
            "id",
            "platform",
            "external_id",
            "url",
            "text",
            "lang",
            "author",
            "published_at",
            "ingested_at",
            "time_to_mention_s",
            "reach",
            "likes",
            "shares",
            "replies",
            "sentiment",
            "sentiment_score",
            "sentiment_source",
            "queries",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_author(self, mention: Mention) -> dict | None:
        author = mention.post.author
        if author is None:
            return None
        return {
            "handle": author.handle,
            "name": author.name,
            "url": author.url,
            "followers": author.followers,
        }

    @extend_schema_field(serializers.FloatField())
    def get_time_to_mention_s(self, mention: Mention) -> float:
        return round((mention.post.ingested_at - mention.published_at).total_seconds(), 1)


class SentimentCorrectionSerializer(serializers.Serializer):
    sentiment = serializers.ChoiceField(choices=["negative", "neutral", "positive"])


class IngestItemField(serializers.DictField):
    """One post of a batch, passed on as sent: the view checks each item on its own, so a
    bad item (even one that is not an object) is a per-item error, not a refused batch."""

    def to_internal_value(self, data):
        return data


class IngestRequestSerializer(serializers.Serializer):
    posts = serializers.ListField(
        child=IngestItemField(),
        max_length=1000,
        allow_empty=False,
        help_text="At most 1,000 posts in the normalized shape.",
    )


class IngestItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["stored", "duplicate", "unmatched", "invalid"])
    errors = serializers.DictField(required=False)


class IngestResponseSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    stored = serializers.IntegerField()
    invalid = serializers.IntegerField()
    results = IngestItemResultSerializer(many=True)
