"""Calendar API under /api/brands/<slug>/: social accounts, posts (with the workflow
actions) and approval links."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from campaigns.calendar import services
from campaigns.calendar.api.serializers import (
    ApprovalLinkSerializer,
    ChangesBodySerializer,
    CommentBodySerializer,
    ContentPostSerializer,
    DecisionBodySerializer,
    MarkPublishedBodySerializer,
    PostCommentSerializer,
    RescheduleBodySerializer,
    ScheduleBodySerializer,
    SocialAccountSerializer,
)
from campaigns.models import ApprovalLink, ContentPost, SocialAccount
from socialhub import access


class SocialAccountViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    access.BrandViewSet,
):
    """The brand's own channels. Secrets are write-only (a stored one reads "set")."""

    capabilities = {
        "list": "brand.view",
        "retrieve": "brand.view",
        "create": "campaigns.manage",
        "update": "campaigns.manage",
        "partial_update": "campaigns.manage",
    }
    queryset = SocialAccount.objects.all()
    serializer_class = SocialAccountSerializer
    filterset_fields = ["platform", "is_active"]
    search_fields = ["handle"]

    def scope_queryset(self, qs):
        return qs.order_by("platform", "handle")

    def perform_create(self, serializer):
        fields, credentials = serializer.split()
        serializer.instance = services.social_account_create(
            actor=self.request.user, brand=self.brand, credentials=credentials, **fields
        )

    def perform_update(self, serializer):
        fields, credentials = serializer.split()
        services.social_account_update(
            actor=self.request.user,
            account=serializer.instance,
            credentials=credentials,
            **fields,
        )


class ContentPostFilterSet(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="scheduled_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="scheduled_at", lookup_expr="lt")
    status = django_filters.ChoiceFilter(choices=ContentPost.Status.choices)
    account = django_filters.NumberFilter(field_name="account_id")
    campaign = django_filters.NumberFilter(field_name="campaign_id")

    class Meta:
        model = ContentPost
        fields = ["since", "until", "status", "account", "campaign"]


POST_FIELDS = ("account", "campaign", "text", "link", "scheduled_at", "labels")


class ContentPostViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    access.BrandViewSet,
):
    """The brand's calendar posts. Writes need content.draft (never a client); the
    workflow moves only through the POST actions, each allowed to the roles that may."""

    capabilities = {
        "list": "brand.view",
        "retrieve": "brand.view",
        "create": "content.draft",
        "update": "content.draft",
        "partial_update": "content.draft",
        "submit": "content.draft",
        "approve": "content.approve",
        "request_changes": "content.approve",
        "schedule": "campaigns.manage",
        "reschedule": "content.draft",
        "mark_published": "content.draft",
        "cancel": "content.draft",
        "comment": "content.comment",
    }
    queryset = ContentPost.objects.all()
    serializer_class = ContentPostSerializer
    filterset_class = ContentPostFilterSet
    ordering_fields = ["scheduled_at", "created_at"]
    search_fields = ["text"]

    def scope_queryset(self, qs):
        return qs.select_related("author").prefetch_related("media").order_by("scheduled_at", "id")

    def perform_create(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k in POST_FIELDS}
        serializer.instance = services.post_create(
            actor=self.request.user, brand=self.brand, **data
        )

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k in POST_FIELDS}
        serializer.instance = services.post_update(
            actor=self.request.user, post=serializer.instance, **data
        )

    def _done(self, post: ContentPost) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=post.pk)).data)

    def _body(self, serializer_class):
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data

    @extend_schema(request=None, responses=ContentPostSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, brand_slug: str, pk: str):
        return self._done(services.post_submit(actor=request.user, post=self.get_object()))

    @extend_schema(request=DecisionBodySerializer, responses=ContentPostSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, brand_slug: str, pk: str):
        post = self.get_object()
        body = self._body(DecisionBodySerializer)
        return self._done(
            services.post_approve(actor=request.user, post=post, comment=body["comment"])
        )

    @extend_schema(request=ChangesBodySerializer, responses=ContentPostSerializer)
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, brand_slug: str, pk: str):
        post = self.get_object()
        body = self._body(ChangesBodySerializer)
        return self._done(
            services.post_request_changes(actor=request.user, post=post, comment=body["comment"])
        )

    @extend_schema(request=ScheduleBodySerializer, responses=ContentPostSerializer)
    @action(detail=True, methods=["post"])
    def schedule(self, request, brand_slug: str, pk: str):
        post = self.get_object()
        body = self._body(ScheduleBodySerializer)
        return self._done(
            services.post_schedule(
                actor=request.user, post=post, scheduled_at=body.get("scheduled_at")
            )
        )

    @extend_schema(request=RescheduleBodySerializer, responses=ContentPostSerializer)
    @action(detail=True, methods=["post"])
    def reschedule(self, request, brand_slug: str, pk: str):
        post = self.get_object()
        body = self._body(RescheduleBodySerializer)
        return self._done(
            services.post_reschedule(
                actor=request.user, post=post, scheduled_at=body["scheduled_at"]
            )
        )

    @extend_schema(request=MarkPublishedBodySerializer, responses=ContentPostSerializer)
    @action(detail=True, methods=["post"], url_path="mark-published")
    def mark_published(self, request, brand_slug: str, pk: str):
        post = self.get_object()
        body = self._body(MarkPublishedBodySerializer)
        return self._done(services.post_mark_published(actor=request.user, post=post, **body))

    @extend_schema(request=None, responses=ContentPostSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, brand_slug: str, pk: str):
        return self._done(services.post_cancel(actor=request.user, post=self.get_object()))

    @extend_schema(request=CommentBodySerializer, responses={201: PostCommentSerializer})
    @action(detail=True, methods=["post"])
    def comment(self, request, brand_slug: str, pk: str):
        post = self.get_object()
        body = self._body(CommentBodySerializer)
        comment = services.post_comment(actor=request.user, post=post, text=body["text"])
        return Response(PostCommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class ApprovalLinkViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    access.BrandViewSet,
):
    """Links for clients without an account (a manager's): create, list, revoke."""

    capabilities = {
        "list": "campaigns.manage",
        "retrieve": "campaigns.manage",
        "create": "campaigns.manage",
        "revoke": "campaigns.manage",
    }
    queryset = ApprovalLink.objects.all()
    serializer_class = ApprovalLinkSerializer
    filterset_fields: list[str] = []
    search_fields = ["recipient_name", "recipient_email"]

    def scope_queryset(self, qs):
        return qs.order_by("-created_at")

    def perform_create(self, serializer):
        serializer.instance = services.approval_link_create(
            actor=self.request.user, brand=self.brand, **serializer.validated_data
        )

    @extend_schema(request=None, responses=ApprovalLinkSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, brand_slug: str, pk: str):
        link = services.approval_link_revoke(actor=request.user, link=self.get_object())
        return Response(self.get_serializer(link).data)
