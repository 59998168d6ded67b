"""Campaigns API routes, under /api/brands/<brand_slug>/."""

from rest_framework.routers import SimpleRouter

from campaigns.api import views

BRAND = r"brands/(?P<brand_slug>[-a-zA-Z0-9_]+)"

router = SimpleRouter()
router.register(f"{BRAND}/campaigns", views.CampaignViewSet, basename="brand-campaign")
router.register(f"{BRAND}/kpis", views.KpiViewSet, basename="brand-kpi")
router.register(f"{BRAND}/kpi-entries", views.KpiEntryViewSet, basename="brand-kpi-entry")

urlpatterns = router.urls
