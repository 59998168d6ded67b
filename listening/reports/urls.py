"""Reports pages under /b/<brand_slug>/."""

app_name = "reports"
urlpatterns: list = []
