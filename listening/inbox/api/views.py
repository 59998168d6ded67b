"""Inbox API under /api/brands/<slug>/inbox-items/: the items with the inbox filters,
and the triage actions (assign, status, categorize, priority, note, reply)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from listening.inbox import selectors, services
from listening.inbox.api.serializers import (
    AssignSerializer,
    CategorizeSerializer,
    InboxItemSerializer,
    InboxMetricsSerializer,
    InboxNoteSerializer,
    MetricsQuerySerializer,
    NoteSerializer,
    PrioritySerializer,
    ReplySerializer,
    StatusSerializer,
)
from listening.inbox.models import OPEN_STATUSES, Category, InboxItem, Status
from listening.models import Platform, Sentiment
from socialhub import access

TRIAGE = "mentions.triage"


class InboxItemFilterSet(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="lte")
    status = django_filters.ChoiceFilter(
        choices=[("open", "Open"), *Status.choices], method="filter_status"
    )
    platform = django_filters.ChoiceFilter(field_name="mention__platform", choices=Platform.choices)
    sentiment = django_filters.ChoiceFilter(
        field_name="mention__sentiment", choices=Sentiment.choices
    )
    category = django_filters.ChoiceFilter(
        choices=[("none", "Not categorized"), *Category.choices], method="filter_category"
    )
    assignee = django_filters.CharFilter(
        method="filter_assignee", help_text="A user id, “me” or “none”."
    )

    class Meta:
        model = InboxItem
        fields = ["since", "until", "status", "platform", "sentiment", "category", "assignee"]

    def filter_status(self, qs, name, value):
        return qs.filter(status__in=OPEN_STATUSES) if value == "open" else qs.filter(status=value)

    def filter_category(self, qs, name, value):
        return qs.filter(category="" if value == "none" else value)

    def filter_assignee(self, qs, name, value):
        if value == "me":
            return qs.filter(assignee=self.request.user)
        if value == "none":
            return qs.filter(assignee__isnull=True)
        if not value.isdigit():
            raise serializers.ValidationError({"assignee": "Give a user id, “me” or “none”."})
        return qs.filter(assignee_id=int(value))


class InboxItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, access.BrandViewSet):
    """The brand's inbox, highest priority first; filter by period, status ("open" for
    new, needs reply and assigned), platform, sentiment, category, assignee. POST actions
    triage an item; `metrics` gives response times and the backlog."""

    capabilities = {
        "list": "reports.view",
        "retrieve": "reports.view",
        "metrics": "reports.view",
        "assign": TRIAGE,
        "set_status": TRIAGE,
        "categorize": TRIAGE,
        "priority": TRIAGE,
        "note": TRIAGE,
        "reply": TRIAGE,
    }
    queryset = InboxItem.objects.all()
    serializer_class = InboxItemSerializer
    filterset_class = InboxItemFilterSet
    ordering_fields = ["priority", "published_at"]
    search_fields = []

    def scope_queryset(self, qs):
        return selectors.inbox_items(qs, {"status": "all"}, user=self.request.user).select_related(
            "replied_by"
        )

    def _done(self, item: InboxItem) -> Response:
        return Response(InboxItemSerializer(self.get_queryset().get(pk=item.pk)).data)

    @extend_schema(request=AssignSerializer, responses=InboxItemSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, brand_slug: str, pk: str):
        item = self.get_object()
        body = AssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user_id = body.validated_data["assignee"]
        assignee = None
        if user_id is not None:
            assignee = next(
                (u for u in selectors.inbox_assignees(self.brand) if u.pk == user_id), None
            )
            if assignee is None:
                raise serializers.ValidationError(
                    {"assignee": "This person cannot triage in this brand."}
                )
        services.items_assign(actor=request.user, items=[item], assignee=assignee)
        return self._done(item)

    @extend_schema(request=StatusSerializer, responses=InboxItemSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, brand_slug: str, pk: str):
        item = self.get_object()
        body = StatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.items_set_status(
            actor=request.user, items=[item], status=body.validated_data["status"]
        )
        return self._done(item)

    @extend_schema(request=CategorizeSerializer, responses=InboxItemSerializer)
    @action(detail=True, methods=["post"])
    def categorize(self, request, brand_slug: str, pk: str):
        item = self.get_object()
        body = CategorizeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.items_set_category(
            actor=request.user, items=[item], category=body.validated_data["category"]
        )
        return self._done(item)

    @extend_schema(request=PrioritySerializer, responses=InboxItemSerializer)
    @action(detail=True, methods=["post"])
    def priority(self, request, brand_slug: str, pk: str):
        item = self.get_object()
        body = PrioritySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.item_set_priority(
            actor=request.user, item=item, priority=body.validated_data["priority"]
        )
        return self._done(item)

    @extend_schema(request=NoteSerializer, responses={201: InboxNoteSerializer})
    @action(detail=True, methods=["post"])
    def note(self, request, brand_slug: str, pk: str):
        item = self.get_object()
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        note = services.item_add_note(
            actor=request.user, item=item, text=body.validated_data["text"]
        )
        return Response(InboxNoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReplySerializer, responses=InboxItemSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, brand_slug: str, pk: str):
        item = self.get_object()
        body = ReplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.item_reply(
            actor=request.user,
            item=item,
            text=body.validated_data["text"],
            url=body.validated_data.get("url", ""),
        )
        return self._done(item)

    @extend_schema(parameters=[MetricsQuerySerializer], responses=InboxMetricsSerializer)
    @action(detail=False, methods=["get"])
    def metrics(self, request, brand_slug: str):
        query = MetricsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        now = datetime.now(UTC)
        until = query.validated_data.get("until") or now
        since = query.validated_data.get("since") or until - timedelta(days=30)
        metrics = selectors.inbox_metrics(self.brand, start=since, end=until, now=now)
        data = {**metrics.__dict__, "sla_share": metrics.sla_share}
        return Response(InboxMetricsSerializer(data).data)
