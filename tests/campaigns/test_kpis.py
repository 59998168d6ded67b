from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from campaigns import kpis, services
from campaigns.models import Campaign, ContentPost, Kpi, SocialAccount
from listening import pipeline
from listening.connectors.base import NormalizedPost
from listening.models import Mention, Post
from tests.campaigns.conftest import END, plan

TODAY = END  # the campaign's last day: every day of it has passed


def kpi(campaign, metric, target, **fields):
    return services.kpi_create(
        actor=None, campaign=campaign, metric=metric, target=Decimal(str(target)), **fields
    )


def results(campaign, today=TODAY):
    # A fresh instance: the reads are cached per campaign object.
    return {r.metric: r for r in kpis.evaluate(Campaign.objects.get(pk=campaign.pk), today=today)}


def test_it_measures_listening_kpis_from_the_rollups(heard):
    c = heard.campaign
    for metric, target in (
        ("mentions", 30),
        ("reach", 10000),
        ("engagement", 30),
        ("net_sentiment", 50),
        ("positive_share", 50),
        ("neg_pos_ratio", 0.2),
        ("share_of_voice", 90),
        ("unique_authors", 10),
    ):
        kpi(c, metric, target)
    r = results(c)
    # No campaign query: the brand's own (Acme 18 + Bottle 2 + Jane Roe 1).
    assert r["mentions"].current == 21
    assert r["mentions"].baseline == 6  # Dec 22–31
    assert r["reach"].current == 6 * 1000 + 2 * 10 + 2 * 5 + 8 * 1 + 2 * 2 + 3
    assert r["engagement"].current == 21
    assert r["net_sentiment"].current == 45.5  # (8 − 3) / (8 + 3)
    assert r["net_sentiment"].baseline == 0.0
    assert r["positive_share"].current == 38.1  # 8 of 21
    assert r["neg_pos_ratio"].current == 0.375
    assert r["share_of_voice"].current == 84.0  # 21 against Globex's 4
    assert r["share_of_voice"].baseline == 60.0  # 6 against 4
    # Every author of the brand's mentions (as the dashboard counts them).
    assert r["unique_authors"].current == 7


def test_it_measures_only_the_campaigns_queries_when_it_has_some(world, heard):
    acme = heard.fx.queries["Acme"]
    services.campaign_update(actor=None, campaign=heard.campaign, queries=[acme])
    kpi(heard.campaign, "mentions", 30)
    assert results(heard.campaign)["mentions"].current == 18


def test_unique_authors_are_those_of_the_campaigns_queries_when_it_has_some(heard):
    acme = heard.fx.queries["Acme"]
    services.campaign_update(actor=None, campaign=heard.campaign, queries=[acme])
    kpi(heard.campaign, "unique_authors", 10)
    r = results(heard.campaign)["unique_authors"]
    # Who said "acme" in the campaign: alice, bob, carol and erin, counted exactly; not
    # the brand's other authors (frank on the bottle, gina on Jane Roe).
    assert r.current == 4
    assert r.baseline == 2  # alice and bob, Dec 22–31
    series = dict(r.series)
    assert series[date(2026, 1, 2)] == 1  # alice
    assert series[date(2026, 1, 4)] == 3  # + bob (Jan 3) + carol (Jan 4)
    assert series[END] == 4


def test_it_counts_mentions_by_influencers_above_the_threshold(heard):
    kpi(heard.campaign, "influencer_mentions", 10, follower_threshold=100)
    r = results(heard.campaign)["influencer_mentions"]
    # alice (1000 followers) said "acme" six times; dave (100) spoke of the competitor.
    assert r.current == 6
    assert r.baseline == 3


def test_kpi_values_move_when_matching_mentions_are_ingested(heard, committed):
    kpi(heard.campaign, "mentions", 30)
    kpi(heard.campaign, "net_sentiment", 60)
    before = results(heard.campaign)
    posts = [
        NormalizedPost(
            platform="mastodon",
            external_id=f"late-{i}",
            url=f"https://social.example/late/{i}",
            text="acme love it",
            published_at=datetime(2026, 1, 8, 12, tzinfo=UTC),
            author_handle=f"fan{i}",
            author_followers=50,
            lang="en",
        )
        for i in range(4)
    ]
    with committed():
        pipeline.ingest(posts, brand_ids={heard.fx.brand.pk})
    after = results(heard.campaign)
    assert after["mentions"].current == before["mentions"].current + 4
    assert after["net_sentiment"].current == 60.0  # (12 − 3) / (12 + 3)
    # The daily series moves from the day the mentions were published.
    series = dict(after["mentions"].series)
    assert series[date(2026, 1, 7)] == dict(before["mentions"].series)[date(2026, 1, 7)]
    assert series[date(2026, 1, 8)] == dict(before["mentions"].series)[date(2026, 1, 8)] + 4


def test_it_stores_the_baseline_once_and_keeps_it(heard, committed):
    k = kpi(heard.campaign, "mentions", 30)
    results(heard.campaign)
    k.refresh_from_db()
    assert k.baseline == 6 and k.baseline_computed_at is not None
    late = NormalizedPost(
        platform="mastodon",
        external_id="backfill",
        url="https://social.example/backfill",
        text="acme meh",
        published_at=datetime(2025, 12, 28, 9, tzinfo=UTC),
        author_handle="late",
        lang="en",
    )
    with committed():
        pipeline.ingest([late], brand_ids={heard.fx.brand.pk})
    assert results(heard.campaign)["mentions"].baseline == 6


def test_it_does_not_store_a_baseline_before_the_campaign_starts(heard):
    k = kpi(heard.campaign, "mentions", 30)
    r = results(heard.campaign, today=date(2025, 12, 31))["mentions"]
    assert r.pacing == "not_started" and r.current is None
    assert r.baseline == 6  # provisional
    k.refresh_from_db()
    assert k.baseline_computed_at is None


def test_a_relative_target_is_a_change_on_the_baseline(heard):
    kpi(heard.campaign, "mentions", 250, target_kind="relative")
    r = results(heard.campaign)["mentions"]
    assert r.target == 21.0  # 6 × (1 + 250 %)
    assert r.pacing == "on_track"


def test_pacing_follows_the_plan_of_the_campaign_days(heard):
    # Jan 1–10; on Jan 5 half the days have passed and Acme & co. had 10 mentions.
    kpi(heard.campaign, "mentions", 20)
    r = results(heard.campaign, today=date(2026, 1, 5))["mentions"]
    assert (r.elapsed_days, r.total_days) == (5, 10)
    assert r.current == 10
    assert r.expected == 10.0
    assert r.pacing == "on_track" and r.pacing_label == "On track"
    r = results(heard.campaign, today=date(2026, 1, 10))["mentions"]
    assert r.current == 21 and r.pacing == "on_track"
    Kpi.objects.filter(metric="mentions").update(target=28)  # 21 / 28 = 75 %
    assert results(heard.campaign)["mentions"].pacing == "at_risk"
    Kpi.objects.filter(metric="mentions").update(target=100)
    assert results(heard.campaign)["mentions"].pacing == "off_track"
    # A back-loaded plan expects little early on.
    Kpi.objects.filter(metric="mentions").update(target=40, plan="back")
    r = results(heard.campaign, today=date(2026, 1, 5))["mentions"]
    assert r.expected == 10.0 and r.pacing == "on_track"  # 40 × (5/10)²


def test_pacing_respects_a_downward_direction(heard):
    # Negative per positive: baseline 1.0 (3 / 3), now 0.375; the plan asks for 0.5.
    kpi(heard.campaign, "neg_pos_ratio", 0.5)
    r = results(heard.campaign)["neg_pos_ratio"]
    assert r.direction == "down" and r.baseline == 1.0 and r.expected == 0.5
    assert r.pacing == "on_track"
    Kpi.objects.filter(metric="neg_pos_ratio").update(target=Decimal("0.1"))
    # Needed 0.9 of a drop, made 0.625 of it: 69 %.
    assert results(heard.campaign)["neg_pos_ratio"].pacing == "off_track"


@pytest.mark.parametrize(
    ("current", "expected", "ref", "direction", "pacing"),
    [
        (95, 100, 0, "up", "on_track"),
        (75, 100, 0, "up", "at_risk"),
        (50, 100, 0, "up", "off_track"),
        (None, 100, 0, "up", "no_data"),
        # A spending cap: under it is on track, a small overshoot too, a big one not.
        (4000, 5000, 0, "down", "on_track"),
        (5400, 5000, 0, "down", "on_track"),
        (6000, 5000, 0, "down", "at_risk"),
        (8000, 5000, 0, "down", "off_track"),
        # A level from a baseline: net sentiment from 10 toward 30 (expected 20 now).
        (19, 20, 10, "up", "on_track"),
        (17, 20, 10, "up", "at_risk"),
        (12, 20, 10, "up", "off_track"),
    ],
)
def test_pacing_thresholds(current, expected, ref, direction, pacing):
    assert kpis.pacing_of(current, expected, ref, direction)[0] == pacing


def test_the_plan_shapes():
    mentions, sentiment = kpis.CATALOGUE["mentions"], kpis.CATALOGUE["net_sentiment"]
    assert kpis.expected_value(mentions, "linear", 50, 100, 0.5) == 50
    assert kpis.expected_value(mentions, "front", 50, 100, 0.5) == 75
    assert kpis.expected_value(mentions, "back", 50, 100, 0.5) == 25
    assert kpis.expected_value(sentiment, "linear", 10, 30, 0.5) == 20
    assert kpis.expected_value(sentiment, "flat", 10, 30, 0.1) == 30
    assert kpis.expected_value(sentiment, "linear", None, 30, 0.1) == 30


def test_it_derives_costs_and_value_from_the_team_figures(world, settings):
    settings.SOCIALHUB_AVE_CPM = "5.00"
    c = plan(world, name="Ads")
    for metric, value, day in (
        ("clicks", 60, 2),
        ("clicks", 40, 3),
        ("spend", 50, 3),
        ("conversions", 5, 4),
        ("impressions", 20000, 4),
    ):
        services.kpi_entry_create(
            actor=world.users["manager"],
            campaign=c,
            metric=metric,
            date=date(2026, 1, day),
            value=Decimal(value),
        )
    for metric, target in (("clicks", 100), ("cpc", 1), ("cpa", 5), ("conversion_rate", 10)):
        kpi(c, metric, target)
    kpi(c, "ave", 50)
    r = results(c)
    assert r["clicks"].current == 100
    assert r["cpc"].current == 0.5
    assert r["cpc"].pacing == "on_track"  # under the cost target
    assert r["cpa"].current == 10.0
    assert r["cpa"].pacing == "off_track"  # twice the cost it should be
    assert r["conversion_rate"].current == 5.0
    assert r["ave"].current == 100.0  # 20 000 / 1000 × 5.00
    assert dict(r["clicks"].series)[date(2026, 1, 2)] == 60
    as_json = r["cpc"].as_dict()
    assert as_json["current"] == 0.5 and isinstance(as_json["series"][0][0], str)


def test_an_entered_kpi_without_figures_has_no_data(world):
    c = plan(world, name="Quiet")
    kpi(c, "signups", 10)
    assert results(c)["signups"].pacing == "no_data"


def test_it_measures_posts_on_time_and_engagement_on_own_posts(world, committed):
    c = plan(world, name="Posting")
    account = SocialAccount.objects.create(brand=world.brand, platform="mastodon", handle="@acme")
    post = Post.objects.create(
        platform="mastodon",
        external_id="own-1",
        text="our post",
        published_at=datetime(2026, 1, 2, 10, tzinfo=UTC),
        likes=5,
        shares=2,
        replies=3,
    )
    mention = Mention.objects.create(
        brand=world.brand,
        post=post,
        published_at=post.published_at,
        platform="mastodon",
        sentiment="neutral",
    )
    at = datetime(2026, 1, 2, 10, tzinfo=UTC)
    for minutes_late, status in ((5, "published"), (120, "published"), (None, "failed")):
        ContentPost.objects.create(
            brand=world.brand,
            account=account,
            campaign=c,
            text="x",
            scheduled_at=at,
            status=status,
            published_at=at + timedelta(minutes=minutes_late) if minutes_late else None,
            mention=mention if minutes_late == 5 else None,
        )
    kpi(c, "posts_on_time", 90)
    kpi(c, "own_post_engagement", 20)
    r = results(c)
    assert r["posts_on_time"].current == 33.3  # 1 of 3 within the hour
    assert r["posts_on_time"].pacing == "off_track"
    assert r["own_post_engagement"].current == 10


def test_it_compares_before_during_and_after(heard):
    cmp = kpis.compare_periods(heard.campaign, today=date(2026, 1, 25))
    periods = {p["key"]: p for p in cmp["periods"]}
    assert periods["before"]["figures"]["mentions"] == 6
    assert periods["during"]["figures"]["mentions"] == 21
    assert periods["during"]["figures"]["share_of_voice"] == 84.0
    assert periods["after"]["figures"]["mentions"] == 0
    assert periods["after"]["end"] == "2026-01-20"
    # Before the end, "after" has not started.
    cmp = kpis.compare_periods(heard.campaign, today=date(2026, 1, 5))
    after = {p["key"]: p for p in cmp["periods"]}["after"]
    assert not after["started"] and after["figures"]["mentions"] is None


def test_it_reads_all_listening_kpis_in_a_few_queries(heard, django_assert_max_num_queries):
    for metric in ("mentions", "reach", "engagement", "net_sentiment", "share_of_voice"):
        kpi(heard.campaign, metric, 10)
    results(heard.campaign)  # the baselines are stored on the first evaluation
    campaign = Campaign.objects.get(pk=heard.campaign.pk)
    # the KPIs, the campaign's queries, the brand's queries, one rollup read
    with django_assert_max_num_queries(4):
        kpis.evaluate(campaign, today=TODAY)
        kpis.compare_periods(campaign, today=TODAY)


def _result(current, expected, *, direction="up", unit="percent"):
    return kpis.KpiResult(
        kpi_id=1, metric="net_sentiment", label="Net sentiment", unit=unit, kind="listening",
        direction=direction, plan="linear", target_kind="absolute", target_input=80.0,
        baseline=74.2, baseline_computed=True, target=80.0, current=current, expected=expected,
        progress=None, pacing="off_track", elapsed_days=31, total_days=60,
    )  # fmt: skip


def test_the_page_says_how_far_from_plan_in_the_kpis_own_unit_and_direction():
    assert _result(51.5, 77.2).versus_plan == "25.7 points behind plan"
    assert _result(81.0, 77.2).versus_plan == "3.8 points ahead of plan"
    assert _result(31.0, 52.0, direction="down", unit="count").versus_plan == "21 ahead of plan"
    assert _result(52.0, 52.0, unit="count").versus_plan == "on plan"
    assert _result(None, 52.0).versus_plan == ""
