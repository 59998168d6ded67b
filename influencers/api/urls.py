"""Influencers API routes: the directories at /api/, the brand's under /api/brands/<slug>/."""

from rest_framework.routers import SimpleRouter

from influencers.api import views

BRAND = r"brands/(?P<brand_slug>[-a-zA-Z0-9_]+)"

router = SimpleRouter()
router.register("influencers", views.InfluencerViewSet, basename="influencer")
router.register(
    "influencer-profiles", views.InfluencerProfileViewSet, basename="influencer-profile"
)
router.register(
    f"{BRAND}/influencer-relationships",
    views.RelationshipViewSet,
    basename="brand-influencer-relationship",
)
router.register(
    f"{BRAND}/influencer-interactions",
    views.InteractionViewSet,
    basename="brand-influencer-interaction",
)
router.register(
    f"{BRAND}/influencer-collaborations",
    views.CollaborationViewSet,
    basename="brand-influencer-collaboration",
)

urlpatterns = router.urls
