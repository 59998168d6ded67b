"""Reports API routes, under /api/brands/<brand_slug>/."""

urlpatterns: list = []
