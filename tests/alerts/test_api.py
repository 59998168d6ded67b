"""The alerts API per role: rules CRUD, alert history, acknowledge; in the schema."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from listening.alerts.models import Alert, AlertRule
from tests.alerts.test_views import fire, make_rule

pytestmark = pytest.mark.django_db


def api(world, who) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.users[who] if isinstance(who, str) else who)
    return client


def rules_url(brand, pk=None) -> str:
    if pk is None:
        return reverse("api:brand-alert-rule-list", kwargs={"brand_slug": brand.slug})
    return reverse("api:brand-alert-rule-detail", kwargs={"brand_slug": brand.slug, "pk": pk})


def alerts_url(brand, pk=None, action=None) -> str:
    if pk is None:
        return reverse("api:brand-alert-list", kwargs={"brand_slug": brand.slug})
    name = f"api:brand-alert-{action}" if action else "api:brand-alert-detail"
    return reverse(name, kwargs={"brand_slug": brand.slug, "pk": pk})


SPIKE = {
    "name": "Spike",
    "kind": "volume_spike",
    "method": "zscore",
    "threshold": 3,
    "min_count": 10,
    "window_hours": 6,
    "baseline_days": 7,
    "cooldown_hours": 12,
}


def test_an_analyst_creates_updates_and_deletes_a_rule(world):
    client = api(world, "analyst")
    manager = world.users["manager"]
    response = client.post(rules_url(world.brand), {**SPIKE, "recipients": [manager.pk]})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "volume_spike" and body["recipients"] == [manager.pk]
    rule = AlertRule.objects.get(pk=body["id"])
    assert rule.brand == world.brand

    response = client.patch(rules_url(world.brand, rule.pk), {"threshold": 4}, format="json")
    assert response.status_code == 200 and response.json()["threshold"] == 4
    assert response.json()["recipients"] == [manager.pk]  # untouched

    assert client.delete(rules_url(world.brand, rule.pk)).status_code == 204
    assert not AlertRule.objects.exists()


def test_the_api_says_which_field_is_wrong(world):
    client = api(world, "manager")
    response = client.post(rules_url(world.brand), {**SPIKE, "kind": "keyword", "keyword": ""})
    assert response.status_code == 400
    assert "keyword" in response.json()["errors"]

    response = client.post(rules_url(world.brand), {**SPIKE, "window_hours": 0})
    assert response.status_code == 400 and "window_hours" in response.json()["errors"]

    response = client.post(
        rules_url(world.brand), {**SPIKE, "recipients": [world.foreign_manager.pk]}
    )
    assert response.status_code == 400 and "recipients" in response.json()["errors"]


def test_a_client_reads_rules_and_alerts_but_changes_nothing(world):
    rule = make_rule(world)
    [alert] = fire(rule)
    client = api(world, "client")

    assert client.get(rules_url(world.brand)).status_code == 200
    assert client.get(alerts_url(world.brand)).status_code == 200
    assert client.post(rules_url(world.brand), SPIKE).status_code == 403
    assert client.patch(rules_url(world.brand, rule.pk), {"threshold": 9}).status_code == 403
    assert client.delete(rules_url(world.brand, rule.pk)).status_code == 403
    assert client.post(alerts_url(world.brand, alert.pk, "acknowledge")).status_code == 403
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_alerts_explain_themselves_and_filter(world):
    rule = make_rule(world)
    [alert] = fire(rule)
    fire(make_rule(world, name="Other"))
    client = api(world, "client")

    body = client.get(alerts_url(world.brand), {"rule": rule.pk}).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["explanation"] == alert.explanation
    assert row["threshold"] == 2 and row["observed_value"] == 3
    assert row["window_start"] and "baseline_value" in row
    assert row["mentions_url"].endswith(
        "/b/acme-test/mentions/?days=&start=2026-03-10&end=2026-03-10&q=recall"
    )
    assert client.get(alerts_url(world.brand), {"acknowledged": "true"}).json()["count"] == 0


def test_an_analyst_acknowledges_through_the_api(world):
    [alert] = fire(make_rule(world))
    response = api(world, "analyst").post(alerts_url(world.brand, alert.pk, "acknowledge"))
    assert response.status_code == 200
    assert response.json()["acknowledged_by"]["email"] == "analyst@alpha.test"
    assert Alert.objects.get().acknowledged_by == world.users["analyst"]


def test_another_brand_answers_404(world):
    foreign_rule = make_rule(world, brand=world.foreign_brand)
    [foreign_alert] = fire(foreign_rule)
    client = api(world, "manager")

    assert client.get(rules_url(world.foreign_brand)).status_code == 404
    assert client.get(alerts_url(world.foreign_brand)).status_code == 404
    assert client.get(rules_url(world.brand, foreign_rule.pk)).status_code == 404
    assert client.get(alerts_url(world.brand, foreign_alert.pk)).status_code == 404
    assert client.post(alerts_url(world.brand, foreign_alert.pk, "acknowledge")).status_code == 404


def test_alerts_are_in_the_schema_and_on_the_brand_root(world):
    client = api(world, "client")
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    paths = schema["paths"]
    assert "/api/brands/{brand_slug}/alert-rules/" in paths
    assert "/api/brands/{brand_slug}/alerts/{id}/acknowledge/" in paths
    root = client.get(reverse("api:brand-root", kwargs={"brand_slug": world.brand.slug})).json()
    assert root["links"]["alerts"].endswith("/api/brands/acme-test/alerts/")
    assert root["links"]["alert_rules"].endswith("/api/brands/acme-test/alert-rules/")
