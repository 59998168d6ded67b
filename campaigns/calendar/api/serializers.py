"""Serializers of the calendar API: channels (secrets write-only, shown as "set"),
posts with their workflow, approval links."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaigns.calendar import selectors, services
from campaigns.models import (
    ApprovalLink,
    Campaign,
    ContentPost,
    PostComment,
    PostMedia,
    SocialAccount,
)
from socialhub.api.serializers import UserSummarySerializer


class SocialAccountSerializer(serializers.ModelSerializer):
    """A channel. Publishing secrets are write-only; ``credentials`` says which are set."""

    instance = serializers.URLField(write_only=True, required=False, allow_blank=True)
    access_token = serializers.CharField(
        write_only=True, required=False, allow_blank=True, help_text="Mastodon; blank keeps it."
    )
    identifier = serializers.CharField(write_only=True, required=False, allow_blank=True)
    app_password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, help_text="Bluesky; blank keeps it."
    )
    credentials = serializers.SerializerMethodField()
    can_publish = serializers.BooleanField(read_only=True)

    class Meta:
        model = SocialAccount
        fields = [
            "id",
            "platform",
            "handle",
            "url",
            "is_active",
            "credentials_expire_at",
            "can_publish",
            "credentials",
            "instance",
            "access_token",
            "identifier",
            "app_password",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_credentials(self, account: SocialAccount) -> dict[str, str]:
        return {
            k: ("set" if k in services.SECRET_KEYS else v)
            for k, v in (account.credentials or {}).items()
        }

    def split(self) -> tuple[dict, dict | None]:
        data = dict(self.validated_data)
        creds = {
            k: data.pop(k)
            for k in ("instance", "access_token", "identifier", "app_password")
            if k in data
        }
        return data, (creds or None)


class PostMediaSerializer(serializers.ModelSerializer):
    class Meta:
        model = PostMedia
        fields = ["id", "file", "content_type", "size", "width", "height", "alt_text"]
        read_only_fields = fields


STATUS_HELP = "One of: " + ", ".join(ContentPost.Status.values) + "."


class ContentPostSerializer(serializers.ModelSerializer):
    """A post; ``account`` and ``campaign`` are ids of this brand's channels and campaigns.
    The status changes only through the actions."""

    account = serializers.PrimaryKeyRelatedField(queryset=SocialAccount.objects.none())
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.none(), required=False, allow_null=True
    )
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    labels = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    author = UserSummarySerializer(read_only=True)
    media = PostMediaSerializer(many=True, read_only=True)

    class Meta:
        model = ContentPost
        fields = [
            "id",
            "account",
            "campaign",
            "text",
            "link",
            "scheduled_at",
            "labels",
            "status",
            "author",
            "media",
            "published_at",
            "published_url",
            "external_id",
            "failure_reason",
            "publish_attempts",
            "mention",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "published_at",
            "published_url",
            "external_id",
            "failure_reason",
            "publish_attempts",
            "mention",
            "created_at",
            "updated_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        brand = self.context.get("brand")
        if brand is not None:
            # Related fields are brand-scoped: a foreign id is a field error.
            self.fields["account"].queryset = selectors.social_accounts(brand)
            self.fields["campaign"].queryset = selectors.brand_campaigns(brand)


class CommentBodySerializer(serializers.Serializer):
    text = serializers.CharField()


class DecisionBodySerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ChangesBodySerializer(serializers.Serializer):
    comment = serializers.CharField(help_text="What should change (required).")


class ScheduleBodySerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Defaults to the post's own time."
    )


class RescheduleBodySerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField()


class MarkPublishedBodySerializer(serializers.Serializer):
    url = serializers.URLField(max_length=1000)


class PostCommentSerializer(serializers.ModelSerializer):
    author = UserSummarySerializer(read_only=True)
    mentioned = UserSummarySerializer(many=True, read_only=True)

    class Meta:
        model = PostComment
        fields = ["id", "post", "author", "text", "mentioned", "created_at"]
        read_only_fields = fields


class ApprovalLinkSerializer(serializers.ModelSerializer):
    days = serializers.IntegerField(
        write_only=True, min_value=1, max_value=90, default=services.APPROVAL_LINK_DAYS
    )
    url = serializers.SerializerMethodField()
    is_valid = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApprovalLink
        fields = [
            "id",
            "recipient_name",
            "recipient_email",
            "days",
            "url",
            "is_valid",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
        ]
        read_only_fields = ["created_at", "expires_at", "revoked_at", "last_used_at"]

    @extend_schema_field(serializers.URLField())
    def get_url(self, link: ApprovalLink) -> str:
        from django.urls import reverse

        path = reverse("calendar_public:approve", kwargs={"token": link.token})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path
