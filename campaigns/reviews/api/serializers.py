"""Serializers of the reviews API: a review with its decisions nested (written in one
request, all or nothing) and its KPI snapshot (read-only)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from campaigns.models import Campaign, ContentPost, Review, ReviewDecision
from campaigns.reviews import services
from campaigns.reviews.checklist import ANSWER_MAX_LENGTH, KEYS
from listening.models import Query
from socialhub.api.serializers import UserSummarySerializer


def _messages(exc: DjangoValidationError) -> list[str]:
    return list(exc.messages)


class ReviewLinkSerializer(serializers.Serializer):
    label = serializers.CharField(
        max_length=services.LINK_LABEL_MAX_LENGTH, required=False, allow_blank=True
    )
    url = serializers.CharField(
        max_length=services.LINK_URL_MAX_LENGTH, help_text="An http:// or https:// URL."
    )


class ReviewDecisionSerializer(serializers.ModelSerializer):
    """One decision. ``id``: give it to change an existing decision of the review; leave
    it out for a new one. ``query`` is one of the brand's queries, ``posts`` the
    campaign's posts."""

    id = serializers.IntegerField(required=False)
    query = serializers.PrimaryKeyRelatedField(
        queryset=Query.objects.none(), required=False, allow_null=True
    )
    posts = serializers.PrimaryKeyRelatedField(
        queryset=ContentPost.objects.none(), many=True, required=False
    )
    links = ReviewLinkSerializer(many=True, required=False)

    class Meta:
        model = ReviewDecision
        fields = ["id", "verdict", "subject", "note", "query", "posts", "links", "created_at"]
        read_only_fields = ["created_at"]

    def validate_links(self, links):
        try:
            return services.clean_links(links)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(_messages(exc)) from None


class ReviewSerializer(serializers.ModelSerializer):
    """A review of a campaign. ``answers`` maps checklist keys to text; ``decisions`` is
    the full list (on update it replaces the review's decisions: keep an ``id`` to
    change one in place); ``kpi_snapshot`` is the KPIs as they were when it was created."""

    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.none())
    author = UserSummarySerializer(read_only=True)
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=ANSWER_MAX_LENGTH),
        required=False,
        help_text="{question key: answer}. Keys: " + ", ".join(KEYS) + ".",
    )
    kpi_snapshot = serializers.ListField(
        child=serializers.DictField(),
        read_only=True,
        help_text="The campaign's KPIs when the review was created (campaigns.kpis results).",
    )
    decisions = ReviewDecisionSerializer(many=True, required=False)

    class Meta:
        model = Review
        fields = [
            "id",
            "campaign",
            "date",
            "author",
            "answers",
            "summary",
            "kpi_snapshot",
            "decisions",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {"date": {"required": False}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        brand = self.context.get("brand")
        request = self.context.get("request")
        if brand is not None and request is not None:
            # Related fields are brand-scoped: a foreign id is a field error.
            user = request.user
            self.fields["campaign"].queryset = Campaign.objects.for_user(user).filter(brand=brand)
            decision = self.fields["decisions"].child
            decision.fields["query"].queryset = Query.objects.for_user(user).filter(brand=brand)
            decision.fields["posts"].child_relation.queryset = ContentPost.objects.for_user(
                user
            ).filter(brand=brand)
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["campaign"].read_only = True

    def validate_answers(self, answers):
        try:
            return services.clean_answers(answers)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                [m for ms in exc.message_dict.values() for m in ms]
            ) from None

    def validate(self, attrs):
        campaign = attrs.get("campaign") or getattr(self.instance, "campaign", None)
        decisions = attrs.get("decisions")
        if campaign is None or decisions is None:
            return attrs
        existing = set()
        if self.instance is not None:
            existing = set(self.instance.decisions.values_list("pk", flat=True))
        errors, bad = [], False
        for data in decisions:
            problems = {}
            strangers = [p.pk for p in data.get("posts", []) if p.campaign_id != campaign.pk]
            if strangers:
                problems["posts"] = [
                    f"Not posts of this campaign: {', '.join(map(str, strangers))}."
                ]
            if data.get("id") is not None and data["id"] not in existing:
                problems["id"] = ["Not a decision of this review; leave the id out for a new one."]
            bad = bad or bool(problems)
            errors.append(problems)
        if bad:
            raise serializers.ValidationError({"decisions": errors})
        return attrs
