"""Serializers of the campaigns API: campaigns (with their KPIs measured), KPIs and
the team's figures. Related ids are brand-scoped: a foreign id is a field error."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaigns import kpis as catalogue
from campaigns import selectors
from campaigns.models import Campaign, Kpi, KpiEntry, SocialAccount
from listening.models import Query
from socialhub.api.serializers import UserSummarySerializer
from socialhub.models import User

PACINGS = list(catalogue.PACING_LABELS)


class KpiResultSerializer(serializers.Serializer):
    """A KPI measured today (``campaigns.kpis.KpiResult.as_dict``)."""

    kpi = serializers.IntegerField()
    metric = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.ChoiceField(choices=["count", "percent", "ratio", "money"])
    kind = serializers.CharField()
    direction = serializers.ChoiceField(choices=Kpi.Direction.choices)
    plan = serializers.ChoiceField(choices=Kpi.Plan.choices)
    target_kind = serializers.ChoiceField(choices=Kpi.TargetKind.choices)
    target_input = serializers.FloatField()
    baseline = serializers.FloatField(allow_null=True)
    baseline_computed = serializers.BooleanField()
    target = serializers.FloatField(allow_null=True)
    current = serializers.FloatField(allow_null=True)
    expected = serializers.FloatField(allow_null=True)
    progress = serializers.FloatField(allow_null=True, help_text="Percent of the plan today.")
    pacing = serializers.ChoiceField(choices=PACINGS)
    pacing_label = serializers.CharField()
    elapsed_days = serializers.IntegerField()
    total_days = serializers.IntegerField()
    series = serializers.ListField(
        child=serializers.ListField(), help_text="[[day, value to date], …]"
    )
    plan_series = serializers.ListField(
        child=serializers.ListField(), help_text="[[day, expected value], …]"
    )
    note = serializers.CharField()


def _results(context: dict[str, Any], campaign: Campaign) -> dict[int, dict[str, Any]]:
    """The campaign's KPIs measured, once per campaign and request."""
    cache = context.setdefault("_kpi_results", {})
    if campaign.pk not in cache:
        cache[campaign.pk] = {r.kpi_id: r.as_dict() for r in catalogue.evaluate(campaign)}
    return cache[campaign.pk]


class CampaignSerializer(serializers.ModelSerializer):
    """A campaign; ``channels``, ``queries`` and ``owner`` are ids of this brand's."""

    channels = serializers.PrimaryKeyRelatedField(
        queryset=SocialAccount.objects.none(), many=True, required=False
    )
    queries = serializers.PrimaryKeyRelatedField(
        queryset=Query.objects.none(), many=True, required=False
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), required=False, allow_null=True
    )
    hashtags = serializers.ListField(
        child=serializers.CharField(max_length=101), required=False, max_length=30
    )
    tracked_links = serializers.ListField(
        child=serializers.URLField(max_length=1000), required=False, max_length=30
    )
    create_hashtag_query = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Create a listening query of kind campaign for the hashtags and attach it.",
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "objective",
            "description",
            "start_date",
            "end_date",
            "budget",
            "currency",
            "channels",
            "hashtags",
            "tracked_links",
            "owner",
            "status",
            "queries",
            "create_hashtag_query",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        brand = self.context.get("brand")
        request = self.context.get("request")
        if brand is not None and request is not None:
            self.fields["channels"].child_relation.queryset = SocialAccount.objects.for_user(
                request.user
            ).filter(brand=brand)
            self.fields["queries"].child_relation.queryset = Query.objects.for_user(
                request.user
            ).filter(brand=brand)
            self.fields["owner"].queryset = selectors.campaign_owner_choices(brand)

    def validate(self, attrs):
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        end = attrs.get("end_date", getattr(self.instance, "end_date", None))
        if start and end and end < start:
            raise serializers.ValidationError(
                {"end_date": "The end date comes before the start date."}
            )
        # The rest (currency, unique name, hashtags) is checked by the service.
        return attrs


class CampaignDetailSerializer(CampaignSerializer):
    """A campaign with its KPIs measured today."""

    kpis = serializers.SerializerMethodField()

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "kpis"]

    @extend_schema_field(KpiResultSerializer(many=True))
    def get_kpis(self, campaign: Campaign) -> list[dict[str, Any]]:
        return list(_results(self.context, campaign).values())


class KpiSerializer(serializers.ModelSerializer):
    """A goal of a campaign. ``baseline``, ``target_value``, ``current``, ``expected``,
    ``progress`` and ``pacing`` are measured, read-only; ``baseline_input`` types the
    baseline of an entered metric."""

    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.none())
    metric = serializers.ChoiceField(choices=catalogue.METRIC_CHOICES)
    direction = serializers.ChoiceField(
        choices=Kpi.Direction.choices, required=False, help_text="Default: the metric's."
    )
    baseline_input = serializers.DecimalField(
        max_digits=18,
        decimal_places=4,
        required=False,
        allow_null=True,
        write_only=True,
        help_text="Entered and derived metrics only: the typed baseline.",
    )
    baseline = serializers.SerializerMethodField()
    target_value = serializers.SerializerMethodField()
    current = serializers.SerializerMethodField()
    expected = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    pacing = serializers.SerializerMethodField()

    class Meta:
        model = Kpi
        fields = [
            "id",
            "campaign",
            "metric",
            "label",
            "direction",
            "target_kind",
            "target",
            "plan",
            "follower_threshold",
            "position",
            "baseline_input",
            "baseline",
            "target_value",
            "current",
            "expected",
            "progress",
            "pacing",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        brand = self.context.get("brand")
        request = self.context.get("request")
        if brand is not None and request is not None:
            self.fields["campaign"].queryset = Campaign.objects.for_user(request.user).filter(
                brand=brand
            )
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["campaign"].read_only = True

    def _result(self, kpi: Kpi) -> dict[str, Any]:
        return _results(self.context, kpi.campaign).get(kpi.pk, {})

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_baseline(self, kpi: Kpi) -> float | None:
        return self._result(kpi).get("baseline")

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_target_value(self, kpi: Kpi) -> float | None:
        return self._result(kpi).get("target")

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_current(self, kpi: Kpi) -> float | None:
        return self._result(kpi).get("current")

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_expected(self, kpi: Kpi) -> float | None:
        return self._result(kpi).get("expected")

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_progress(self, kpi: Kpi) -> float | None:
        return self._result(kpi).get("progress")

    @extend_schema_field(serializers.ChoiceField(choices=PACINGS))
    def get_pacing(self, kpi: Kpi) -> str:
        return self._result(kpi).get("pacing", "no_data")


class KpiEntrySerializer(serializers.ModelSerializer):
    """A figure only the team knows, for a date (a second one for the day replaces it)."""

    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.none())
    metric = serializers.ChoiceField(
        choices=[(k, catalogue.CATALOGUE[k].label) for k in catalogue.ENTERED_METRICS]
    )
    entered_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = KpiEntry
        fields = ["id", "campaign", "metric", "date", "value", "note", "entered_by", "entered_at"]
        read_only_fields = ["entered_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        brand = self.context.get("brand")
        request = self.context.get("request")
        if brand is not None and request is not None:
            self.fields["campaign"].queryset = Campaign.objects.for_user(request.user).filter(
                brand=brand
            )

    def validate(self, attrs):
        # The unique (campaign, metric, date) is not an error: the service replaces.
        return attrs

    def get_validators(self):
        return []
