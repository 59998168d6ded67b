"""Alerts pages under /b/<brand_slug>/."""

app_name = "alerts"
urlpatterns: list = []
