"""Content calendar pages under /b/<brand_slug>/calendar/."""

from django.urls import path  # noqa: F401

app_name = "calendar"
urlpatterns: list = []
