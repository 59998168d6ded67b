"""Listening API under /api/brands/<slug>/: sources, queries, mentions, push ingest."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from listening import selectors, services
from listening.api.serializers import (
    ExpressionSerializer,
    IngestRequestSerializer,
    IngestResponseSerializer,
    MentionSerializer,
    QuerySerializer,
    SentimentCorrectionSerializer,
    SourceSerializer,
    ValidationResultSerializer,
)
from listening.connectors.base import normalize_item
from listening.models import Mention, Platform, Query, Sentiment, Source
from listening.pipeline import ingest
from listening.querylang import QuerySyntaxError, lint, parse
from socialhub import access

CRUD = {
    "list": "reports.view",
    "retrieve": "reports.view",
    "create": "listening.configure",
    "update": "listening.configure",
    "partial_update": "listening.configure",
    "destroy": "listening.configure",
}


class SourceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    access.BrandViewSet,
):
    """The brand's sources with their health; `fetch` queues a fetch now."""

    capabilities = {**CRUD, "fetch": "listening.configure"}
    queryset = Source.objects.all()
    serializer_class = SourceSerializer
    filterset_fields = ["kind", "is_active"]
    search_fields = ["name"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.source_create(
            actor=self.request.user,
            brand=self.brand,
            name=data["name"],
            kind=data["kind"],
            config=data.get("config", {}),
            poll_interval=data.get("poll_interval", 15),
            is_active=data.get("is_active", True),
        )

    def perform_update(self, serializer):
        fields = {
            k: v
            for k, v in serializer.validated_data.items()
            if k in {"name", "config", "poll_interval", "is_active"}
        }
        services.source_update(actor=self.request.user, source=serializer.instance, **fields)

    def perform_destroy(self, instance):
        services.source_delete(actor=self.request.user, source=instance)

    @extend_schema(request=None, responses={202: None})
    @action(detail=True, methods=["post"])
    def fetch(self, request, brand_slug: str, pk: str):
        services.source_fetch_now(actor=request.user, source=self.get_object())
        return Response({"detail": "Fetch queued."}, status=status.HTTP_202_ACCEPTED)


class QueryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    access.BrandViewSet,
):
    """The brand's queries; `validate` checks an expression without saving it."""

    capabilities = {**CRUD, "validate": "reports.view"}
    queryset = Query.objects.all()
    serializer_class = QuerySerializer
    filterset_fields = ["kind", "is_active"]
    search_fields = ["name", "expression"]

    def perform_create(self, serializer):
        serializer.instance = services.query_create(
            actor=self.request.user, brand=self.brand, **serializer.validated_data
        )

    def perform_update(self, serializer):
        services.query_update(
            actor=self.request.user, query=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.query_delete(actor=self.request.user, query=instance)

    @extend_schema(request=ExpressionSerializer, responses=ValidationResultSerializer)
    @action(detail=False, methods=["post"])
    def validate(self, request, brand_slug: str):
        body = ExpressionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        expression = body.validated_data["expression"]
        try:
            parse(expression)
        except QuerySyntaxError as exc:
            return Response(
                {"valid": False, "error": str(exc), "position": exc.position, "warnings": []}
            )
        warnings = [
            {"code": w.code, "message": w.message, "position": w.position} for w in lint(expression)
        ]
        return Response({"valid": True, "error": None, "position": None, "warnings": warnings})


class MentionFilterSet(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="lte")
    query = django_filters.NumberFilter(field_name="matches__query_id")
    platform = django_filters.ChoiceFilter(choices=Platform.choices)
    sentiment = django_filters.ChoiceFilter(choices=Sentiment.choices)
    lang = django_filters.CharFilter(method="filter_lang")
    q = django_filters.CharFilter(field_name="post__text", lookup_expr="icontains")

    class Meta:
        model = Mention
        fields = ["since", "until", "query", "platform", "sentiment", "lang", "q"]

    def filter_lang(self, queryset, name, value):
        # Languages are stored lower case ("de"); "DE" means the same.
        return queryset.filter(lang=value.strip().lower())


class MentionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, access.BrandViewSet):
    """What the brand heard, newest first; filter by period, query, platform, sentiment,
    language, text. `sentiment` (POST) corrects a mention by hand; `ingest` (POST)
    takes a batch of up to 1,000 posts in the normalized shape."""

    capabilities = {
        "list": "reports.view",
        "retrieve": "reports.view",
        "sentiment": "mentions.triage",
        "ingest": "listening.configure",
    }
    queryset = Mention.objects.all()
    serializer_class = MentionSerializer
    filterset_class = MentionFilterSet
    ordering_fields = ["published_at"]
    search_fields = []

    def scope_queryset(self, qs):
        return selectors.mention_stream(qs, {"days": "36500"}).distinct()

    @extend_schema(request=SentimentCorrectionSerializer, responses=MentionSerializer)
    @action(detail=True, methods=["post"])
    def sentiment(self, request, brand_slug: str, pk: str):
        mention = self.get_object()  # 404 before anything is said about the body
        body = SentimentCorrectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        mention = services.mention_set_sentiment(
            actor=request.user, mention=mention, sentiment=body.validated_data["sentiment"]
        )
        return Response(MentionSerializer(self.get_queryset().get(pk=mention.pk)).data)

    @extend_schema(request=IngestRequestSerializer, responses=IngestResponseSerializer)
    @action(detail=False, methods=["post"])
    def ingest(self, request, brand_slug: str):
        body = IngestRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        items = body.validated_data["posts"]
        results: list[dict] = [{} for _ in items]
        valid, where = [], []
        for index, item in enumerate(items):
            try:
                valid.append(normalize_item(item, platform="api"))
                where.append(index)
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {"item": exc.messages}
                results[index] = {"index": index, "status": "invalid", "errors": errors}
        outcome = ingest(valid, brand_ids={self.brand.pk})
        for index, status_ in zip(where, outcome.outcomes, strict=True):
            results[index] = {"index": index, "status": status_}
        stored = sum(1 for r in results if r["status"] == "stored")
        invalid = sum(1 for r in results if r["status"] == "invalid")
        return Response(
            {"received": len(items), "stored": stored, "invalid": invalid, "results": results},
            status=status.HTTP_200_OK,
        )
