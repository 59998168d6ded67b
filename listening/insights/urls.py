"""Insights pages under /b/<brand_slug>/."""

app_name = "insights"
urlpatterns: list = []
