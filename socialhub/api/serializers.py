"""Serializers of the tenancy core's API."""

from __future__ import annotations

from django.urls import resolve
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from socialhub import access
from socialhub.forms import timezone_choices
from socialhub.models import Agency, Brand, BrandMembership, Role, User


class AgencySerializer(serializers.ModelSerializer):
    is_admin = serializers.SerializerMethodField()

    class Meta:
        model = Agency
        fields = ["slug", "name", "require_mfa", "is_admin", "created_at"]
        read_only_fields = ["slug", "created_at"]

    @extend_schema_field(serializers.BooleanField())
    def get_is_admin(self, agency: Agency) -> bool:
        return access.is_agency_admin(self.context["request"].user, agency)


# The brand's role includes "admin" (an agency admin holds every brand), so its choices
# differ from a membership's role; a named component keeps the two enums apart in the
# schema and in generated clients.
@extend_schema_field({"type": "string", "enum": list(access.ROLES)}, component_name="BrandRoleEnum")
class BrandRoleField(serializers.ChoiceField):
    """The user's role in a brand: ``admin`` for the agency's admins, else their brand role."""

    def __init__(self, **kwargs):
        super().__init__(choices=access.ROLES, **kwargs)


class BrandListSerializer(serializers.ListSerializer):
    """A list of brands: the user's roles in all of them are read at once."""

    def to_representation(self, data):
        brands = list(data.all() if hasattr(data, "all") else data)
        access.prime_roles(self.context["request"].user, brands)
        return super().to_representation(brands)


class BrandSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="slug", queryset=Agency.objects.none())
    role = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    timezone = serializers.ChoiceField(choices=timezone_choices(), default="UTC")
    languages = serializers.ListField(
        child=serializers.RegexField(r"^[a-z]{2}$", max_length=2), required=False, max_length=50
    )
    competitors = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False, max_length=50
    )

    class Meta:
        model = Brand
        fields = [
            "slug",
            "name",
            "agency",
            "timezone",
            "languages",
            "competitors",
            "description",
            "archived_at",
            "role",
            "url",
            "created_at",
        ]
        read_only_fields = ["archived_at", "created_at"]
        extra_kwargs = {"slug": {"required": False}}
        list_serializer_class = BrandListSerializer

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A brand can only be created in an agency the user administers.
            self.fields["agency"].queryset = Agency.objects.administered_by(request.user)
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["agency"].read_only = True
            self.fields["slug"].read_only = True

    # Never null: every brand the API shows is one the user holds a role in.
    @extend_schema_field(BrandRoleField)
    def get_role(self, brand: Brand) -> str | None:
        return access.role_for(self.context["request"].user, brand)

    @extend_schema_field(serializers.URLField())
    def get_url(self, brand: Brand) -> str:
        return reverse(
            "api:brand-root", kwargs={"brand_slug": brand.slug}, request=self.context["request"]
        )


class BrandRootSerializer(BrandSerializer):
    """The brand's API root: the brand itself and links to its endpoints."""

    links = serializers.SerializerMethodField()

    class Meta(BrandSerializer.Meta):
        fields = [*BrandSerializer.Meta.fields, "links"]

    @extend_schema_field(serializers.DictField(child=serializers.URLField()))
    def get_links(self, brand: Brand) -> dict[str, str]:
        """The brand's endpoints that the reader may open (a client is not shown the
        approval links, which only managers hold)."""
        request = self.context["request"]
        kwargs = {"brand_slug": brand.slug}
        links = {}
        for name, route in BRAND_ENDPOINTS.items():
            path = reverse(f"api:{route}", kwargs=kwargs)
            view = resolve(path).func
            capability_for = getattr(getattr(view, "cls", None), "capability_for", None)
            capability = (
                capability_for("GET", getattr(view, "actions", None)) if capability_for else None
            )
            if capability is None or access.can(request.user, capability, brand):
                links[name] = request.build_absolute_uri(path)
        return links


# Every endpoint under /api/brands/<slug>/, listed on the brand's API root.
# Later apps add theirs here.
BRAND_ENDPOINTS: dict[str, str] = {
    "memberships": "brand-membership-list",
    "sources": "brand-source-list",
    "queries": "brand-query-list",
    "mentions": "brand-mention-list",
    "dashboard": "brand-dashboard-list",
    "inbox_items": "brand-inbox-item-list",
    "alert_rules": "brand-alert-rule-list",
    "alerts": "brand-alert-list",
    "mentions_export": "brand-mention-export-list",
    "digest_subscription": "brand-digest-subscription",
    "campaigns": "brand-campaign-list",
    "kpis": "brand-kpi-list",
    "kpi_entries": "brand-kpi-entry-list",
    "social_accounts": "brand-social-account-list",
    "posts": "brand-post-list",
    "approval_links": "brand-approval-link-list",
    "reviews": "brand-review-list",
    "influencer_relationships": "brand-influencer-relationship-list",
    "influencer_interactions": "brand-influencer-interaction-list",
    "influencer_collaborations": "brand-influencer-collaboration-list",
}


class UserSummarySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "name"]


class BrandMembershipSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)
    email = serializers.EmailField(write_only=True, help_text="The member's email address.")
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = BrandMembership
        fields = ["id", "user", "email", "role", "created_at"]
        read_only_fields = ["created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["email"].required = False
            self.fields["email"].read_only = True

    def validate_email(self, email: str) -> User:
        brand: Brand = self.context["brand"]
        user = User.objects.filter(
            email__iexact=email, agency_memberships__agency_id=brand.agency_id
        ).first()
        if user is None:
            raise serializers.ValidationError(
                f"{email} is not a member of {brand.agency.name}; invite them first."
            )
        if brand.memberships.filter(user=user).exists():
            raise serializers.ValidationError(f"{email} already has a role in {brand.name}.")
        return user


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()
    agencies = AgencySerializer(many=True)
    brands = BrandSerializer(many=True)
