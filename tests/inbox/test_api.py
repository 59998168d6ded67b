"""The inbox API: items with the inbox filters, triage actions, metrics."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from listening.inbox.models import InboxItem

pytestmark = pytest.mark.django_db


def api(world, who) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.users[who] if isinstance(who, str) else who)
    return client


def base(brand) -> str:
    return f"/api/brands/{brand.slug}/inbox-items/"


def test_it_lists_items_by_priority_with_their_mention(world, items):
    response = api(world, "client").get(base(world.brand))

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [i.pk for i in items]
    first = results[0]
    assert first["mention"]["text"] == "acme broke again, how do I get a refund?"
    assert first["mention"]["author_handle"] == "person1"
    assert first["priority_label"] == "Urgent"
    assert first["status"] == "new"


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("sentiment=negative", 2),
        ("platform=mastodon", 1),
        ("status=open", 4),
        ("status=closed", 0),
        ("category=none", 4),
        ("assignee=none", 4),
        ("assignee=me", 0),
    ],
)
def test_it_filters_like_the_page(world, items, query, count):
    response = api(world, "analyst").get(f"{base(world.brand)}?{query}")
    assert response.status_code == 200
    assert response.json()["count"] == count


@pytest.mark.parametrize(
    "query",
    ["status=solved", "sentiment=furious", "category=gossip", "assignee=bob", "since=yesterday"],
)
def test_unknown_filter_values_are_a_400_naming_the_filter(world, items, query):
    response = api(world, "analyst").get(f"{base(world.brand)}?{query}")

    assert response.status_code == 400
    assert query.split("=")[0] in response.json()["errors"]


def test_an_analyst_triages_through_the_api(world, items):
    client = api(world, "analyst")
    analyst = world.users["analyst"]
    item = f"{base(world.brand)}{items[0].pk}/"

    assert (
        client.post(f"{item}assign/", {"assignee": analyst.pk}, format="json").json()["assignee"][
            "id"
        ]
        == analyst.pk
    )
    assert (
        client.post(f"{item}categorize/", {"category": "complaint"}, format="json").json()[
            "category"
        ]
        == "complaint"
    )
    assert client.post(f"{item}priority/", {"priority": 10}, format="json").json()["priority"] == 10
    note = client.post(f"{item}note/", {"text": "Called them."}, format="json")
    assert note.status_code == 201
    assert note.json()["author"]["id"] == analyst.pk
    reply = client.post(
        f"{item}reply/", {"text": "DM sent.", "url": "https://x.test/r"}, format="json"
    ).json()
    assert reply["status"] == "replied"
    assert reply["response_seconds"] is not None
    closed = client.post(f"{item}status/", {"status": "closed"}, format="json").json()
    assert closed["status"] == "closed"
    assert client.get(item).json()["reply_text"] == "DM sent."


def test_bad_triage_bodies_name_the_field(world, items):
    client = api(world, "analyst")
    item = f"{base(world.brand)}{items[0].pk}/"

    cases = [
        ("assign/", {"assignee": world.users["client"].pk}, "assignee"),
        ("assign/", {"assignee": world.foreign_manager.pk}, "assignee"),
        ("status/", {"status": "solved"}, "status"),
        ("categorize/", {"category": "gossip"}, "category"),
        ("priority/", {"priority": 55}, "priority"),
        ("note/", {}, "text"),
        ("reply/", {"text": "hi", "url": "ftp://x"}, "url"),
    ]
    for action, body, field in cases:
        response = client.post(f"{item}{action}", body, format="json")
        assert response.status_code == 400, (action, response.content)
        assert field in response.json()["errors"], (action, response.json())


@pytest.mark.parametrize("action", ["assign", "status", "categorize", "priority", "note", "reply"])
def test_a_client_may_not_triage(world, items, action):
    response = api(world, "client").post(
        f"{base(world.brand)}{items[0].pk}/{action}/", {}, format="json"
    )
    assert response.status_code == 403


def test_another_brands_items_are_not_found(world, items):
    client = api(world, world.foreign_manager)
    assert client.get(base(world.brand)).status_code == 404
    own = f"{base(world.foreign_brand)}{items[0].pk}/"
    assert client.get(own).status_code == 404
    assert client.post(f"{own}status/", {"status": "closed"}, format="json").status_code == 404
    assert InboxItem.objects.get(pk=items[0].pk).status == "new"


def test_metrics_give_response_times_and_the_backlog(world, items):
    api(world, "analyst").post(
        f"{base(world.brand)}{items[0].pk}/reply/", {"text": "Hi"}, format="json"
    )
    response = api(world, "client").get(f"{base(world.brand)}metrics/")

    data = response.json()
    assert response.status_code == 200
    assert data["responded"] == 1
    assert data["open_items"] == 3
    assert data["sla_minutes"] == 240
    assert [b["key"] for b in data["backlog"]][0] == "lt_1h"
    bad = api(world, "client").get(
        f"{base(world.brand)}metrics/?since=2026-05-10T00:00:00Z&until=2026-05-01T00:00:00Z"
    )
    assert bad.status_code == 400
    assert "until" in bad.json()["errors"]


def test_the_endpoints_are_in_the_schema_and_the_brand_root(world):
    client = api(world, "analyst")
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    prefix = "/api/brands/{brand_slug}/inbox-items/"
    for suffix in ["", "{id}/", "{id}/assign/", "{id}/reply/", "{id}/status/", "metrics/"]:
        assert prefix + suffix in paths, prefix + suffix
    root = client.get(f"/api/brands/{world.brand.slug}/").json()
    assert "inbox_items" in str(root)
