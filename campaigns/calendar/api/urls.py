"""Calendar API routes, under /api/brands/<brand_slug>/."""

from rest_framework.routers import SimpleRouter

from campaigns.calendar.api import views

BRAND = r"brands/(?P<brand_slug>[-a-zA-Z0-9_]+)"

router = SimpleRouter()
router.register(
    f"{BRAND}/social-accounts", views.SocialAccountViewSet, basename="brand-social-account"
)
router.register(f"{BRAND}/posts", views.ContentPostViewSet, basename="brand-post")
router.register(
    f"{BRAND}/approval-links", views.ApprovalLinkViewSet, basename="brand-approval-link"
)
urlpatterns = router.urls
