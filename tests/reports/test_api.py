"""The reports API: the mention export as CSV and the signed-in person's digest opt-in."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from listening.reports.models import DigestSubscription
from tests.reports.conftest import hear, post

pytestmark = pytest.mark.django_db


def export_url(brand) -> str:
    return reverse("api:brand-mention-export-list", kwargs={"brand_slug": brand.slug})


def digest_url(brand) -> str:
    return reverse("api:brand-digest-subscription", kwargs={"brand_slug": brand.slug})


def rows(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


@pytest.fixture
def mentions(world, queries):
    hear(
        world,
        [
            post(1, "acme headphones, love it", hours_ago=1),
            post(2, "acme app broke again", hours_ago=2),
            post(3, "#acme love it", platform="mastodon", lang="de", hours_ago=3),
        ],
    )


def test_it_exports_mentions_as_csv_with_the_streams_filters(world, mentions):
    client = world.client_for("client")

    response = client.get(export_url(world.brand), {"sentiment": "positive"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert [r["Text"] for r in rows(response)] == ["acme headphones, love it", "#acme love it"]
    everything = client.get(export_url(world.brand), HTTP_ACCEPT="text/csv")
    assert everything.status_code == 200
    assert len(rows(everything)) == 3


def test_it_names_the_wrong_filter(world, mentions):
    response = world.client_for("analyst").get(
        export_url(world.brand),
        {"sentiment": "furious", "start": "2026-02-01", "end": "2026-01-01"},
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {"sentiment", "end"}
    assert "furious" in body["errors"]["sentiment"][0]
    assert body["errors"]["end"] == ["The end comes before the start."]


def test_every_role_can_export_through_the_api_but_not_another_brand(world, mentions):
    for role in ("admin", "manager", "analyst", "client"):
        assert world.client_for(role).get(export_url(world.brand)).status_code == 200
    assert world.client_for("manager").get(export_url(world.foreign_brand)).status_code == 404
    assert world.client_for(world.outsider).get(export_url(world.brand)).status_code == 404


def test_a_member_reads_and_sets_their_own_digest_subscription(world):
    client = world.client_for("client")
    assert client.get(digest_url(world.brand)).json() == {
        "subscribed": False,
        "last_sent_week": None,
    }

    response = client.put(
        digest_url(world.brand), {"subscribed": True}, content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json() == {"subscribed": True, "last_sent_week": None}
    subscription = DigestSubscription.objects.get()
    assert (subscription.user, subscription.brand) == (world.users["client"], world.brand)
    # Someone else's view of the same brand is theirs alone.
    assert world.client_for("analyst").get(digest_url(world.brand)).json()["subscribed"] is False

    client.put(digest_url(world.brand), {"subscribed": False}, content_type="application/json")
    assert DigestSubscription.objects.get().is_active is False


def test_a_digest_subscription_put_says_what_is_missing(world):
    response = world.client_for("analyst").put(
        digest_url(world.brand), {}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "subscribed" in response.json()["errors"]
    assert not DigestSubscription.objects.exists()


def test_the_digest_subscription_checks_ownership(world):
    client = world.client_for("manager")
    assert client.get(digest_url(world.foreign_brand)).status_code == 404
    response = client.put(
        digest_url(world.foreign_brand), {"subscribed": True}, content_type="application/json"
    )
    assert response.status_code == 404
    assert not DigestSubscription.objects.exists()


def test_the_brand_root_and_the_schema_list_the_reports_endpoints(world):
    client = world.client_for("analyst")
    links = client.get(reverse("api:brand-root", kwargs={"brand_slug": world.brand.slug})).json()
    text = str(links)
    assert export_url(world.brand) in text
    assert digest_url(world.brand) in text
    schema = client.get(reverse("api:schema")).content.decode()
    assert "/api/brands/{brand_slug}/mentions/export/" in schema
    assert "/api/brands/{brand_slug}/digest-subscription/" in schema
    assert "text/csv" in schema
