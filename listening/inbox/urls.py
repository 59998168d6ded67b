"""Inbox pages under /b/<brand_slug>/."""

app_name = "inbox"
urlpatterns: list = []
