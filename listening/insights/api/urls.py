"""Insights API routes, under /api/brands/<brand_slug>/."""

from rest_framework.routers import SimpleRouter

from listening.insights.api import views

BRAND = r"brands/(?P<brand_slug>[-a-zA-Z0-9_]+)"

router = SimpleRouter()
router.register(f"{BRAND}/dashboard", views.DashboardViewSet, basename="brand-dashboard")

urlpatterns = router.urls
