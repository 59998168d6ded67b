"""Serializers of the influencers API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaigns.models import Campaign
from influencers.models import (
    Collaboration,
    ContentLink,
    Deliverable,
    Influencer,
    InfluencerPlatform,
    InfluencerProfile,
    Interaction,
    Relationship,
    Stage,
)
from influencers.selectors import collaboration_results, owner_choices
from influencers.services import deliverable_errors
from influencers.tiers import Tier
from socialhub.access import directory_agency_ids
from socialhub.api.serializers import UserSummarySerializer
from socialhub.models import Agency, User


class InfluencerProfileSerializer(serializers.ModelSerializer):
    """A profile; ``author`` is the linked listening Author (set by the app, not input)."""

    influencer = serializers.PrimaryKeyRelatedField(queryset=Influencer.objects.none())
    platform = serializers.ChoiceField(choices=InfluencerPlatform.choices)
    followers = serializers.IntegerField(min_value=0, required=False, default=0)

    class Meta:
        model = InfluencerProfile
        fields = ["id", "influencer", "platform", "handle", "url", "followers", "author"]
        read_only_fields = ["author"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only influencers of directories the caller may use: another is a field error.
            self.fields["influencer"].queryset = Influencer.objects.for_user(request.user)
        if self.instance is not None and not isinstance(self.instance, list):
            for name in ("influencer", "platform", "handle"):
                self.fields[name].read_only = True


class NestedProfileSerializer(serializers.ModelSerializer):
    platform = serializers.ChoiceField(choices=InfluencerPlatform.choices)
    followers = serializers.IntegerField(min_value=0, required=False, default=0)

    class Meta:
        model = InfluencerProfile
        fields = ["id", "platform", "handle", "url", "followers", "author"]
        read_only_fields = ["id", "author"]


class InfluencerSerializer(serializers.ModelSerializer):
    """An influencer of an agency's directory; ``profiles`` may be given on create."""

    agency = serializers.SlugRelatedField(slug_field="slug", queryset=Agency.objects.none())
    tier = serializers.ChoiceField(choices=Tier.choices, read_only=True)
    profiles = NestedProfileSerializer(many=True, required=False)
    topics = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    languages = serializers.ListField(
        child=serializers.RegexField(r"^[a-zA-Z]{2}$", max_length=2), required=False
    )
    tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False)

    class Meta:
        model = Influencer
        fields = [
            "id",
            "agency",
            "name",
            "topics",
            "languages",
            "region",
            "email",
            "phone",
            "tags",
            "notes",
            "tier",
            "max_followers",
            "profiles",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["max_followers", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only agencies whose directory the caller may use.
            self.fields["agency"].queryset = Agency.objects.filter(
                id__in=directory_agency_ids(request.user)
            )
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["agency"].read_only = True
            self.fields["profiles"].read_only = True


class RelationshipSerializer(serializers.ModelSerializer):
    """A brand's relationship; ``influencer`` is an influencer of the brand's agency."""

    influencer = serializers.PrimaryKeyRelatedField(queryset=Influencer.objects.none())
    influencer_name = serializers.CharField(source="influencer.name", read_only=True)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), required=False, allow_null=True
    )
    owner_detail = UserSummarySerializer(source="owner", read_only=True)
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)

    class Meta:
        model = Relationship
        fields = [
            "id",
            "influencer",
            "influencer_name",
            "stage",
            "owner",
            "owner_detail",
            "next_step",
            "next_step_due",
            "health_score",
            "health_previous",
            "health_mentions",
            "health_trend",
            "health_checked_at",
            "suggested_stage",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "health_score",
            "health_previous",
            "health_mentions",
            "health_trend",
            "health_checked_at",
            "suggested_stage",
            "created_at",
            "updated_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        brand = self.context.get("brand")
        if brand is not None:
            # Related fields are brand-scoped: a foreign id is a field error.
            self.fields["influencer"].queryset = Influencer.objects.filter(
                agency_id=brand.agency_id
            )
            self.fields["owner"].queryset = owner_choices(brand)
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["influencer"].read_only = True
            # Stages change through the move action.
            self.fields["stage"].read_only = True


class RelationshipMoveSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)


class InteractionSerializer(serializers.ModelSerializer):
    """One contact on a relationship of this brand."""

    relationship = serializers.PrimaryKeyRelatedField(queryset=Relationship.objects.none())
    by = UserSummarySerializer(read_only=True)
    kind = serializers.ChoiceField(choices=Interaction.Kind.choices)

    class Meta:
        model = Interaction
        fields = ["id", "relationship", "kind", "date", "summary", "outcome", "by", "created_at"]
        read_only_fields = ["created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        brand = self.context.get("brand")
        request = self.context.get("request")
        if brand is not None and request is not None:
            self.fields["relationship"].queryset = Relationship.objects.for_user(
                request.user
            ).filter(brand=brand)


class DeliverableSerializer(serializers.ModelSerializer):
    platform = serializers.ChoiceField(choices=InfluencerPlatform.choices)
    format = serializers.ChoiceField(choices=Deliverable.Format.choices, required=False)
    count = serializers.IntegerField(min_value=1, required=False, default=1)

    class Meta:
        model = Deliverable
        fields = ["id", "platform", "format", "count", "due_date"]
        read_only_fields = ["id"]


class ContentLinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContentLink
        fields = ["id", "url", "typed", "mention", "matched_by"]
        read_only_fields = ["id", "typed", "mention", "matched_by"]


class CollaborationResultsSerializer(serializers.Serializer):
    posts = serializers.IntegerField()
    reach = serializers.IntegerField()
    engagement = serializers.IntegerField()
    engagement_rate = serializers.FloatField(allow_null=True, help_text="Percent.")
    clicks = serializers.IntegerField()
    cost_per_engagement = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    emv = serializers.DecimalField(max_digits=14, decimal_places=2)


class CollaborationSerializer(serializers.ModelSerializer):
    """An influencer's collaboration on a campaign of this brand, with its deliverables
    and content URLs (written together, all or nothing) and read-only results."""

    relationship = serializers.PrimaryKeyRelatedField(queryset=Relationship.objects.none())
    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.none())
    influencer_name = serializers.CharField(source="relationship.influencer.name", read_only=True)
    status = serializers.ChoiceField(choices=Collaboration.Status.choices, required=False)
    fee = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    currency = serializers.CharField(max_length=3, required=False)
    clicks = serializers.IntegerField(min_value=0, required=False)
    deliverables = DeliverableSerializer(many=True, required=False)
    links = ContentLinkSerializer(many=True, required=False)
    results = serializers.SerializerMethodField()

    class Meta:
        model = Collaboration
        fields = [
            "id",
            "relationship",
            "influencer_name",
            "campaign",
            "status",
            "fee",
            "currency",
            "clicks",
            "notes",
            "deliverables",
            "links",
            "results",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        brand = self.context.get("brand")
        request = self.context.get("request")
        if brand is not None and request is not None:
            # Related fields are brand-scoped: a foreign id is a field error.
            self.fields["relationship"].queryset = Relationship.objects.for_user(
                request.user
            ).filter(brand=brand)
            self.fields["campaign"].queryset = Campaign.objects.for_user(request.user).filter(
                brand=brand
            )
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["relationship"].read_only = True
            self.fields["campaign"].read_only = True

    @extend_schema_field(CollaborationResultsSerializer)
    def get_results(self, obj):
        r = collaboration_results(obj)
        return CollaborationResultsSerializer(
            {
                "posts": r.posts,
                "reach": r.reach,
                "engagement": r.engagement,
                "engagement_rate": r.engagement_rate,
                "clicks": r.clicks,
                "cost_per_engagement": r.cost_per_engagement,
                "emv": r.emv,
            }
        ).data

    def validate(self, attrs):
        # Per deliverable, by field: a due date before the campaign starts.
        campaign = attrs.get("campaign") or getattr(self.instance, "campaign", None)
        rows = attrs.get("deliverables")
        if rows:
            problems = deliverable_errors(campaign, rows)
            if any(problems):
                raise serializers.ValidationError({"deliverables": problems})
        return attrs
