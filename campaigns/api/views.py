"""Campaigns API under /api/brands/<slug>/: campaigns (with their KPIs measured),
KPIs (measured values read-only) and the team's figures."""

from __future__ import annotations

import django_filters
from rest_framework import mixins

from campaigns import services
from campaigns.api.serializers import (
    CampaignDetailSerializer,
    CampaignSerializer,
    KpiEntrySerializer,
    KpiSerializer,
)
from campaigns.models import Campaign, Kpi, KpiEntry
from socialhub import access

CRUD = {
    "list": "reports.view",
    "retrieve": "reports.view",
    "create": "campaigns.manage",
    "update": "campaigns.manage",
    "partial_update": "campaigns.manage",
    "destroy": "campaigns.manage",
}
CAMPAIGN_FIELDS = set(services.CAMPAIGN_FIELDS)
KPI_FIELDS = set(services.KPI_FIELDS)


class CampaignViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    access.BrandViewSet,
):
    """The brand's campaigns; one campaign includes its KPIs measured today."""

    capabilities = CRUD
    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer
    filterset_fields = ["status", "objective"]
    search_fields = ["name"]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return CampaignDetailSerializer
        return CampaignSerializer

    def scope_queryset(self, qs):
        return qs.prefetch_related("channels", "queries").order_by("-start_date", "name")

    def _related(self, data: dict) -> dict:
        return {
            "channels": data.pop("channels", None),
            "queries": data.pop("queries", None),
            "create_hashtag_query": data.pop("create_hashtag_query", False),
        }

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        related = self._related(data)
        serializer.instance = services.campaign_create(
            actor=self.request.user,
            brand=self.brand,
            **related,
            **{k: v for k, v in data.items() if k in CAMPAIGN_FIELDS},
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        related = self._related(data)
        serializer.instance = services.campaign_update(
            actor=self.request.user,
            campaign=serializer.instance,
            **related,
            **{k: v for k, v in data.items() if k in CAMPAIGN_FIELDS},
        )

    def perform_destroy(self, instance):
        services.campaign_delete(actor=self.request.user, campaign=instance)


class KpiFilterSet(django_filters.FilterSet):
    campaign = django_filters.NumberFilter(field_name="campaign_id")

    class Meta:
        model = Kpi
        fields = ["campaign", "metric"]


class KpiViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    access.BrandViewSet,
):
    """The goals of the brand's campaigns, each measured today (read-only figures)."""

    capabilities = CRUD
    queryset = Kpi.objects.all()
    serializer_class = KpiSerializer
    filterset_class = KpiFilterSet

    def scope_queryset(self, qs):
        return qs.select_related("campaign", "campaign__brand").order_by(
            "campaign_id", "position", "id"
        )

    def _fields(self, data: dict) -> dict:
        if "baseline_input" in data:
            data["baseline"] = data.pop("baseline_input")
        return {k: v for k, v in data.items() if k in KPI_FIELDS}

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        campaign = data.pop("campaign")
        serializer.instance = services.kpi_create(
            actor=self.request.user, campaign=campaign, **self._fields(data)
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("campaign", None)
        serializer.instance = services.kpi_update(
            actor=self.request.user, kpi=serializer.instance, **self._fields(data)
        )
        serializer.context.pop("_kpi_results", None)

    def perform_destroy(self, instance):
        services.kpi_delete(actor=self.request.user, kpi=instance)


class KpiEntryFilterSet(django_filters.FilterSet):
    campaign = django_filters.NumberFilter(field_name="campaign_id")

    class Meta:
        model = KpiEntry
        fields = ["campaign", "metric"]


class KpiEntryViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    access.BrandViewSet,
):
    """The team's figures (impressions, clicks, conversions, sign-ups, spend) by date."""

    capabilities = {
        "list": "reports.view",
        "create": "campaigns.manage",
        "destroy": "campaigns.manage",
    }
    queryset = KpiEntry.objects.all()
    serializer_class = KpiEntrySerializer
    filterset_class = KpiEntryFilterSet

    def scope_queryset(self, qs):
        return qs.select_related("entered_by").order_by("campaign_id", "metric", "date")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.kpi_entry_create(
            actor=self.request.user,
            campaign=data["campaign"],
            metric=data["metric"],
            date=data["date"],
            value=data["value"],
            note=data.get("note", ""),
        )

    def perform_destroy(self, instance):
        services.kpi_entry_delete(actor=self.request.user, entry=instance)
