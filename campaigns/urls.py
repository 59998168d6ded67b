"""Campaign pages under /b/<brand_slug>/: the list, a campaign, its KPIs."""

from django.urls import path  # noqa: F401

app_name = "campaigns"
urlpatterns: list = []
