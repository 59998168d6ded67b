"""Reports API under /api/brands/<slug>/: the mention export (CSV) and the signed-in
person's digest subscription."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers, serializers
from rest_framework.response import Response

from listening.forms import MentionFilterForm
from listening.models import Mention, Platform, Query, Sentiment
from listening.reports import selectors, services
from listening.reports.api.serializers import DigestSubscriptionSerializer
from listening.reports.models import DigestSubscription
from listening.reports.views import csv_response
from socialhub import access


class CSVRenderer(renderers.BaseRenderer):
    """Lets clients ask for ``Accept: text/csv``; the body itself is streamed by the view
    (errors, which are data, come out as their message)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return str(data.get("detail", data) if isinstance(data, dict) else data).encode()


EXPORT_PARAMETERS = [
    OpenApiParameter("q", str, description="Text the mention contains."),
    OpenApiParameter(
        "days", str, enum=["1", "7", "30", "90"], description="Last N days (default 30)."
    ),
    OpenApiParameter("start", OpenApiTypes.DATE, description="First day (custom range)."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day (custom range)."),
    OpenApiParameter("query", int, description="Id of one of the brand's queries."),
    OpenApiParameter("platform", str, enum=Platform.values),
    OpenApiParameter("sentiment", str, enum=Sentiment.values),
    OpenApiParameter("lang", str, description="Language code, e.g. en."),
]


class MentionExportViewSet(access.BrandViewSet):
    """The brand's mention stream as a CSV file, streamed: the mention stream's filters,
    one row per mention, times in the brand's time zone. Bad filters answer 400 naming
    the field."""

    capabilities = {"list": "reports.view"}
    queryset = Mention.objects.all()
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        parameters=EXPORT_PARAMETERS,
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The CSV file."),
            400: OpenApiResponse(description="A filter is wrong; `errors` says which."),
        },
    )
    def list(self, request, brand_slug: str):
        queries = list(Query.objects.for_user(request.user).filter(brand=self.brand))
        form = MentionFilterForm(request.query_params or None, queries=queries)
        filters = {"days": "30"}
        if form.is_bound:
            if not form.is_valid():
                raise serializers.ValidationError(
                    {name: list(errors) for name, errors in form.errors.items()}
                )
            filters = form.cleaned_data
        return csv_response(selectors.mention_export(self.get_queryset(), filters), self.brand)


class DigestSubscriptionViewSet(access.BrandViewSet):
    """The signed-in person's opt-in to the brand's weekly digest (every role may)."""

    capabilities = {"retrieve": "reports.view", "update": "reports.view"}
    queryset = DigestSubscription.objects.all()
    serializer_class = DigestSubscriptionSerializer
    pagination_class = None
    filter_backends: list = []

    def _current(self) -> dict:
        subscription = self.get_queryset().filter(user=self.request.user).first()
        return {
            "subscribed": bool(subscription and subscription.is_active),
            "last_sent_week": subscription.last_sent_week if subscription else None,
        }

    @extend_schema(responses=DigestSubscriptionSerializer)
    def retrieve(self, request, brand_slug: str):
        return Response(DigestSubscriptionSerializer(self._current()).data)

    @extend_schema(request=DigestSubscriptionSerializer, responses=DigestSubscriptionSerializer)
    def update(self, request, brand_slug: str):
        body = DigestSubscriptionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.digest_subscription_set(
            actor=request.user, brand=self.brand, subscribed=body.validated_data["subscribed"]
        )
        return Response(DigestSubscriptionSerializer(self._current()).data)
