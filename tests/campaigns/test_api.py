"""The campaigns API per role: campaigns (KPIs measured in the detail), KPIs (measured
figures read-only), the team's figures; in the schema."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from campaigns import services
from campaigns.models import Campaign, Kpi, KpiEntry
from listening import services as listening_services
from tests.campaigns.conftest import plan

pytestmark = pytest.mark.django_db


def api(world, who) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.users[who] if isinstance(who, str) else who)
    return client


def url(kind, brand, pk=None) -> str:
    name = f"api:brand-{kind}-{'list' if pk is None else 'detail'}"
    kwargs = {"brand_slug": brand.slug} if pk is None else {"brand_slug": brand.slug, "pk": pk}
    return reverse(name, kwargs=kwargs)


CAMPAIGN = {
    "name": "Spring",
    "objective": "launch",
    "start_date": "2026-03-01",
    "end_date": "2026-03-31",
    "budget": "2000.00",
    "currency": "GBP",
    "hashtags": ["spring"],
    "create_hashtag_query": True,
}


def test_a_manager_creates_a_campaign_with_its_hashtag_query(world):
    r = api(world, "manager").post(url("campaign", world.brand), CAMPAIGN, format="json")
    assert r.status_code == 201, r.json()
    campaign = Campaign.objects.get()
    assert r.json()["queries"] == [campaign.queries.get().pk]
    assert campaign.queries.get().expression == "#spring"


@pytest.mark.parametrize("role", ["analyst", "client"])
def test_analysts_and_clients_read_but_cannot_write(world, role, campaign):
    client = api(world, role)
    assert client.get(url("campaign", world.brand)).status_code == 200
    assert client.get(url("campaign", world.brand, campaign.pk)).status_code == 200
    assert client.post(url("campaign", world.brand), CAMPAIGN, format="json").status_code == 403
    r = client.patch(url("campaign", world.brand, campaign.pk), {"name": "x"}, format="json")
    assert r.status_code == 403
    kpi = {"campaign": campaign.pk, "metric": "mentions", "target": "10"}
    assert client.post(url("kpi", world.brand), kpi, format="json").status_code == 403
    entry = {"campaign": campaign.pk, "metric": "clicks", "date": "2026-01-02", "value": "5"}
    assert client.post(url("kpi-entry", world.brand), entry, format="json").status_code == 403
    assert not Kpi.objects.exists() and not KpiEntry.objects.exists()


def test_a_foreign_brand_and_its_campaigns_are_not_found(world, campaign):
    client = api(world, world.foreign_manager)
    assert client.get(url("campaign", world.brand)).status_code == 404
    assert client.get(url("campaign", world.foreign_brand, campaign.pk)).status_code == 404


def test_bad_input_names_the_field(world, campaign):
    client = api(world, "manager")
    r = client.post(
        url("campaign", world.brand),
        {**CAMPAIGN, "end_date": "2026-02-01", "create_hashtag_query": False},
        format="json",
    )
    assert r.status_code == 400 and "end_date" in r.json()["errors"]
    r = client.post(url("campaign", world.brand), {**CAMPAIGN, "currency": "ZZZ"}, format="json")
    assert r.status_code == 400 and "ISO 4217" in r.json()["errors"]["currency"][0]
    r = client.post(
        url("kpi", world.brand),
        {"campaign": campaign.pk, "metric": "positive_share", "target": "150"},
        format="json",
    )
    assert r.status_code == 400 and "target" in r.json()["errors"]
    r = client.post(
        url("kpi", world.brand),
        {"campaign": campaign.pk, "metric": "nonsense", "target": "1"},
        format="json",
    )
    assert r.status_code == 400 and "metric" in r.json()["errors"]
    foreign = listening_services.query_create(
        actor=None, brand=world.foreign_brand, name="Theirs", expression="theirs"
    )
    r = client.patch(
        url("campaign", world.brand, campaign.pk), {"queries": [foreign.pk]}, format="json"
    )
    assert r.status_code == 400 and "queries" in r.json()["errors"]
    assert Campaign.objects.count() == 1 and not Kpi.objects.exists()


def test_kpis_come_with_their_measured_values(world, heard):
    client = api(world, "manager")
    r = client.post(
        url("kpi", world.brand),
        {"campaign": heard.campaign.pk, "metric": "mentions", "target": "20", "baseline_input": 1},
        format="json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["baseline"] == 6.0  # measured: the typed one is ignored
    assert body["current"] == 21.0 and body["pacing"] == "on_track"
    assert body["target_value"] == 20.0
    listed = client.get(url("kpi", world.brand), {"campaign": heard.campaign.pk}).json()
    assert [k["metric"] for k in listed["results"]] == ["mentions"]
    detail = client.get(url("campaign", world.brand, heard.campaign.pk)).json()
    assert detail["kpis"][0]["current"] == 21.0
    assert detail["kpis"][0]["series"][0] == ["2026-01-01", 0.0]
    # Measured figures cannot be written.
    kpi = Kpi.objects.get()
    client.patch(url("kpi", world.brand, kpi.pk), {"current": 99, "target": "25"}, format="json")
    kpi.refresh_from_db()
    assert kpi.target == 25


def test_a_manager_enters_lists_and_removes_team_figures(world, campaign):
    client = api(world, "manager")
    entry = {"campaign": campaign.pk, "metric": "spend", "date": "2026-01-02", "value": "120.50"}
    r = client.post(url("kpi-entry", world.brand), entry, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["entered_by"]["email"] == "manager@alpha.test"
    r = client.post(url("kpi-entry", world.brand), {**entry, "value": "130"}, format="json")
    assert r.status_code == 201 and KpiEntry.objects.get().value == Decimal("130")
    listed = api(world, "client").get(url("kpi-entry", world.brand)).json()
    assert listed["results"][0]["value"] == "130.0000"
    r = client.post(url("kpi-entry", world.brand), {**entry, "metric": "cpc"}, format="json")
    assert r.status_code == 400
    client.delete(url("kpi-entry", world.brand, KpiEntry.objects.get().pk))
    assert not KpiEntry.objects.exists()


def test_a_manager_deletes_a_campaign(world, campaign):
    services.kpi_create(actor=None, campaign=campaign, metric="clicks", target=10)
    r = api(world, "manager").delete(url("campaign", world.brand, campaign.pk))
    assert r.status_code == 204
    assert not Campaign.objects.exists() and not Kpi.objects.exists()


def test_campaigns_are_in_the_schema_and_on_the_brand_root(world):
    client = api(world, "client")
    paths = client.get(reverse("api:schema"), {"format": "json"}).json()["paths"]
    assert "/api/brands/{brand_slug}/campaigns/{id}/" in paths
    assert "/api/brands/{brand_slug}/kpis/" in paths
    assert "/api/brands/{brand_slug}/kpi-entries/{id}/" in paths
    root = client.get(reverse("api:brand-root", kwargs={"brand_slug": world.brand.slug})).json()
    assert root["links"]["campaigns"].endswith("/api/brands/acme-test/campaigns/")
    assert root["links"]["kpi_entries"].endswith("/api/brands/acme-test/kpi-entries/")


def test_campaign_dates_default_to_the_plan(world):
    c = plan(world, name="Dates", start=date(2026, 5, 1), end=date(2026, 5, 2))
    r = api(world, "client").get(url("campaign", world.brand, c.pk)).json()
    assert (r["start_date"], r["end_date"], r["kpis"]) == ("2026-05-01", "2026-05-02", [])
