"""The dashboard API under /api/brands/<slug>/dashboard/: the full payload, or one
widget per route, with the page's filters as query parameters."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from listening.insights import selectors
from listening.insights.forms import DashboardFilterForm
from listening.insights.models import DayRollup
from socialhub import access

FILTER_PARAMETERS = [
    OpenApiParameter(
        "days",
        OpenApiTypes.STR,
        enum=["7", "30", "90"],
        description="Preset period: the last N days up to today in the brand's time zone "
        "(default 30).",
    ),
    OpenApiParameter(
        "start",
        OpenApiTypes.DATE,
        description="Custom range start (UTC day, included); wins over days.",
    ),
    OpenApiParameter(
        "end",
        OpenApiTypes.DATE,
        description="Custom range end (UTC day, included); at most 366 days.",
    ),
    OpenApiParameter(
        "query",
        OpenApiTypes.INT,
        many=True,
        explode=True,
        description="Query ids of the brand (repeat for several).",
    ),
    OpenApiParameter(
        "platform",
        OpenApiTypes.STR,
        many=True,
        explode=True,
        description="Platforms, e.g. mastodon, bluesky (repeatable).",
    ),
    OpenApiParameter(
        "lang",
        OpenApiTypes.STR,
        many=True,
        explode=True,
        description="Language codes, e.g. en, zh (repeatable).",
    ),
    OpenApiParameter(
        "sentiment",
        OpenApiTypes.STR,
        many=True,
        explode=True,
        enum=["negative", "neutral", "positive"],
        description="Sentiments (repeatable).",
    ),
]


def _widget_schema(summary: str):
    return extend_schema(
        summary=summary,
        parameters=FILTER_PARAMETERS,
        responses={200: OpenApiTypes.OBJECT},
    )


class DashboardViewSet(access.BrandViewSet):
    """The brand dashboard's figures, read from rollups; every figure carries the
    previous period (``value``, ``previous``, ``change`` in percent). Bad filters
    answer 400 naming the parameter."""

    capabilities = {
        "list": "reports.view",
        **{w: "reports.view" for w in selectors.Dashboard.WIDGETS},
    }
    queryset = DayRollup.objects.all()
    pagination_class = None
    filter_backends: list = []

    def _dashboard(self) -> selectors.Dashboard:
        queries = selectors.brand_queries(self.brand)
        form = DashboardFilterForm(
            self.request.query_params, queries=queries, today=selectors.brand_today(self.brand)
        )
        if not form.is_valid():
            raise exceptions.ValidationError(
                {field: list(messages) for field, messages in form.errors.items()}
            )
        period = form.period()
        return selectors.dashboard(
            self.brand, start=period.start, end=period.end, filters=form.filters(), queries=queries
        )

    def _widget(self, name: str) -> Response:
        board = self._dashboard()
        return Response(
            {
                "period": {
                    "start": board.period.start,
                    "end": board.period.end,
                    "bucket": board.bucket,
                },
                "previous": {
                    "start": board.period.previous.start,
                    "end": board.period.previous.end,
                },
                name: selectors.widget_json(board, name),
            }
        )

    @_widget_schema("Every widget of the dashboard")
    def list(self, request, brand_slug: str):
        board = self._dashboard()
        return Response(
            {
                "period": {
                    "start": board.period.start,
                    "end": board.period.end,
                    "bucket": board.bucket,
                },
                "previous": {
                    "start": board.period.previous.start,
                    "end": board.period.previous.end,
                },
                **board.payload(),
            }
        )

    @_widget_schema(
        "Headline figures: mentions, reach, engagement, unique authors, net "
        "sentiment, negative-to-positive ratio, share of voice"
    )
    @action(detail=False)
    def summary(self, request, brand_slug: str):
        return self._widget("summary")

    @_widget_schema("Volume over time (hour/day/week buckets) with competitors overlaid")
    @action(detail=False)
    def volume(self, request, brand_slug: str):
        return self._widget("volume")

    @_widget_schema("Sentiment split, trend, net sentiment, negative-to-positive ratio")
    @action(detail=False)
    def sentiment(self, request, brand_slug: str):
        return self._widget("sentiment")

    @_widget_schema("Share of voice: brand queries against each competitor query")
    @action(detail=False, url_path="share-of-voice")
    def share_of_voice(self, request, brand_slug: str):
        return self._widget("share_of_voice")

    @_widget_schema("Reach and engagement totals and trend")
    @action(detail=False)
    def reach(self, request, brand_slug: str):
        return self._widget("reach")

    @_widget_schema("Unique authors")
    @action(detail=False)
    def authors(self, request, brand_slug: str):
        return self._widget("authors")

    @_widget_schema("Mentions per platform")
    @action(detail=False)
    def platforms(self, request, brand_slug: str):
        return self._widget("platforms")

    @_widget_schema("Mentions per language")
    @action(detail=False)
    def languages(self, request, brand_slug: str):
        return self._widget("languages")

    @_widget_schema("Top authors by reach and by engagement, with their sentiment")
    @action(detail=False, url_path="top-authors")
    def top_authors(self, request, brand_slug: str):
        return self._widget("top_authors")

    @_widget_schema("Top terms and emerging terms")
    @action(detail=False)
    def terms(self, request, brand_slug: str):
        return self._widget("terms")

    @_widget_schema("Sentiment per product and person query")
    @action(detail=False, url_path="query-sentiment")
    def query_sentiment(self, request, brand_slug: str):
        return self._widget("query_sentiment")

    @_widget_schema(
        "Monitoring inbox: median first response, share answered within the SLA (items "
        "published in the period) and the open backlog by age (now)"
    )
    @action(detail=False)
    def inbox(self, request, brand_slug: str):
        return self._widget("inbox")
