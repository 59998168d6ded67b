"""Serializers of the alerts API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from listening.alerts import selectors, services
from listening.alerts.models import Alert, AlertRule
from listening.models import Query
from socialhub.api.serializers import UserSummarySerializer
from socialhub.models import User


class AlertRuleSerializer(serializers.ModelSerializer):
    """A rule; ``query`` and ``recipients`` are ids of this brand's queries and members."""

    query = serializers.PrimaryKeyRelatedField(
        queryset=Query.objects.none(), required=False, allow_null=True
    )
    recipients = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), many=True, required=False
    )

    class Meta:
        model = AlertRule
        fields = [
            "id",
            "name",
            "kind",
            "query",
            "method",
            "threshold",
            "min_count",
            "keyword",
            "window_hours",
            "baseline_days",
            "cooldown_hours",
            "recipients",
            "is_active",
            "last_evaluated_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["last_evaluated_at", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        brand = self.context.get("brand")
        request = self.context.get("request")
        if brand is not None and request is not None:
            # Related fields are brand-scoped: a foreign id is a field error.
            self.fields["query"].queryset = Query.objects.for_user(request.user).filter(brand=brand)
            self.fields["recipients"].child_relation.queryset = selectors.alert_recipient_choices(
                brand
            )

    def validate(self, attrs):
        # The model's own checks run in the service, with the brand; nothing here.
        return attrs


class AlertSerializer(serializers.ModelSerializer):
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    acknowledged_by = UserSummarySerializer(read_only=True)
    mentions_url = serializers.SerializerMethodField()
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "rule",
            "rule_name",
            "kind",
            "incident_key",
            "fired_at",
            "cleared_at",
            "is_open",
            "window_start",
            "window_end",
            "baseline_start",
            "baseline_end",
            "baseline_value",
            "threshold",
            "observed_value",
            "mention_count",
            "explanation",
            "link_params",
            "mentions_url",
            "acknowledged_by",
            "acknowledged_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_mentions_url(self, alert: Alert) -> str:
        request = self.context.get("request")
        path = services.mentions_url(alert)
        return request.build_absolute_uri(path) if request else path
