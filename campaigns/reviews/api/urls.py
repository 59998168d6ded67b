"""Reviews API routes, under /api/brands/<brand_slug>/."""

from rest_framework.routers import SimpleRouter

from campaigns.reviews.api import views

BRAND = r"brands/(?P<brand_slug>[-a-zA-Z0-9_]+)"

router = SimpleRouter()
router.register(f"{BRAND}/reviews", views.ReviewViewSet, basename="brand-review")

urlpatterns = router.urls
