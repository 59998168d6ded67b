"""Fixtures of the reviews tests: a running campaign of ``world.brand`` planned through
the services (started ten days ago, ends in twenty), with a KPI the team enters
(clicks) and one measured from listening (mentions of the campaign's hashtag), two
channels and helpers to publish posts and hear mentions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from campaigns import services as campaign_services
from campaigns.calendar import services as calendar_services
from campaigns.models import Campaign, ContentPost, SocialAccount
from listening.connectors.base import NormalizedPost
from listening.insights import services as insights_services
from listening.models import Mention
from listening.pipeline import forget_compiled_queries, ingest

TODAY = datetime.now(UTC).date()


@pytest.fixture(autouse=True)
def _fresh_matcher():
    forget_compiled_queries()
    yield
    forget_compiled_queries()


@dataclass
class Plan:
    campaign: Campaign
    mastodon: SocialAccount
    bluesky: SocialAccount


def plan_campaign(world, *, name: str = "Sound month", brand=None, kpis: bool = True) -> Plan:
    brand = brand or world.brand
    actor = world.users["admin"] if brand.agency_id == world.agency.pk else world.foreign_admin
    mastodon = calendar_services.social_account_create(
        actor=actor, brand=brand, platform="mastodon", handle=f"@{brand.slug}-{name[:5]}"
    )
    bluesky = calendar_services.social_account_create(
        actor=actor, brand=brand, platform="bluesky", handle=f"{brand.slug}-{name[:5]}.bsky"
    )
    campaign = campaign_services.campaign_create(
        actor=actor,
        brand=brand,
        name=name,
        objective="engagement",
        start_date=TODAY - timedelta(days=10),
        end_date=TODAY + timedelta(days=20),
        hashtags=["soundmonth"],
        channels=[mastodon, bluesky],
        create_hashtag_query=True,
    )
    if kpis:
        campaign_services.kpi_create(
            actor=actor, campaign=campaign, metric="mentions", target=Decimal("40")
        )
        campaign_services.kpi_create(
            actor=actor, campaign=campaign, metric="clicks", target=Decimal("1000")
        )
        enter_clicks(world, campaign, days_ago=3, value=120)
    return Plan(campaign, mastodon, bluesky)


def enter_clicks(world, campaign: Campaign, *, days_ago: int, value: int) -> None:
    campaign_services.kpi_entry_create(
        actor=world.users["manager"],
        campaign=campaign,
        metric="clicks",
        date=TODAY - timedelta(days=days_ago),
        value=Decimal(value),
    )


_n = iter(range(1, 1_000_000))


def publish(
    world, campaign: Campaign, account: SocialAccount, text: str, *, days_ago: float = 1
) -> ContentPost:
    """A post of the campaign taken through the workflow and published by hand."""
    mine = campaign.brand.agency_id == world.agency.pk
    actor = world.users["admin"] if mine else world.foreign_admin
    when = datetime.now(UTC) - timedelta(days=days_ago)
    post = calendar_services.post_create(
        actor=actor,
        brand=campaign.brand,
        account=account,
        campaign=campaign,
        text=text,
        scheduled_at=when,
    )
    post = calendar_services.post_submit(actor=actor, post=post)
    post = calendar_services.post_approve(actor=actor, post=post)
    url = f"https://social.example/{account.platform}/{next(_n)}"
    post = calendar_services.post_mark_published(actor=actor, post=post, url=url)
    # Published back then, not at the moment the test ran.
    ContentPost.objects.filter(pk=post.pk).update(published_at=when)
    post.refresh_from_db()
    return post


def hear(brand, posts: list[NormalizedPost]) -> list[Mention]:
    """Ingest posts for the brand and count them into the day rollups, as the
    pipeline's hooks would once the batch commits."""
    result = ingest(posts, brand_ids={brand.pk})
    ids = list(result.mention_ids)
    insights_services.mentions_count(mention_ids=ids)
    calendar_services.link_mentions(ids)
    return list(Mention.objects.filter(pk__in=ids))


def mention_post(
    text: str,
    *,
    at: datetime,
    url: str | None = None,
    platform: str = "mastodon",
    likes: int = 0,
    shares: int = 0,
    replies: int = 0,
) -> NormalizedPost:
    n = next(_n)
    return NormalizedPost(
        platform=platform,
        external_id=f"reviews-{n}",
        url=url or f"https://example.org/p/{n}",
        text=text,
        published_at=at,
        author_handle=f"person{n}",
        author_name=f"Person {n}",
        author_followers=100,
        lang="en",
        likes=likes,
        shares=shares,
        replies=replies,
        reach=100,
    )


@pytest.fixture
def planned(world) -> Plan:
    return plan_campaign(world)


def days_ago(n: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=n)


def today() -> date:
    return TODAY
