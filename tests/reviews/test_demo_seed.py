"""The demo: a running campaign per brand with its KPIs measured from planted hashtag
mentions, two channels, a month of posts (one waiting for the client) and a review;
running it twice changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest

from campaigns import demo_seed, kpis
from campaigns.models import Campaign, ContentPost, KpiEntry, Review, SocialAccount
from campaigns.reviews import selectors
from listening.models import Query
from tests.factories import BrandFactory

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_running_campaign_with_kpis_posts_and_a_review(world):
    brand = BrandFactory(agency=world.agency, name="Acme", slug="acme", competitors=["Globex"])
    brands = {"acme": brand}
    out = StringIO()

    demo_seed.seed(brands=brands, actor=world.users["admin"], stdout=out)
    demo_seed.seed(brands=brands, actor=world.users["admin"], stdout=out)  # idempotent

    today = datetime.now(UTC).date()
    campaign = Campaign.objects.get(brand=brand)
    assert campaign.status == Campaign.Status.RUNNING
    assert campaign.start_date == today - timedelta(days=30)
    assert campaign.end_date == today + timedelta(days=29)
    query = campaign.queries.get()
    assert (query.kind, query.expression) == (Query.Kind.CAMPAIGN, "#acmesound")

    accounts = SocialAccount.objects.filter(brand=brand)
    assert sorted(a.platform for a in accounts) == ["bluesky", "mastodon"]
    assert all(a.credentials == {} for a in accounts)

    posts = ContentPost.objects.filter(brand=brand, campaign=campaign)
    assert posts.count() == 12
    assert {p.account.platform for p in posts} == {"bluesky", "mastodon"}
    published = [p for p in posts if p.status == ContentPost.Status.PUBLISHED]
    assert len(published) == 6
    assert all(p.published_url and p.published_at.date() < today for p in published)
    assert all(p.mention_id for p in published)  # heard, so the report ranks them
    future = [p for p in posts if p.status != ContentPost.Status.PUBLISHED]
    assert all(p.scheduled_at.date() > today for p in future)
    assert [p.status for p in future].count(ContentPost.Status.IN_REVIEW) == 1
    assert [p.status for p in future].count(ContentPost.Status.SCHEDULED) == 4

    results = {r.metric: r for r in kpis.evaluate(campaign)}
    assert set(results) == {"mentions", "net_sentiment", "share_of_voice", "clicks"}
    mentions = results["mentions"]
    assert mentions.target_kind == "relative" and mentions.target_input == 20
    assert mentions.baseline == demo_seed.BASELINE_MENTIONS
    assert mentions.current >= demo_seed.CAMPAIGN_MENTIONS  # fans, and the posts heard
    assert results["clicks"].current == 420 + 510 + 640 + 700
    assert KpiEntry.objects.filter(campaign=campaign, metric="clicks").count() == 4

    review = Review.objects.get(campaign=campaign)
    assert [d.verdict for d in review.decisions.all()] == ["keep", "stop", "change"]
    assert review.decisions.get(verdict="change").query == query
    assert {k["metric"] for k in review.kpi_snapshot} == set(results)
    assert len(review.answers) >= 6

    ranking = selectors.campaign_posts_ranking(campaign)
    assert len(ranking.ranked) == 6 and not ranking.unheard
    assert "already there" in out.getvalue()
