import pytest
from django.urls import reverse

from tests.insights.conftest import END, START

PERIOD = {"start": START.isoformat(), "end": END.isoformat()}


def api(brand, widget=None):
    name = "api:brand-dashboard-list" if widget is None else f"api:brand-dashboard-{widget}"
    return reverse(name, kwargs={"brand_slug": brand.slug})


@pytest.mark.parametrize("role", ["admin", "manager", "analyst", "client"])
def test_every_role_reads_the_full_payload(world, acme, role):
    response = world.client_for(role).get(api(acme.brand), PERIOD)
    assert response.status_code == 200
    data = response.json()
    assert data["period"] == {"start": "2026-01-01", "end": "2026-01-10", "bucket": "day"}
    assert data["summary"]["mentions"] == {"value": 21, "previous": 6, "change": 250.0}
    assert data["terms"]["emerging"][0]["term"] == "#acmecap"


@pytest.mark.parametrize(
    ("widget", "key"),
    [
        ("summary", "summary"),
        ("volume", "volume"),
        ("sentiment", "sentiment"),
        ("share-of-voice", "share_of_voice"),
        ("reach", "reach"),
        ("authors", "authors"),
        ("platforms", "platforms"),
        ("languages", "languages"),
        ("top-authors", "top_authors"),
        ("terms", "terms"),
        ("query-sentiment", "query_sentiment"),
        ("inbox", "inbox"),
    ],
)
def test_each_widget_has_its_own_route(world, acme, widget, key):
    url = f"/api/brands/{acme.brand.slug}/dashboard/{widget}/"
    response = world.client_for("client").get(url, PERIOD)
    assert response.status_code == 200
    assert key in response.json()


def test_the_widget_figures(world, acme):
    client = world.client_for("analyst")
    sov = client.get(api(acme.brand, "share-of-voice"), PERIOD).json()["share_of_voice"]
    assert sov["rows"][0]["share"] == {"value": 81.8, "previous": 60.0, "change": 36.3}
    sentiment = client.get(api(acme.brand, "sentiment"), PERIOD).json()["sentiment"]
    assert sentiment["neg_pos_ratio"]["value"] == 0.375


def test_filters_are_query_parameters(world, acme):
    response = world.client_for("analyst").get(
        api(acme.brand, "summary"), {**PERIOD, "platform": ["bluesky", "reddit"]}
    )
    assert response.json()["summary"]["mentions"]["value"] == 4


def test_bad_parameters_answer_400_naming_the_field(world, acme):
    client = world.client_for("analyst")
    response = client.get(api(acme.brand), {"start": "2016-01-01", "end": "2026-01-01"})
    assert response.status_code == 400
    assert "366 days" in response.json()["errors"]["start"][0]
    response = client.get(api(acme.brand, "volume"), {"platform": "myspace", "query": "77777"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"platform", "query"}


def test_another_brand_is_not_found(world, acme):
    response = world.client_for("client").get(api(world.foreign_brand), PERIOD)
    assert response.status_code == 404


def test_the_brand_api_root_lists_the_dashboard(world, acme):
    root = world.client_for("client").get(
        reverse("api:brand-root", kwargs={"brand_slug": acme.brand.slug})
    )
    assert root.json()["links"]["dashboard"].endswith("/dashboard/")


def test_the_dashboard_is_in_the_openapi_schema(world):
    response = world.client_for("client").get(reverse("api:schema"), {"format": "json"})
    paths = response.json()["paths"]
    assert "/api/brands/{brand_slug}/dashboard/share-of-voice/" in paths
    params = {p["name"] for p in paths["/api/brands/{brand_slug}/dashboard/"]["get"]["parameters"]}
    assert {"start", "end", "query", "platform", "lang", "sentiment", "days"} <= params


def test_the_inbox_widget_gives_the_response_metrics(world, acme):
    response = world.client_for("client").get(api(acme.brand, "inbox"), PERIOD)
    inbox = response.json()["inbox"]
    assert (inbox["items"], inbox["responded"], inbox["open_items"]) == (21, 0, 27)
    assert inbox["median_first_response_seconds"] is None
    assert inbox["sla_minutes"] == 240 and inbox["missed_sla"] == 21
    assert inbox["sla_share"] == 0.0
    assert [b["key"] for b in inbox["backlog"]][-1] == "gt_7d"
