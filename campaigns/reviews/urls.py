"""Reviews, the campaign timeline and the campaign report under /b/<brand_slug>/campaigns/."""

from django.urls import path

from campaigns.reviews import views

app_name = "reviews"
urlpatterns = [
    path("campaigns/<int:pk>/reviews/", views.ReviewListView.as_view(), name="review_list"),
    path(
        "campaigns/<int:pk>/reviews/new/",
        views.ReviewCreateView.as_view(),
        name="review_create",
    ),
    path(
        "campaigns/reviews/<int:pk>/",
        views.ReviewDetailView.as_view(),
        name="review_detail",
    ),
    path(
        "campaigns/reviews/<int:pk>/edit/",
        views.ReviewUpdateView.as_view(),
        name="review_update",
    ),
    path(
        "campaigns/reviews/<int:pk>/delete/",
        views.ReviewDeleteView.as_view(),
        name="review_delete",
    ),
    path(
        "campaigns/<int:pk>/timeline/",
        views.CampaignTimelineView.as_view(),
        name="campaign_timeline",
    ),
    path("campaigns/<int:pk>/report/", views.CampaignReportView.as_view(), name="campaign_report"),
]
