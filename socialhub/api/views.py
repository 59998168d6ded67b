"""API views of the tenancy core."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from socialhub import access, services
from socialhub.api.serializers import (
    AgencySerializer,
    BrandMembershipSerializer,
    BrandRootSerializer,
    BrandSerializer,
    MeSerializer,
)
from socialhub.models import Agency, Brand, BrandMembership


@extend_schema(exclude=True)
@api_view(["GET"])
def api_root(request, format=None):
    """Links to the top-level endpoints."""
    links = {
        "me": reverse("api:me", request=request, format=format),
        "agencies": reverse("api:agency-list", request=request, format=format),
        "brands": reverse("api:brand-list", request=request, format=format),
        "schema": reverse("api:schema", request=request),
        "docs": reverse("api:docs", request=request),
    }
    return Response(links)


class MeView(APIView):
    """The signed-in user, their agencies and the brands they hold a role in."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        context = {"request": request}
        data = {
            "id": user.pk,
            "email": user.email,
            "name": user.display_name,
            "agencies": AgencySerializer(
                Agency.objects.for_user(user), many=True, context=context
            ).data,
            "brands": BrandSerializer(
                Brand.objects.for_user(user).select_related("agency"), many=True, context=context
            ).data,
        }
        return Response(data)


class AgencyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Agencies the user belongs to. Only an agency's admins may change it."""

    serializer_class = AgencySerializer
    lookup_field = "slug"
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        if self.action in ("update", "partial_update"):
            return Agency.objects.administered_by(self.request.user)
        return Agency.objects.for_user(self.request.user)

    def perform_update(self, serializer):
        agency = serializer.instance
        data = serializer.validated_data
        services.agency_update(
            actor=self.request.user,
            agency=agency,
            name=data.get("name", agency.name),
            require_mfa=data.get("require_mfa", agency.require_mfa),
        )


class BrandViewSetList(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Brands the user holds a role in; agency admins create brands here."""

    serializer_class = BrandSerializer
    filterset_fields = {"agency__slug": ["exact"], "archived_at": ["isnull"]}
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return Brand.objects.for_user(self.request.user).select_related("agency")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.brand_create(
            actor=self.request.user,
            agency=data["agency"],
            name=data["name"],
            slug=data.get("slug", ""),
            timezone_name=data.get("timezone", "UTC"),
            languages=data.get("languages", []),
            competitors=data.get("competitors", []),
            description=data.get("description", ""),
        )


class BrandRootViewSet(access.BrandViewSet):
    """The brand's API root: the brand and links to its endpoints; PATCH edits it."""

    capabilities = {"retrieve": "brand.view", "partial_update": "brand.edit"}
    serializer_class = BrandRootSerializer
    queryset = BrandMembership.objects.none()  # the object here is the brand itself

    def retrieve(self, request, brand_slug: str):
        return Response(self.get_serializer(self.brand).data)

    def partial_update(self, request, brand_slug: str):
        serializer = self.get_serializer(self.brand, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = {
            k: v
            for k, v in serializer.validated_data.items()
            if k in services.BRAND_EDITABLE_FIELDS
        }
        brand = services.brand_update(actor=request.user, brand=self.brand, **fields)
        return Response(self.get_serializer(brand).data)


class BrandMembershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    access.BrandViewSet,
):
    """People holding a role in the brand. Managers and agency admins change them;
    a new member must already be in the agency (invite them from the app first)."""

    capabilities = {
        "list": "members.view",
        "retrieve": "members.view",
        "create": "members.manage",
        "update": "members.manage",
        "partial_update": "members.manage",
        "destroy": "members.manage",
    }
    queryset = BrandMembership.objects.all()
    serializer_class = BrandMembershipSerializer
    filterset_fields = ["role"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    ordering_fields = ["created_at", "role"]

    def scope_queryset(self, qs):
        return qs.select_related("user").order_by("role", "user__email")

    def perform_create(self, serializer):
        user = serializer.validated_data["email"]
        services.membership_set_role(
            actor=self.request.user,
            brand=self.brand,
            user=user,
            role=serializer.validated_data["role"],
        )
        serializer.instance = self.get_queryset().get(user=user)

    def perform_update(self, serializer):
        membership = serializer.instance
        services.membership_set_role(
            actor=self.request.user,
            brand=self.brand,
            user=membership.user,
            role=serializer.validated_data.get("role", membership.role),
        )
        membership.refresh_from_db()

    def perform_destroy(self, instance):
        services.membership_set_role(
            actor=self.request.user, brand=self.brand, user=instance.user, role=None
        )
