"""The root URLconf: the tenancy core's pages, each app's pages, accounts, admin, API.

Brand-scoped pages live under /b/<brand_slug>/, agency settings under
/agency/<agency_slug>/; the access suite (tests/access/) walks every pattern here.
"""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from socialhub import views

brand_patterns = [
    path("", views.BrandHomeView.as_view(), name="brand_home"),
    path("settings/", views.BrandSettingsView.as_view(), name="brand_settings"),
    path("members/", views.BrandMembershipListView.as_view(), name="brandmembership_list"),
    path(
        "members/invite/",
        views.BrandMembershipInviteView.as_view(),
        name="brandmembership_invite",
    ),
    path(
        "members/<int:pk>/",
        views.BrandMembershipUpdateView.as_view(),
        name="brandmembership_update",
    ),
    path(
        "members/<int:pk>/remove/",
        views.BrandMembershipDeleteView.as_view(),
        name="brandmembership_delete",
    ),
    path("activity/", views.BrandAuditEventListView.as_view(), name="brand_auditevent_list"),
]

agency_patterns = [
    path("", views.AgencyOverviewView.as_view(), name="agency_overview"),
    path("settings/", views.AgencySettingsView.as_view(), name="agency_settings"),
    path("brands/", views.AgencyBrandListView.as_view(), name="agency_brand_list"),
    path("brands/new/", views.AgencyBrandCreateView.as_view(), name="agency_brand_create"),
    path("brands/<int:pk>/", views.AgencyBrandUpdateView.as_view(), name="agency_brand_update"),
    path("members/", views.AgencyMemberListView.as_view(), name="agency_member_list"),
    path("members/invite/", views.AgencyInviteView.as_view(), name="agency_invite"),
    path("members/<int:pk>/", views.AgencyMemberUpdateView.as_view(), name="agency_member_update"),
    path(
        "members/<int:pk>/remove/",
        views.AgencyMemberRemoveView.as_view(),
        name="agency_member_remove",
    ),
    path(
        "invitations/<int:pk>/revoke/",
        views.AgencyInvitationRevokeView.as_view(),
        name="agency_invitation_revoke",
    ),
    path("audit/", views.AgencyAuditEventListView.as_view(), name="agency_auditevent_list"),
]

tenancy_patterns = [
    path("b/<slug:brand_slug>/", include(brand_patterns)),
    path("agency/<slug:agency_slug>/", include(agency_patterns)),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("accounts/api-token/", views.ApiTokenView.as_view(), name="api_token"),
]

# Platform staff sign in to the Django admin through allauth's login, so the admin
# gets the same rate limits, email verification and two-factor.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "SocialHub platform admin"
admin.site.site_title = "SocialHub admin"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz/", views.HealthView.as_view(), name="health"),
    path("", include((tenancy_patterns, "socialhub"))),
    # Each app's brand pages (strings: the core never imports the apps built on it).
    path("b/<slug:brand_slug>/", include("listening.urls")),
    path("b/<slug:brand_slug>/", include("listening.insights.urls")),
    path("b/<slug:brand_slug>/", include("listening.inbox.urls")),
    path("b/<slug:brand_slug>/", include("listening.alerts.urls")),
    path("b/<slug:brand_slug>/", include("listening.reports.urls")),
    path("b/<slug:brand_slug>/", include("campaigns.urls")),
    path("b/<slug:brand_slug>/", include("campaigns.calendar.urls")),
    # The client's approval page and the .ics feed: the token is the credential.
    path("", include("campaigns.calendar.public_urls")),
    path("b/<slug:brand_slug>/", include("campaigns.reviews.urls")),
    # The influencer directory (agency-wide) and relationships (per brand).
    path("", include("influencers.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("socialhub.api.urls")),
]

handler400 = "socialhub.views.error_400"
handler403 = "socialhub.views.error_403"
handler404 = "socialhub.views.error_404"
handler500 = "socialhub.views.error_500"
