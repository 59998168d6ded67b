"""The campaign timeline: plan, measurements, posts and reviews in one chronological
list, filtered by kind, in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import Review
from campaigns.reviews import services
from tests.reviews.conftest import enter_clicks, plan_campaign, publish, today

pytestmark = pytest.mark.django_db


def _url(brand, campaign, **params):
    url = reverse("reviews:campaign_timeline", kwargs={"brand_slug": brand.slug, "pk": campaign.pk})
    if params:
        url += "?" + "&".join(f"kind={k}" for k in params["kinds"])
    return url


def _review(world, campaign, days_ago: int, subject: str) -> Review:
    review = services.review_create(
        actor=world.users["manager"],
        campaign=campaign,
        decisions=[{"verdict": "keep", "subject": subject}],
    )
    return services.review_update(
        actor=world.users["manager"], review=review, date=today() - timedelta(days=days_ago)
    )


def test_it_lists_plan_measurements_posts_and_reviews_oldest_first(world, planned):
    campaign = planned.campaign
    publish(world, campaign, planned.mastodon, "First tips post", days_ago=8)
    _review(world, campaign, 5, "Keep the tips")
    publish(world, campaign, planned.bluesky, "Festival post", days_ago=2)

    response = world.client_for("client").get(_url(world.brand, campaign))

    items = response.context["items"]
    assert response.status_code == 200
    assert [i.at for i in items] == sorted(i.at for i in items)
    titles = [i.title for i in items]
    order = [
        "Campaign starts",
        "Published on Mastodon @acme-test-Sound",
        "Review",
        "Clicks entered: 120",  # 3 days ago
        "Published on Bluesky acme-test-Sound.bsky",
        "Campaign ends",
    ]
    positions = [titles.index(t) for t in order]
    assert positions == sorted(positions)
    assert "Target set: Mentions" in titles and "Target set: Clicks" in titles
    # The weekly KPI value: day 7 of the campaign, against the plan.
    weekly = [i for i in items if i.extra.get("weekly")]
    assert weekly and all(i.kind == "measurement" for i in weekly)
    assert any(i.title.startswith("Clicks to date: ") and "planned" in i.detail for i in weekly)
    html = response.content.decode()
    assert "Keep the tips" in html  # the review's decisions are shown with it
    assert "First tips post" in html


def test_it_filters_by_kind(world, planned):
    publish(world, planned.campaign, planned.mastodon, "A published post", days_ago=4)
    _review(world, planned.campaign, 1, "Stop the ads")

    response = world.client_for("manager").get(
        _url(world.brand, planned.campaign, kinds=["post", "review", "bogus"])
    )

    items = response.context["items"]
    assert {i.kind for i in items} == {"post", "review"}
    assert len(items) == 2
    assert "Unknown kind ignored: bogus." in response.content.decode()


def test_an_empty_campaign_has_its_plan_and_says_what_comes_next(world):
    empty = plan_campaign(world, name="Quiet one", kpis=False)

    response = world.client_for("manager").get(
        _url(world.brand, empty.campaign, kinds=["post", "review"])
    )

    assert response.context["items"] == []
    assert "Nothing here yet" in response.content.decode()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_campaign(
    world, planned, django_assert_num_queries
):
    client = world.client_for("manager")
    campaign = planned.campaign
    publish(world, campaign, planned.mastodon, "Post 0", days_ago=6)
    _review(world, campaign, 4, "Decision 0")
    url = _url(world.brand, campaign)
    small = _count(client, url)

    for n in range(1, 6):
        publish(world, campaign, planned.bluesky, f"Post {n}", days_ago=n)
        _review(world, campaign, n, f"Decision {n}")
    enter_clicks(world, campaign, days_ago=2, value=300)

    assert _count(client, url) == small
    # session, user; the user's brands, the brand, admin?, role (4); the campaign;
    # kpis.evaluate: KPIs, brand queries, campaign queries, day rollups, entries (5);
    # the timeline: KPIs, entries, posts, reviews, decisions, decisions' posts (6);
    # the layout: brand switcher, alert bell, agencies (3).
    with django_assert_num_queries(21):
        client.get(url)
