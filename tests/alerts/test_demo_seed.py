"""The demo: rules for each brand, and the planted "#<slug>cap" spike has fired."""

from __future__ import annotations

from io import StringIO

import pytest

from listening import demo_seed as listening_demo
from listening.alerts import demo_seed
from listening.alerts.models import Alert, AlertRule
from listening.pipeline import forget_compiled_queries
from tests.factories import BrandFactory, grant

pytestmark = pytest.mark.django_db


def test_the_demo_spike_fires_an_alert(world, monkeypatch):
    monkeypatch.setattr(listening_demo, "POSTS_PER_BRAND", 600)
    forget_compiled_queries()
    brand = BrandFactory(agency=world.agency, name="Acme", slug="acme", competitors=["Globex"])
    grant(world.users["manager"], brand, "manager")
    brands = {"acme": brand}
    listening_demo.seed(brands=brands, actor=world.users["admin"], stdout=StringIO())

    out = StringIO()
    demo_seed.seed(brands=brands, actor=world.users["admin"], stdout=out)
    demo_seed.seed(brands=brands, actor=world.users["admin"], stdout=out)  # idempotent

    assert AlertRule.objects.filter(brand=brand).count() == 5
    spike = Alert.objects.filter(brand=brand, kind="volume_spike")
    assert spike.count() == 1  # one incident, not one per hour of it
    alert = spike.get()
    assert not alert.is_open  # the spike was days ago: cleared since
    assert "mentions of the brand's own queries in the 6 hours" in alert.explanation
    assert Alert.objects.filter(brand=brand, kind="keyword").exists()  # "cut my hand"
    manager = world.users["manager"]
    assert list(AlertRule.objects.filter(brand=brand).first().recipients.all()) == [manager]
    assert "alert rules" in out.getvalue()
