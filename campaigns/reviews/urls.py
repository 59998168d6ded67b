"""Reviews, the campaign timeline and the campaign report under /b/<brand_slug>/campaigns/."""

from django.urls import path  # noqa: F401

app_name = "reviews"
urlpatterns: list = []
