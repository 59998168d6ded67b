"""Reports pages under /b/<brand_slug>/."""

from django.urls import path

from listening.reports import views

app_name = "reports"
urlpatterns = [
    path("mentions/export.csv", views.MentionExportCSVView.as_view(), name="mentions_csv"),
    path("mentions/export.xlsx", views.MentionExportXLSXView.as_view(), name="mentions_xlsx"),
    path("reports/digest/", views.DigestSettingsView.as_view(), name="digest_settings"),
    path("reports/digest/preview/", views.DigestPreviewView.as_view(), name="digest_preview"),
]
