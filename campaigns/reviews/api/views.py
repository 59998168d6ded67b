"""Reviews API under /api/brands/<slug>/reviews/: a campaign's reviews with their
decisions nested (written in one request, all or nothing)."""

from __future__ import annotations

import django_filters
from rest_framework import mixins

from campaigns.models import Review
from campaigns.reviews import selectors, services
from campaigns.reviews.api.serializers import ReviewSerializer
from socialhub import access


class ReviewFilterSet(django_filters.FilterSet):
    campaign = django_filters.NumberFilter(field_name="campaign_id")
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Review
        fields = ["campaign", "date_after", "date_before"]


def _decisions(validated: list[dict] | None) -> list[dict] | None:
    if validated is None:
        return None
    return [
        {
            "id": d.get("id"),
            "verdict": d["verdict"],
            "subject": d["subject"],
            "note": d.get("note", ""),
            "query": d.get("query"),
            "posts": d.get("posts", []),
            "links": d.get("links", []),
        }
        for d in validated
    ]


class ReviewViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    access.BrandViewSet,
):
    """The brand's campaign reviews, newest first; filter with ``?campaign=<id>``. The
    KPI snapshot is attached when a review is created and never changes."""

    capabilities = {
        "list": "reports.view",
        "retrieve": "reports.view",
        "create": "campaigns.manage",
        "update": "campaigns.manage",
        "partial_update": "campaigns.manage",
        "destroy": "campaigns.manage",
    }
    queryset = Review.objects.all()
    serializer_class = ReviewSerializer
    filterset_class = ReviewFilterSet
    ordering_fields = ["date", "created_at"]

    def scope_queryset(self, qs):
        return selectors.review_detail(qs).order_by("-date", "-id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.review_create(
            actor=self.request.user,
            campaign=data.pop("campaign"),
            date=data.get("date"),
            answers=data.get("answers"),
            summary=data.get("summary", ""),
            decisions=_decisions(data.get("decisions")) or [],
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        review = services.review_update(
            actor=self.request.user,
            review=serializer.instance,
            date=data.get("date"),
            answers=data.get("answers"),
            summary=data.get("summary"),
            decisions=_decisions(data.get("decisions")),
        )
        # Re-read with the decisions prefetched, as they now are.
        serializer.instance = self.get_queryset().get(pk=review.pk)

    def perform_destroy(self, instance):
        services.review_delete(actor=self.request.user, review=instance)
