"""/api/: the top-level endpoints and every brand's endpoints."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from socialhub.api import views

router = SimpleRouter()
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("brands", views.BrandViewSetList, basename="brand")
router.register(
    r"brands/(?P<brand_slug>[-a-zA-Z0-9_]+)/memberships",
    views.BrandMembershipViewSet,
    basename="brand-membership",
)

app_name = "api"
urlpatterns = [
    path("", views.api_root, name="root"),
    path("me/", views.MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path(
        "brands/<slug:brand_slug>/",
        views.BrandRootViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="brand-root",
    ),
    path("", include(router.urls)),
    path("", include("listening.api.urls")),
    path("", include("listening.insights.api.urls")),
    path("", include("listening.inbox.api.urls")),
    path("", include("listening.alerts.api.urls")),
    path("", include("listening.reports.api.urls")),
    path("", include("campaigns.api.urls")),
    path("", include("campaigns.calendar.api.urls")),
    path("", include("campaigns.reviews.api.urls")),
    path("", include("influencers.api.urls")),
]
