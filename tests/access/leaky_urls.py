"""A URLconf with a deliberate hole, to prove the access suite finds one.

It is the real URLconf plus two test-only routes:

- ``/b/<brand_slug>/leaky/`` lists a brand's members to anyone, because its view is a
  plain ``View`` that looks the brand up by slug without asking who is asking;
- ``/b/<brand_slug>/unregistered/<pk>/`` is properly scoped, but takes the pk of a
  model the suite has no factory for, so the suite cannot test it and must say so.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views import View
from django.views.generic import DetailView

from socialhub import access
from socialhub.models import AgencyMembership, Brand, BrandMembership
from socialhub.urls import urlpatterns as real_urlpatterns


class LeakyMembershipListView(View):
    """The mistake: no BrandViewMixin, so nothing checks the user holds the brand."""

    def get(self, request, brand_slug: str):
        brand = get_object_or_404(Brand, slug=brand_slug)
        rows = BrandMembership.objects.filter(brand=brand).select_related("user")
        return JsonResponse({"members": [(m.user.email, m.role) for m in rows]})


class UnregisteredDetailView(access.BrandViewMixin, DetailView):
    """Scoped, but AgencyMembership has no factory in tests/access/registry.py."""

    required_capability = "members.view"
    model = AgencyMembership


urlpatterns = [
    path("b/<slug:brand_slug>/leaky/", LeakyMembershipListView.as_view(), name="leaky"),
    path(
        "b/<slug:brand_slug>/unregistered/<int:pk>/",
        UnregisteredDetailView.as_view(),
        name="unregistered",
    ),
    *real_urlpatterns,
]
