"""Reports API routes, under /api/brands/<brand_slug>/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from listening.reports.api import views

BRAND = r"brands/(?P<brand_slug>[-a-zA-Z0-9_]+)"

router = SimpleRouter()
router.register(
    f"{BRAND}/mentions/export", views.MentionExportViewSet, basename="brand-mention-export"
)

urlpatterns = [
    *router.urls,
    path(
        "brands/<slug:brand_slug>/digest-subscription/",
        views.DigestSubscriptionViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="brand-digest-subscription",
    ),
]
