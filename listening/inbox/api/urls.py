"""Inbox API routes, under /api/brands/<brand_slug>/."""

from rest_framework.routers import SimpleRouter

from listening.inbox.api import views

BRAND = r"brands/(?P<brand_slug>[-a-zA-Z0-9_]+)"

router = SimpleRouter()
router.register(f"{BRAND}/inbox-items", views.InboxItemViewSet, basename="brand-inbox-item")

urlpatterns = router.urls
