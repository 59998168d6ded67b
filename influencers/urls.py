"""Influencer pages: the agency's directory under /agency/<agency_slug>/influencers/,
discovery and relationships under /b/<brand_slug>/influencers/."""

from django.urls import path

from influencers import views

AGENCY = "agency/<slug:agency_slug>/influencers/"
BRAND = "b/<slug:brand_slug>/influencers/"

app_name = "influencers"
urlpatterns = [
    path(AGENCY, views.InfluencerListView.as_view(), name="influencer_list"),
    path(f"{AGENCY}new/", views.InfluencerCreateView.as_view(), name="influencer_create"),
    path(f"{AGENCY}import/", views.InfluencerImportView.as_view(), name="influencer_import"),
    path(
        f"{AGENCY}import/map/",
        views.InfluencerImportMapView.as_view(),
        name="influencer_import_map",
    ),
    path(f"{AGENCY}<int:pk>/", views.InfluencerDetailView.as_view(), name="influencer_detail"),
    path(f"{AGENCY}<int:pk>/edit/", views.InfluencerUpdateView.as_view(), name="influencer_update"),
    path(
        f"{AGENCY}<int:pk>/delete/",
        views.InfluencerDeleteView.as_view(),
        name="influencer_delete",
    ),
    path(
        f"{AGENCY}<int:pk>/profiles/new/",
        views.ProfileAddView.as_view(),
        name="influencerprofile_create",
    ),
    path(
        f"{AGENCY}profiles/<int:pk>/remove/",
        views.ProfileRemoveView.as_view(),
        name="influencerprofile_delete",
    ),
    path(BRAND, views.RelationshipBoardView.as_view(), name="relationship_board"),
    path(
        f"{BRAND}collaborations/",
        views.CollaborationListView.as_view(),
        name="collaboration_list",
    ),
    path(
        f"{BRAND}collaborations/<int:pk>/",
        views.CollaborationDetailView.as_view(),
        name="collaboration_detail",
    ),
    path(
        f"{BRAND}collaborations/<int:pk>/edit/",
        views.CollaborationUpdateView.as_view(),
        name="collaboration_update",
    ),
    path(
        f"{BRAND}collaborations/<int:pk>/delete/",
        views.CollaborationDeleteView.as_view(),
        name="collaboration_delete",
    ),
    path(
        f"{BRAND}<int:pk>/collaborate/",
        views.CollaborationCreateView.as_view(),
        name="collaboration_create",
    ),
    path(f"{BRAND}list/", views.RelationshipListView.as_view(), name="relationship_list"),
    path(f"{BRAND}open/", views.RelationshipOpenView.as_view(), name="relationship_create"),
    path(f"{BRAND}discover/", views.DiscoverView.as_view(), name="discover"),
    path(f"{BRAND}discover/add/", views.DiscoverAddView.as_view(), name="discover_add"),
    path(f"{BRAND}<int:pk>/", views.RelationshipDetailView.as_view(), name="relationship_detail"),
    path(f"{BRAND}<int:pk>/move/", views.RelationshipMoveView.as_view(), name="relationship_move"),
    path(
        f"{BRAND}<int:pk>/interactions/",
        views.InteractionAddView.as_view(),
        name="interaction_create",
    ),
]
