"""The demo: listening's demo ingest fills the inbox through the hook; the inbox's demo
seed adds rules and a worked history with realistic response times."""

from __future__ import annotations

from io import StringIO

import pytest

from listening import demo_seed as listening_demo
from listening.inbox import demo_seed
from listening.inbox.models import InboxItem, RoutingRule
from listening.pipeline import forget_compiled_queries
from tests.factories import BrandFactory, grant

pytestmark = pytest.mark.django_db


def test_the_demo_has_items_assigned_replied_and_closed(world, committed, monkeypatch):
    monkeypatch.setattr(listening_demo, "POSTS_PER_BRAND", 300)
    monkeypatch.setattr(demo_seed, "HANDLED", 20)
    forget_compiled_queries()
    brand = BrandFactory(agency=world.agency, name="Acme", slug="acme", competitors=["Globex"])
    grant(world.users["analyst"], brand, "analyst")
    brands = {"acme": brand}
    with committed():
        listening_demo.seed(brands=brands, actor=world.users["admin"], stdout=StringIO())
    # The hook ran during listening's demo ingest: the items exist before our seed.
    created_by_hook = InboxItem.objects.filter(brand=brand).count()
    assert created_by_hook > 0

    out = StringIO()
    demo_seed.seed(brands=brands, actor=world.users["admin"], stdout=out)
    demo_seed.seed(brands=brands, actor=world.users["admin"], stdout=out)  # idempotent

    items = InboxItem.objects.filter(brand=brand)
    assert items.count() == created_by_hook
    assert RoutingRule.objects.filter(brand=brand).count() == 3
    replied = [i for i in items if i.first_response_at]
    assert len(replied) >= 20
    assert all(0 < i.response_seconds < 2 * 24 * 3600 for i in replied)
    assert items.filter(status="closed").exists()
    assert items.filter(assignee__isnull=False, status="assigned").exists()
    assert items.exclude(category="").exists()
    assert "inbox items" in out.getvalue()
