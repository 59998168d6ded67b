"""Campaign pages under /b/<brand_slug>/: the list, a campaign, its KPIs."""

from django.urls import path

from campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", views.CampaignFormView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.CampaignFormView.as_view(), name="campaign_update"),
    path(
        "campaigns/<int:pk>/archive/",
        views.CampaignArchiveView.as_view(),
        name="campaign_archive",
    ),
    path("campaigns/<int:pk>/kpis/new/", views.KpiFormView.as_view(), name="kpi_create"),
    path("campaigns/kpis/<int:pk>/", views.KpiUpdateView.as_view(), name="kpi_update"),
    path("campaigns/kpis/<int:pk>/delete/", views.KpiDeleteView.as_view(), name="kpi_delete"),
    path(
        "campaigns/<int:pk>/figures/new/",
        views.KpiEntryCreateView.as_view(),
        name="kpientry_create",
    ),
    path(
        "campaigns/figures/<int:pk>/delete/",
        views.KpiEntryDeleteView.as_view(),
        name="kpientry_delete",
    ),
]
