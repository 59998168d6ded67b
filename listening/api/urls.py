"""Listening API routes, under /api/brands/<brand_slug>/."""

from rest_framework.routers import SimpleRouter

from listening.api import views

BRAND = r"brands/(?P<brand_slug>[-a-zA-Z0-9_]+)"

router = SimpleRouter()
router.register(f"{BRAND}/sources", views.SourceViewSet, basename="brand-source")
router.register(f"{BRAND}/queries", views.QueryViewSet, basename="brand-query")
router.register(f"{BRAND}/mentions", views.MentionViewSet, basename="brand-mention")

urlpatterns = router.urls
