"""Serializers of the inbox API."""

from __future__ import annotations

from rest_framework import serializers

from listening.inbox.models import Category, InboxItem, InboxNote, Priority, Status
from socialhub.api.serializers import UserSummarySerializer


class InboxMentionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="mention.id")
    platform = serializers.CharField(source="mention.platform")
    sentiment = serializers.CharField(source="mention.sentiment")
    lang = serializers.CharField(source="mention.lang")
    text = serializers.CharField(source="mention.post.text")
    url = serializers.CharField(source="mention.post.url")
    reach = serializers.IntegerField(source="mention.post.reach")
    author_handle = serializers.CharField(
        source="mention.post.author.handle", default="", allow_null=True
    )
    author_name = serializers.CharField(
        source="mention.post.author.name", default="", allow_null=True
    )
    author_followers = serializers.IntegerField(
        source="mention.post.author.followers", default=None, allow_null=True
    )


STATUS_HELP = "One of: " + ", ".join(Status.values) + "."


def _status(value: str) -> str:
    if value not in Status.values:
        raise serializers.ValidationError(f"“{value}” is not a status. {STATUS_HELP}")
    return value


class InboxItemSerializer(serializers.ModelSerializer):
    mention = InboxMentionSerializer(source="*", read_only=True)
    # Plain strings and numbers in the schema: the enums are documented on the actions
    # (and an inbox "status" enum would collide with other apps' "status" enums).
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    priority_override = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="A hand-set priority, or null."
    )
    assignee = UserSummarySerializer(read_only=True)
    replied_by = UserSummarySerializer(read_only=True)
    priority_label = serializers.CharField(read_only=True)
    response_seconds = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Seconds from the mention's publication to the first response.",
    )

    class Meta:
        model = InboxItem
        fields = [
            "id",
            "mention",
            "published_at",
            "status",
            "assignee",
            "category",
            "priority",
            "priority_label",
            "priority_auto",
            "priority_override",
            "reply_text",
            "reply_url",
            "replied_by",
            "replied_at",
            "first_response_at",
            "response_seconds",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(
        allow_null=True, help_text="A user id of someone who may triage in the brand; null: nobody."
    )


class StatusSerializer(serializers.Serializer):
    status = serializers.CharField(help_text=STATUS_HELP, validators=[_status])


class CategorizeSerializer(serializers.Serializer):
    category = serializers.ChoiceField(
        choices=[("", "No category"), *Category.choices], allow_blank=True
    )


class PrioritySerializer(serializers.Serializer):
    priority = serializers.ChoiceField(
        choices=Priority.choices, allow_null=True, help_text="null: back to the computed priority."
    )


class ReplySerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    url = serializers.URLField(max_length=1000, required=False, allow_blank=True, default="")


class NoteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class InboxNoteSerializer(serializers.ModelSerializer):
    author = UserSummarySerializer(read_only=True)

    class Meta:
        model = InboxNote
        fields = ["id", "text", "author", "created_at"]
        read_only_fields = fields


class BacklogBucketSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class InboxMetricsSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    sla_minutes = serializers.IntegerField()
    items = serializers.IntegerField()
    responded = serializers.IntegerField()
    median_response_seconds = serializers.FloatField(allow_null=True)
    within_sla = serializers.IntegerField()
    missed_sla = serializers.IntegerField()
    sla_share = serializers.FloatField(allow_null=True)
    open_items = serializers.IntegerField()
    backlog = BacklogBucketSerializer(many=True)


class MetricsQuerySerializer(serializers.Serializer):
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)

    def validate(self, attrs):
        since, until = attrs.get("since"), attrs.get("until")
        if since and until and until < since:
            raise serializers.ValidationError({"until": "The end comes before the start."})
        return attrs
