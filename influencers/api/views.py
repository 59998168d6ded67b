"""Influencers API.

- ``/api/influencers/`` and ``/api/influencer-profiles/``: the directories of the
  agencies the caller may use (``Influencer.objects.for_user``: the agency's admins and
  its brands' staff; never clients), like the agency endpoints.
- ``/api/brands/<slug>/influencer-relationships/`` (with a ``move`` action) and
  ``/api/brands/<slug>/influencer-interactions/`` and
  ``/api/brands/<slug>/influencer-collaborations/``: brand-scoped through ``BrandViewSet``;
  "reports.view" reads, "influencers.edit" writes.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from influencers import selectors, services
from influencers.api.serializers import (
    CollaborationSerializer,
    InfluencerProfileSerializer,
    InfluencerSerializer,
    InteractionSerializer,
    RelationshipMoveSerializer,
    RelationshipSerializer,
)
from influencers.models import (
    Collaboration,
    Influencer,
    InfluencerProfile,
    Interaction,
    Relationship,
)
from socialhub import access


class InfluencerViewSet(viewsets.ModelViewSet):
    """Influencers of the directories the caller may use. Filter with ``agency__slug``,
    ``tier``, ``platform``, ``language``, ``topic``, ``tag`` and ``q`` (name, handle, tag)."""

    serializer_class = InfluencerSerializer
    filterset_fields = {"agency__slug": ["exact"]}
    ordering_fields = ["name", "max_followers", "created_at"]

    def get_queryset(self):
        qs = Influencer.objects.for_user(self.request.user).select_related("agency")
        if self.action == "list":
            params = self.request.query_params
            filters = {k: params.get(k, "") for k in ("q", "platform", "language", "topic", "tag")}
            tier = params.get("tier", "")
            filters["tier"] = tier if tier in ("nano", "micro", "mid", "macro", "mega") else ""
            return selectors.influencer_directory(qs, filters)
        return qs.prefetch_related("profiles")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        agency = data.pop("agency")
        profiles = data.pop("profiles", [])
        serializer.instance = services.influencer_create(
            actor=self.request.user, agency=agency, profiles=profiles, **data
        )

    def perform_update(self, serializer):
        data = {
            k: v for k, v in serializer.validated_data.items() if k in services.INFLUENCER_FIELDS
        }
        services.influencer_update(actor=self.request.user, influencer=serializer.instance, **data)

    def perform_destroy(self, instance):
        services.influencer_delete(actor=self.request.user, influencer=instance)


class InfluencerProfileViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Profiles of the directories' influencers; a handle already in the agency's
    directory is refused, naming the influencer who has it."""

    serializer_class = InfluencerProfileSerializer
    filterset_fields = ["influencer", "platform"]

    def get_queryset(self):
        return InfluencerProfile.objects.for_user(self.request.user).order_by("id")

    def perform_create(self, serializer):
        serializer.instance = services.profile_add(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.profile_remove(actor=self.request.user, profile=instance)


class RelationshipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    access.BrandViewSet,
):
    """The brand's influencer relationships; ``move`` (POST) changes the stage."""

    capabilities = {
        "list": "reports.view",
        "retrieve": "reports.view",
        "create": "influencers.edit",
        "update": "influencers.edit",
        "partial_update": "influencers.edit",
        "destroy": "influencers.edit",
        "move": "influencers.edit",
    }
    queryset = Relationship.objects.all()
    serializer_class = RelationshipSerializer
    filterset_fields = ["stage", "owner", "influencer"]

    def scope_queryset(self, qs):
        return qs.select_related("influencer", "owner").order_by("influencer__name", "id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.relationship_open(
            actor=self.request.user,
            brand=self.brand,
            influencer=data["influencer"],
            stage=data.get("stage", "prospect"),
            owner=data.get("owner"),
            next_step=data.get("next_step", ""),
            next_step_due=data.get("next_step_due"),
        )

    def perform_update(self, serializer):
        r = serializer.instance
        data = serializer.validated_data
        services.relationship_update(
            actor=self.request.user,
            relationship=r,
            owner=data.get("owner", r.owner),
            next_step=data.get("next_step", r.next_step),
            next_step_due=data.get("next_step_due", r.next_step_due),
        )

    def perform_destroy(self, instance):
        services.relationship_delete(actor=self.request.user, relationship=instance)

    @extend_schema(request=RelationshipMoveSerializer, responses=RelationshipSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, brand_slug: str, pk: str):
        relationship = self.get_object()
        serializer = RelationshipMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.relationship_move(
            actor=request.user, relationship=relationship, stage=serializer.validated_data["stage"]
        )
        return Response(self.get_serializer(relationship).data)


class InteractionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    access.BrandViewSet,
):
    """The brand's interaction log, newest first; filter by ``relationship``."""

    capabilities = {
        "list": "reports.view",
        "retrieve": "reports.view",
        "create": "influencers.edit",
    }
    queryset = Interaction.objects.all()
    serializer_class = InteractionSerializer
    filterset_fields = ["relationship", "kind"]

    def scope_queryset(self, qs):
        return qs.select_related("by").order_by("-date", "-id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.interaction_add(actor=self.request.user, **data)


class CollaborationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    access.BrandViewSet,
):
    """The brand's influencer collaborations with their deliverables, content links and
    results. Deliverables and ``links`` (give ``url`` for each typed content URL) are
    written with the collaboration, all or nothing; giving them on update replaces them.
    "reports.view" reads (clients too), "influencers.edit" writes."""

    capabilities = {
        "list": "reports.view",
        "retrieve": "reports.view",
        "create": "influencers.edit",
        "update": "influencers.edit",
        "partial_update": "influencers.edit",
        "destroy": "influencers.edit",
    }
    queryset = Collaboration.objects.all()
    serializer_class = CollaborationSerializer
    filterset_fields = ["campaign", "relationship", "status"]

    def scope_queryset(self, qs):
        return selectors.collaboration_list(qs).order_by("-created_at", "-id")

    def _children(self, data):
        deliverables = data.pop("deliverables", None)
        links = data.pop("links", None)
        urls = None if links is None else [link["url"] for link in links if link.get("url")]
        return deliverables, urls

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        deliverables, links = self._children(data)
        serializer.instance = services.collaboration_create(
            actor=self.request.user,
            brand=self.brand,
            relationship=data.pop("relationship"),
            campaign=data.pop("campaign"),
            deliverables=deliverables,
            links=links,
            **data,
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        deliverables, links = self._children(data)
        serializer.instance = services.collaboration_update(
            actor=self.request.user,
            collaboration=serializer.instance,
            deliverables=deliverables,
            links=links,
            **data,
        )

    def perform_destroy(self, instance):
        services.collaboration_delete(actor=self.request.user, collaboration=instance)
