"""Serializers of the listening API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from listening import services
from listening.models import Mention, Platform, Query, Source


class SourceSerializer(serializers.ModelSerializer):
    health = serializers.CharField(read_only=True)

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

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # Secrets are write-only.
        data["config"] = {
            k: ("••••" if k in {"access_token", "client_secret", "app_password"} else v)
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

    def validate_expression(self, value: str) -> str:
        services.query_validate(value)
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


class IngestRequestSerializer(serializers.Serializer):
    posts = serializers.ListField(
        child=serializers.DictField(),
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
