"""The reviews API: a review with nested decisions written in one request, all or
nothing; the snapshot read-only; filtered by campaign; scoped to the brand."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from campaigns.models import Review, ReviewDecision
from campaigns.reviews import services
from listening import services as listening_services
from tests.reviews.conftest import plan_campaign, publish

pytestmark = pytest.mark.django_db


def api(world, who) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.users[who] if isinstance(who, str) else who)
    return client


def url(brand, pk=None) -> str:
    if pk is None:
        return reverse("api:brand-review-list", kwargs={"brand_slug": brand.slug})
    return reverse("api:brand-review-detail", kwargs={"brand_slug": brand.slug, "pk": pk})


def test_a_manager_creates_a_review_with_its_decisions_in_one_request(world, planned):
    post = publish(world, planned.campaign, planned.mastodon, "Tips for better sound")
    query = planned.campaign.queries.get()

    response = api(world, "manager").post(
        url(world.brand),
        {
            "campaign": planned.campaign.pk,
            "date": "2026-02-01",
            "answers": {"goals": "Clicks from the ad report."},
            "summary": "Ahead of plan.",
            "kpi_snapshot": [{"metric": "made up"}],  # read-only: ignored
            "decisions": [
                {"verdict": "keep", "subject": "Tips", "posts": [post.pk]},
                {
                    "verdict": "change",
                    "subject": "Query",
                    "query": query.pk,
                    "links": [{"label": "Brief", "url": "https://brief.example/"}],
                },
            ],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["author"]["id"] == world.users["manager"].pk
    assert {k["metric"] for k in body["kpi_snapshot"]} == {"mentions", "clicks"}
    assert [d["verdict"] for d in body["decisions"]] == ["keep", "change"]
    assert body["decisions"][0]["posts"] == [post.pk]
    assert body["decisions"][1]["links"] == [{"label": "Brief", "url": "https://brief.example/"}]
    review = Review.objects.get(pk=body["id"])
    assert review.brand == world.brand and review.decisions.count() == 2


def test_one_bad_decision_saves_nothing_and_names_the_field(world, planned):
    response = api(world, "manager").post(
        url(world.brand),
        {
            "campaign": planned.campaign.pk,
            "decisions": [
                {"verdict": "keep", "subject": "Tips"},
                {
                    "verdict": "change",
                    "subject": "Brief",
                    "links": [{"label": "x", "url": "javascript:alert(1)"}],
                },
            ],
        },
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["decisions"][0] == {}
    assert "not an http:// or https:// URL" in errors["decisions"][1]["links"][0]
    assert not Review.objects.exists() and not ReviewDecision.objects.exists()


def test_a_query_or_post_of_elsewhere_is_a_field_error(world, planned):
    foreign = listening_services.query_create(
        actor=world.foreign_admin, brand=world.foreign_brand, name="Theirs", expression="theirs"
    )
    other = plan_campaign(world, name="Other push", kpis=False)
    elsewhere = publish(world, other.campaign, other.mastodon, "Another campaign's post")

    client = api(world, "manager")

    def decide(decision):
        body = {"campaign": planned.campaign.pk, "decisions": [decision]}
        response = client.post(url(world.brand), body, format="json")
        assert response.status_code == 400
        return response.json()["errors"]["decisions"][0]

    assert "query" in decide({"verdict": "change", "subject": "Query", "query": foreign.pk})
    errors = decide({"verdict": "stop", "subject": "Post", "posts": [elsewhere.pk]})
    assert errors["posts"] == [f"Not posts of this campaign: {elsewhere.pk}."]
    assert not Review.objects.exists()


def test_a_campaign_of_another_brand_is_a_field_error(world, planned):
    theirs = plan_campaign(world, name="Foreign push", brand=world.foreign_brand, kpis=False)

    response = api(world, "manager").post(
        url(world.brand), {"campaign": theirs.campaign.pk}, format="json"
    )

    assert response.status_code == 400
    assert "campaign" in response.json()["errors"]


def test_an_update_replaces_the_decisions_atomically_and_keeps_the_snapshot(world, planned):
    review = services.review_create(
        actor=world.users["manager"],
        campaign=planned.campaign,
        decisions=[{"verdict": "keep", "subject": "Tips"}, {"verdict": "stop", "subject": "Ads"}],
    )
    keep, stop = review.decisions.all()
    client = api(world, "manager")

    bad = client.patch(
        url(world.brand, review.pk),
        {"decisions": [{"id": keep.pk, "verdict": "maybe", "subject": "Tips"}]},
        format="json",
    )
    assert bad.status_code == 400 and "verdict" in bad.json()["errors"]["decisions"][0]
    assert review.decisions.count() == 2  # untouched

    response = client.patch(
        url(world.brand, review.pk),
        {
            "summary": "Changed our minds.",
            "kpi_snapshot": [],
            "decisions": [{"id": keep.pk, "verdict": "change", "subject": "Tips, weekly"}],
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert [(d["id"], d["subject"]) for d in body["decisions"]] == [(keep.pk, "Tips, weekly")]
    assert not ReviewDecision.objects.filter(pk=stop.pk).exists()
    assert body["kpi_snapshot"] == review.kpi_snapshot != []


def test_it_lists_and_filters_by_campaign(world, planned):
    other = plan_campaign(world, name="Other push", kpis=False)
    mine = services.review_create(actor=world.users["manager"], campaign=planned.campaign)
    services.review_create(actor=world.users["manager"], campaign=other.campaign)
    client = api(world, "client")

    everything = client.get(url(world.brand)).json()
    filtered = client.get(url(world.brand), {"campaign": planned.campaign.pk}).json()

    assert everything["count"] == 2
    assert [r["id"] for r in filtered["results"]] == [mine.pk]


def test_a_client_reads_but_cannot_write(world, planned):
    review = services.review_create(actor=world.users["manager"], campaign=planned.campaign)
    client = api(world, "client")

    assert client.get(url(world.brand, review.pk)).status_code == 200
    assert client.post(url(world.brand), {"campaign": planned.campaign.pk}).status_code == 403
    assert client.delete(url(world.brand, review.pk)).status_code == 403


def test_it_checks_ownership(world, planned):
    theirs = plan_campaign(world, name="Foreign push", brand=world.foreign_brand, kpis=False)
    review = services.review_create(actor=world.foreign_admin, campaign=theirs.campaign)
    client = api(world, "admin")

    assert client.get(url(world.brand, review.pk)).status_code == 404
    assert client.get(url(world.foreign_brand, review.pk)).status_code == 404
    assert client.delete(url(world.brand, review.pk)).status_code == 404
    assert Review.objects.filter(pk=review.pk).exists()


def test_the_brand_root_links_to_reviews(world):
    response = api(world, "client").get(
        reverse("api:brand-root", kwargs={"brand_slug": world.brand.slug})
    )

    assert response.json()["links"]["reviews"].endswith(f"/api/brands/{world.brand.slug}/reviews/")
