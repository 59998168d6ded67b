"""Alerts API routes, under /api/brands/<brand_slug>/."""

from rest_framework.routers import SimpleRouter

from listening.alerts.api import views

BRAND = r"brands/(?P<brand_slug>[-a-zA-Z0-9_]+)"

router = SimpleRouter()
router.register(f"{BRAND}/alert-rules", views.AlertRuleViewSet, basename="brand-alert-rule")
router.register(f"{BRAND}/alerts", views.AlertViewSet, basename="brand-alert")

urlpatterns = router.urls
