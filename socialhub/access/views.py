"""The view mixin and the API base of the access layer (see ``socialhub.access``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from rest_framework import viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated

from socialhub.access import (
    can,
    can_use_directory,
    capabilities_of,
    get_agency_for_admin,
    get_agency_for_directory,
    get_brand_for_user,
    is_agency_admin,
    role_for,
)
from socialhub.access.permissions import TwoFactorRequirementPermission

if TYPE_CHECKING:
    from socialhub.models import Agency, Brand


# -- views -----------------------------------------------------------------------------


class _ScopedViewMeta:
    """Shared guard: subclasses narrow with ``scope_queryset`` and never replace scoping."""

    _sealed: ClassVar[tuple[str, ...]] = ("get_queryset", "get_object")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in cls._sealed:
            # Only the bases in this module may define them; a subclass elsewhere cannot
            # opt out by declaring itself a base.
            is_base = cls.__dict__.get("_scoping_base", False) and cls.__module__ == __name__
            if name in cls.__dict__ and not is_base:
                raise TypeError(
                    f"{cls.__name__} overrides {name}(); narrow the rows in "
                    "scope_queryset(qs) instead, so brand scoping stays in socialhub.access."
                )


class BrandViewMixin(_ScopedViewMeta, LoginRequiredMixin):
    """The one mixin for brand-scoped pages under ``/b/<brand_slug>/``.

    Sets ``self.brand`` and ``self.role``, checks ``required_capability`` (a capability,
    or a dict from HTTP method to capability) and owns ``get_queryset()``.
    """

    _scoping_base = True
    required_capability: ClassVar[str | dict[str, str]]
    brand: Brand
    role: str | None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.brand = get_brand_for_user(request.user, kwargs["brand_slug"])
        self.role = role_for(request.user, self.brand)
        capability = self.capability_for(request.method)
        if capability is None:
            return self.http_method_not_allowed(request, *args, **kwargs)
        if not can(request.user, capability, self.brand):
            raise PermissionDenied(f"Your role in {self.brand.name} does not allow this.")
        return super().dispatch(request, *args, **kwargs)

    @classmethod
    def capability_for(cls, method: str) -> str | None:
        """The capability a request with ``method`` needs, or None if not allowed."""
        required = cls.required_capability
        if isinstance(required, str):
            return required
        if method in ("HEAD", "OPTIONS"):
            method = "GET"
        return required.get(method)

    def get_queryset(self):
        """Rows of ``self.model`` in this brand that the user may see."""
        qs = self.model._default_manager.for_user(self.request.user).filter(brand=self.brand)
        return self.scope_queryset(qs)

    def scope_queryset(self, qs):
        """Narrow the brand's rows further (filters, select_related); never widen."""
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["brand"] = self.brand
        context["role"] = self.role
        context["caps"] = capabilities_of(self.role)
        return context


class AgencyAdminMixin(_ScopedViewMeta, LoginRequiredMixin):
    """The one mixin for agency settings pages under ``/agency/<agency_slug>/``.

    Only the agency's admins get in; everyone else gets 404.
    """

    _scoping_base = True
    agency: Agency

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.agency = get_agency_for_admin(request.user, kwargs["agency_slug"])
        return super().dispatch(request, *args, **kwargs)

    @staticmethod
    def allows(user, agency: Agency) -> bool:
        """Who gets in (the access suite asks): the agency's admins."""
        return is_agency_admin(user, agency)

    def get_queryset(self):
        """Rows of ``self.model`` belonging to this agency."""
        qs = self.model._default_manager.filter(**{self.agency_field: self.agency})
        return self.scope_queryset(qs)

    agency_field = "agency"

    def scope_queryset(self, qs):
        """Narrow the agency's rows further; never widen."""
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["agency"] = self.agency
        return context


class AgencyDirectoryMixin(_ScopedViewMeta, LoginRequiredMixin):
    """The one mixin for the agency-wide influencer directory under
    ``/agency/<agency_slug>/influencers/``: the agency's admins and the staff of one of
    its brands get in (``can_use_directory``); clients and everyone else get 404.

    ``model`` must have an ``objects.for_user(user)`` and an ``agency`` field.
    """

    _scoping_base = True
    agency: Agency

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.agency = get_agency_for_directory(request.user, kwargs["agency_slug"])
        return super().dispatch(request, *args, **kwargs)

    @staticmethod
    def allows(user, agency: Agency) -> bool:
        """Who gets in (the access suite asks): ``can_use_directory``."""
        return can_use_directory(user, agency)

    def get_queryset(self):
        """Rows of ``self.model`` in this agency's directory."""
        qs = self.model._default_manager.for_user(self.request.user).filter(agency=self.agency)
        return self.scope_queryset(qs)

    def scope_queryset(self, qs):
        """Narrow the directory's rows further; never widen."""
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["agency"] = self.agency
        return context


# -- API -------------------------------------------------------------------------------


class BrandCapabilityPermission(BasePermission):
    """DRF permission: resolves the brand from the URL (404 outside it) and checks the
    capability the viewset declares for the action (403 inside it)."""

    message = "Your role in this brand does not allow this."

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        view.brand = get_brand_for_user(request.user, view.kwargs["brand_slug"])
        view.role = role_for(request.user, view.brand)
        if view.action is None:
            return True  # a method the endpoint does not have: DRF answers 405
        capability = view.capability_for(request.method, {request.method.lower(): view.action})
        return capability is not None and can(request.user, capability, view.brand)


class BrandViewSet(_ScopedViewMeta, viewsets.GenericViewSet):
    """The one base for brand-scoped API endpoints under ``/api/brands/<brand_slug>/``.

    ``capabilities`` maps each action (list, retrieve, create, update, partial_update,
    destroy, or a custom @action) to the capability it needs. Sets ``self.brand``; owns
    ``get_queryset()``; writes take the brand from the URL, never from input.
    """

    _scoping_base = True
    capabilities: ClassVar[dict[str, str]]
    permission_classes = [
        IsAuthenticated,
        TwoFactorRequirementPermission,
        BrandCapabilityPermission,
    ]
    lookup_value_regex = r"\d+"
    brand: Brand
    role: str | None

    @classmethod
    def capability_for(cls, method: str, actions: dict[str, str] | None = None) -> str | None:
        """The capability a request needs, from the action its method maps to."""
        action = (actions or {}).get(method.lower())
        if action is None and method.upper() in ("HEAD", "OPTIONS"):
            action = (actions or {}).get("get")
        return cls.capabilities.get(action) if action else None

    def get_queryset(self):
        """Rows of the model in this brand that the user may see."""
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request brand
            return self.queryset.model.objects.none()
        qs = self.queryset.model._default_manager.for_user(self.request.user).filter(
            brand=self.brand
        )
        return self.scope_queryset(qs)

    def scope_queryset(self, qs):
        """Narrow the brand's rows further; never widen."""
        return qs

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["brand"] = getattr(self, "brand", None)
        return context
