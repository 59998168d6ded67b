"""Alerts API under /api/brands/<slug>/: alert rules (CRUD) and alerts (history,
acknowledge, read)."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from listening.alerts import selectors, services
from listening.alerts.api.serializers import AlertRuleSerializer, AlertSerializer
from listening.alerts.models import Alert, AlertKind, AlertRule
from socialhub import access

RULE_FIELDS = set(services.RULE_FIELDS)


class AlertRuleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    access.BrandViewSet,
):
    """The brand's alert rules: what to watch, how sensitive, whom to email."""

    capabilities = {
        "list": "reports.view",
        "retrieve": "reports.view",
        "create": "listening.configure",
        "update": "listening.configure",
        "partial_update": "listening.configure",
        "destroy": "listening.configure",
    }
    queryset = AlertRule.objects.all()
    serializer_class = AlertRuleSerializer
    filterset_fields = ["kind", "is_active"]
    search_fields = ["name", "keyword"]

    def scope_queryset(self, qs):
        return qs.select_related("query").prefetch_related("recipients").order_by("name")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        recipients = data.pop("recipients", [])
        serializer.instance = services.alert_rule_create(
            actor=self.request.user, brand=self.brand, recipients=recipients, **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        recipients = data.pop("recipients", None)
        fields = {k: v for k, v in data.items() if k in RULE_FIELDS}
        services.alert_rule_update(
            actor=self.request.user, rule=serializer.instance, recipients=recipients, **fields
        )

    def perform_destroy(self, instance):
        services.alert_rule_delete(actor=self.request.user, rule=instance)


class AlertFilterSet(django_filters.FilterSet):
    rule = django_filters.NumberFilter(field_name="rule_id")
    kind = django_filters.ChoiceFilter(choices=AlertKind.choices)
    acknowledged = django_filters.BooleanFilter(
        field_name="acknowledged_at", lookup_expr="isnull", exclude=True
    )
    open = django_filters.BooleanFilter(field_name="cleared_at", lookup_expr="isnull")

    class Meta:
        model = Alert
        fields = ["rule", "kind", "acknowledged", "open"]


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, access.BrandViewSet):
    """The brand's alerts, newest first, each explaining itself; `acknowledge` (POST)
    records who saw to it, `read` (POST) clears it from the caller's bell."""

    capabilities = {
        "list": "reports.view",
        "retrieve": "reports.view",
        "acknowledge": "mentions.triage",
        "read": "reports.view",
    }
    queryset = Alert.objects.all()
    serializer_class = AlertSerializer
    filterset_class = AlertFilterSet

    def scope_queryset(self, qs):
        return selectors.alert_history(qs.select_related("brand"), {})

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, brand_slug: str, pk: str):
        alert = services.alert_acknowledge(actor=request.user, alert=self.get_object())
        return Response(self.get_serializer(alert).data)

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, brand_slug: str, pk: str):
        alert = self.get_object()
        services.alerts_mark_read(actor=request.user, alerts=[alert])
        return Response(self.get_serializer(alert).data)
