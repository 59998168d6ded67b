"""Insights pages under /b/<brand_slug>/."""

from django.urls import path

from listening.insights import views

app_name = "insights"
urlpatterns = [
    path("listening/", views.DashboardView.as_view(), name="dashboard"),
    path("listening/report/", views.ReportView.as_view(), name="report"),
    path("listening/export/", views.ExportView.as_view(), name="export"),
]
