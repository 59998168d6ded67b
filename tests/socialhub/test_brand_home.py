"""The brand's home at a glance: a card per app (socialhub.overview) with its figures,
each only for the roles that may open that area, never another brand's data, an empty
state each, and a fixed number of queries."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns import services as campaign_services
from campaigns.calendar import services as calendar_services
from campaigns.models import Campaign
from influencers import health
from influencers import services as influencer_services
from listening import pipeline
from listening import services as listening_services
from listening.alerts import services as alert_services
from listening.connectors.base import NormalizedPost
from listening.inbox import services as inbox_services
from listening.inbox.models import InboxItem
from listening.insights import overview as listening_overview
from listening.insights import selectors as insights
from listening.models import Query
from socialhub import access, overview, services

pytestmark = pytest.mark.django_db

SECTION_IDS = [
    "overview-listening",
    "overview-inbox",
    "overview-alerts",
    "overview-campaigns",
    "overview-calendar",
    "overview-influencers",
]


@pytest.fixture(autouse=True)
def _fresh_matcher():
    pipeline.forget_compiled_queries()
    yield
    pipeline.forget_compiled_queries()


def home(brand) -> str:
    return reverse("socialhub:brand_home", kwargs={"brand_slug": brand.slug})


def section(response, template: str) -> dict:
    """The context of the card rendered from ``template``."""
    found = [s for t, s in response.context["sections"] if t == template]
    assert found, f"no {template} card"
    return found[0]


def card(client, brand, template: str):
    """What the card rendered from ``template`` shows ``client`` on ``brand``'s home."""
    return section(client.get(home(brand)), template)["overview"]


def actor_for(world, brand):
    return world.users["admin"] if brand.agency_id == world.agency.pk else world.foreign_admin


# -- data, through the services ---------------------------------------------------------

_ids = itertools.count(1)


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def post(text: str, when: datetime, *, author: str = "", followers: int = 100) -> NormalizedPost:
    n = next(_ids)
    author = author or f"person{n}"
    return NormalizedPost(
        platform="mastodon",
        external_id=f"home-{n}",
        url=f"https://social.example/home/{n}",
        text=text,
        published_at=when,
        author_handle=author,
        author_name=author.title(),
        author_followers=followers,
        lang="en",
        reach=followers,
    )


def listen(world, brand, word: str = "acme") -> None:
    """A brand query for ``word``, a competitor query, and phrase rules that fix each
    test post's sentiment ("love" positive, "hate" negative)."""
    actor = actor_for(world, brand)
    listening_services.query_create(
        actor=actor, brand=brand, name=word.title(), kind=Query.Kind.BRAND, expression=word
    )
    listening_services.query_create(
        actor=actor, brand=brand, name="Globex", kind=Query.Kind.COMPETITOR, expression="globex"
    )
    for phrase, sentiment in (("love", "positive"), ("hate", "negative")):
        listening_services.phrase_rule_create(
            actor=actor, brand=brand, phrase=phrase, sentiment=sentiment
        )
    pipeline.forget_compiled_queries()


def hear(committed, brand, posts: list[NormalizedPost]) -> None:
    """Ingest posts for ``brand`` with the on-commit hooks run (rollups, inbox, alerts)."""
    with committed():
        pipeline.ingest(posts, brand_ids={brand.pk})


def keyword_rule(world, brand, keyword: str):
    return alert_services.alert_rule_create(
        actor=actor_for(world, brand),
        brand=brand,
        name=keyword.title(),
        kind="keyword",
        keyword=keyword,
        min_count=1,
    )


def running_campaign(
    world, brand, name: str, *, ends_in: int = 5, figures=(), computed=()
) -> Campaign:
    """A campaign running since 4 days ago (10 days long by default), with an entered
    KPI per (metric, value to date) of ``figures``, each with a target of 100: half-way
    through, 50 is on track, 40 at risk, 10 off track; and a KPI per ``computed`` metric
    (measured from listening)."""
    today = datetime.now(UTC).date()
    manager = world.users["manager"] if brand == world.brand else world.foreign_manager
    campaign = campaign_services.campaign_create(
        actor=manager,
        brand=brand,
        name=name,
        objective="launch",
        start_date=today - timedelta(days=4),
        end_date=today + timedelta(days=ends_in),
        status=Campaign.Status.RUNNING,
    )
    for metric, value in figures:
        campaign_services.kpi_create(
            actor=manager, campaign=campaign, metric=metric, target=Decimal(100)
        )
        campaign_services.kpi_entry_create(
            actor=manager,
            campaign=campaign,
            metric=metric,
            date=today - timedelta(days=1),
            value=Decimal(value),
        )
    for metric in computed:
        campaign_services.kpi_create(
            actor=manager, campaign=campaign, metric=metric, target=Decimal(100)
        )
    return campaign


def channel(world, brand, handle: str = "@acme"):
    manager = world.users["manager"] if brand == world.brand else world.foreign_manager
    return calendar_services.social_account_create(
        actor=manager, brand=brand, platform="mastodon", handle=handle
    )


def scheduled_post(world, brand, account, text: str, in_hours: float, *, submit=False):
    analyst = world.users["analyst"] if brand == world.brand else world.foreign_manager
    draft = calendar_services.post_create(
        actor=analyst,
        brand=brand,
        account=account,
        text=text,
        scheduled_at=datetime.now(UTC) + timedelta(hours=in_hours),
    )
    if submit:
        return calendar_services.post_submit(actor=analyst, post=draft)
    return draft


def relationship(world, brand, name: str, handle: str, *, stage: str = "prospect"):
    agency = world.agency if brand.agency_id == world.agency.pk else world.foreign_agency
    actor = actor_for(world, brand)
    influencer = influencer_services.influencer_create(
        actor=actor,
        agency=agency,
        name=name,
        profiles=[{"platform": "mastodon", "handle": handle, "followers": 5_000}],
    )
    rel = influencer_services.relationship_open(actor=actor, brand=brand, influencer=influencer)
    if stage != "prospect":
        influencer_services.relationship_move(actor=actor, relationship=rel, stage=stage)
    return rel


# -- the extension point ----------------------------------------------------------------


def test_it_shows_the_cards_in_the_order_of_the_work_loop(world):
    html = world.client_for("manager").get(home(world.brand)).content.decode()
    positions = [html.index(f'id="{card}"') for card in SECTION_IDS]
    assert positions == sorted(positions)
    # Above the team and the recent activity.
    assert positions[-1] < html.index("<h2>Team")


def test_it_registers_each_section_once_however_often_ready_runs():
    before = list(overview.brand_sections)
    for label in ("insights", "inbox", "alerts", "campaigns", "influencers"):
        apps.get_app_config(label).ready()
    assert overview.brand_sections == before
    assert [s.__module__ for s in before] == [
        "listening.insights.overview",
        "listening.inbox.overview",
        "listening.alerts.overview",
        "campaigns.overview",
        "campaigns.overview",
        "influencers.overview",
    ]


def test_a_card_that_fails_is_left_out_and_the_home_still_opens(world, monkeypatch, caplog):
    def broken(brand, user):
        raise RuntimeError("boom")

    monkeypatch.setattr(overview, "brand_sections", [broken, *overview.brand_sections])
    response = world.client_for("manager").get(home(world.brand))

    assert response.status_code == 200
    html = response.content.decode()
    assert all(f'id="{card}"' in html for card in SECTION_IDS)
    assert "The brand home section broken failed" in caplog.text


# -- listening --------------------------------------------------------------------------


def test_it_counts_the_last_seven_days_of_mentions_from_the_rollups(world, committed):
    listen(world, world.brand)
    today = insights.brand_today(world.brand)
    hear(
        committed,
        world.brand,
        [
            *[post("acme love it", noon(today - timedelta(days=1))) for _ in range(3)],
            post("acme hate it", noon(today - timedelta(days=2))),
            # A competitor's mentions are not the brand's.
            *[post("globex love it", noon(today - timedelta(days=1))) for _ in range(2)],
            # The 7 days before.
            *[post("acme love it", noon(today - timedelta(days=9))) for _ in range(2)],
            # Older still: counted nowhere.
            *[post("acme hate it", noon(today - timedelta(days=20))) for _ in range(5)],
        ],
    )

    response = world.client_for("analyst").get(home(world.brand))

    card = section(response, "insights/_overview.html")["overview"]
    assert (card.mentions.value, card.mentions.previous, card.mentions.change) == (4, 2, 100.0)
    assert (card.net_sentiment.value, card.net_sentiment.previous) == (50.0, 100.0)
    # The same figures as the dashboard's "last 7 days", where the link leads.
    board = insights.dashboard(world.brand, start=card.period.start, end=card.period.end)
    assert board.summary["mentions"] == card.mentions
    assert board.summary["net_sentiment"] == card.net_sentiment
    html = response.content.decode()
    assert f'href="/b/{world.brand.slug}/listening/?days=7"' in html
    assert "+100.0%" in html


def test_it_reads_the_day_rollups_and_never_the_mentions(world, committed):
    listen(world, world.brand)
    hear(committed, world.brand, [post("acme love it", datetime.now(UTC) - timedelta(hours=1))])
    with CaptureQueriesContext(connection) as queries:
        card = listening_overview.listening_overview(world.brand, world.users["analyst"])
    assert card.mentions.value == 1
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "insights_dayrollup" in sql
    assert "listening_mention" not in sql


def test_it_ends_the_seven_days_with_the_brand_time_zone_today(world, monkeypatch):
    # 23:30 UTC on Mar 10 is already Mar 11 in Tokyo.
    monkeypatch.setattr(insights, "_now", lambda: datetime(2026, 3, 10, 23, 30, tzinfo=UTC))
    world.brand.timezone = "Asia/Tokyo"
    card = listening_overview.listening_overview(world.brand, world.users["analyst"])
    assert (card.period.start, card.period.end) == (date(2026, 3, 5), date(2026, 3, 11))


def test_it_invites_to_add_a_query_when_the_brand_listens_to_nothing(world):
    queries = f'href="/b/{world.brand.slug}/queries/"'
    manager = world.client_for("manager").get(home(world.brand)).content.decode()
    client = world.client_for("client").get(home(world.brand)).content.decode()
    assert "Not listening yet — <a" in manager and f"{queries}>add a query" in manager
    assert "Not listening yet: nobody has set up a query" in client
    assert f"{queries}>add a query" not in client


# -- inbox ------------------------------------------------------------------------------


def test_it_counts_open_inbox_items_by_status_and_the_oldest_wait(world, committed):
    listen(world, world.brand)
    now = datetime.now(UTC)
    hear(
        committed,
        world.brand,
        [post(f"acme question {h}", now - timedelta(hours=h)) for h in (2, 3, 4, 5, 50)],
    )
    items = {i.published_at: i for i in InboxItem.objects.filter(brand=world.brand)}
    by_age = [items[t] for t in sorted(items, reverse=True)]  # newest first
    analyst = world.users["analyst"]
    inbox_services.items_set_status(actor=analyst, items=[by_age[0]], status="needs_reply")
    inbox_services.items_assign(actor=analyst, items=[by_age[1]], assignee=analyst)
    inbox_services.items_set_status(actor=analyst, items=[by_age[2]], status="closed")

    response = world.client_for("client").get(home(world.brand))

    card = section(response, "inbox/_overview.html")["overview"]
    assert [(s, n) for s, _label, n in card.counts] == [
        ("new", 2),
        ("needs_reply", 1),
        ("assigned", 1),
    ]
    assert card.oldest_wait == "2 d 2 h"  # the 50-hour-old mention, still new
    html = response.content.decode()
    assert f'href="/b/{world.brand.slug}/inbox/?status=needs_reply"' in html
    assert "2 d 2 h" in html


def test_an_empty_inbox_says_nothing_is_waiting(world):
    html = world.client_for("analyst").get(home(world.brand)).content.decode()
    assert "Nothing is waiting" in html


# -- alerts -----------------------------------------------------------------------------


def test_it_shows_the_latest_alert_and_what_each_person_has_not_seen(world, committed):
    listen(world, world.brand)
    keyword_rule(world, world.brand, "recall")
    keyword_rule(world, world.brand, "refund")
    now = datetime.now(UTC)
    hear(committed, world.brand, [post("acme recall notice", now - timedelta(minutes=30))])
    hear(committed, world.brand, [post("acme refund please", now - timedelta(minutes=20))])
    analyst = world.client_for("analyst")
    analyst.get(reverse("alerts:alert_list", kwargs={"brand_slug": world.brand.slug}))

    seen = card(analyst, world.brand, "alerts/_overview.html")
    unseen = card(world.client_for("manager"), world.brand, "alerts/_overview.html")

    assert (seen.unread, seen.ongoing) == (0, 2)
    assert (unseen.unread, unseen.ongoing) == (2, 2)
    assert unseen.latest.rule.name == "Refund"
    html = world.client_for("client").get(home(world.brand)).content.decode()
    assert "Latest: <a" in html and ">Refund</a>" in html
    assert "said “refund”" in html


def test_alerts_say_whether_rules_exist_when_none_fired(world):
    manager, client = world.client_for("manager"), world.client_for("client")
    assert "No alert rules yet. <a" in manager.get(home(world.brand)).content.decode()
    assert "No alert rules yet.</p>" in client.get(home(world.brand)).content.decode()
    keyword_rule(world, world.brand, "recall")
    assert "your alert rules have not fired yet" in client.get(home(world.brand)).content.decode()


def test_the_alert_time_is_in_the_brand_time_zone(world, committed):
    services.brand_update(actor=world.users["admin"], brand=world.brand, timezone="Asia/Tokyo")
    listen(world, world.brand)
    keyword_rule(world, world.brand, "recall")
    hear(committed, world.brand, [post("acme recall", datetime.now(UTC) - timedelta(minutes=5))])
    response = world.client_for("analyst").get(home(world.brand))
    latest = section(response, "alerts/_overview.html")["overview"].latest
    tokyo = latest.fired_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert f"{tokyo:%b} {tokyo.day}, {tokyo:%H:%M} JST" in response.content.decode()


# -- campaigns --------------------------------------------------------------------------


def test_it_lists_running_campaigns_with_their_kpi_pacing(world):
    running_campaign(
        world,
        world.brand,
        "Spring launch",
        figures=[("clicks", 50), ("signups", 40), ("conversions", 10), ("impressions", 60)],
    )
    running_campaign(world, world.brand, "Quiet one", ends_in=9)
    campaign_services.campaign_create(
        actor=world.users["manager"],
        brand=world.brand,
        name="Summer",
        objective="launch",
        start_date=date(2027, 6, 1),
        end_date=date(2027, 6, 30),
    )

    response = world.client_for("client").get(home(world.brand))

    card = section(response, "campaigns/_overview.html")["overview"]
    assert (card.running, card.planned, card.more) == (2, 1, 0)
    spring, quiet = card.shown  # the one ending soonest first
    assert spring.campaign.name == "Spring launch" and quiet.campaign.name == "Quiet one"
    assert spring.pacing == [
        ("on_track", "On track", 2),
        ("at_risk", "At risk", 1),
        ("off_track", "Off track", 1),
    ]
    assert quiet.pacing == [] and quiet.kpi_count == 0
    html = response.content.decode()
    assert "2 on track" in html and "1 at risk" in html and "1 off track" in html
    assert "no KPIs yet" in html
    assert f"ends {spring.campaign.end_date:%b} {spring.campaign.end_date.day}" in html


def test_it_measures_at_most_three_running_campaigns(world):
    for n in range(5):
        running_campaign(world, world.brand, f"Push {n}", ends_in=5 + n, figures=[("clicks", 50)])
    response = world.client_for("analyst").get(home(world.brand))
    card = section(response, "campaigns/_overview.html")["overview"]
    assert [r.campaign.name for r in card.shown] == ["Push 0", "Push 1", "Push 2"]
    assert card.more == 2
    assert f'href="/b/{world.brand.slug}/campaigns/?status=running">2 more running' in (
        response.content.decode()
    )


def test_only_a_manager_is_invited_to_plan_a_campaign(world):
    create = f'href="/b/{world.brand.slug}/campaigns/new/">Plan one'
    assert create in world.client_for("manager").get(home(world.brand)).content.decode()
    client = world.client_for("client").get(home(world.brand)).content.decode()
    assert "No campaign running." in client and create not in client


# -- calendar ---------------------------------------------------------------------------


def test_it_lists_the_next_three_posts_in_the_brand_time_zone(world):
    services.brand_update(actor=world.users["admin"], brand=world.brand, timezone="Asia/Tokyo")
    account = channel(world, world.brand)
    scheduled_post(world, world.brand, account, "Fourth", 96)
    first = scheduled_post(world, world.brand, account, "First", 2, submit=True)
    scheduled_post(world, world.brand, account, "Second", 24)
    scheduled_post(world, world.brand, account, "Third", 48, submit=True)
    scheduled_post(world, world.brand, account, "Already past", -2)
    cancelled = scheduled_post(world, world.brand, account, "Cancelled", 1)
    calendar_services.post_cancel(actor=world.users["manager"], post=cancelled)

    response = world.client_for("client").get(home(world.brand))

    card = section(response, "calendar/_overview.html")["overview"]
    assert [p.text for p in card.upcoming] == ["First", "Second", "Third"]
    assert card.awaiting_approval == 2
    html = response.content.decode()
    tokyo = first.scheduled_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert f"{tokyo:%a %b} {tokyo.day}, {tokyo:%H:%M}" in html
    assert "Mastodon @acme" in html and ">In review</span>" in html and ">Draft</span>" in html


def test_an_empty_calendar_invites_staff_to_write_a_post(world):
    write = f'href="/b/{world.brand.slug}/calendar/posts/new/">Write a post'
    assert write in world.client_for("analyst").get(home(world.brand)).content.decode()
    client = world.client_for("client").get(home(world.brand)).content.decode()
    assert "Nothing on the calendar ahead." in client and write not in client


# -- influencers ------------------------------------------------------------------------


def test_it_names_the_influencer_turning_negative_first(world, committed):
    listen(world, world.brand)
    nina = relationship(world, world.brand, "Nina Nano", "nina", stage="ambassador")
    relationship(world, world.brand, "Omar Oak", "omar", stage="at_risk")
    relationship(world, world.brand, "Pia Pine", "pia")
    now = datetime.now(UTC)
    # Nina loved the brand a month ago and hates it now.
    loved = [post("acme love it", now - timedelta(days=d), author="nina") for d in (40, 45, 50)]
    hated = [post("acme hate it", now - timedelta(days=d), author="nina") for d in (2, 5, 9)]
    hear(committed, world.brand, loved)
    hear(committed, world.brand, hated)
    with committed():
        assert health.relationship_health_check(relationship=nina) is not None

    response = world.client_for("client").get(home(world.brand))

    card = section(response, "influencers/_overview.html")["overview"]
    assert (card.relationships, card.at_risk, card.open_alerts) == (3, 1, 1)
    assert card.first_alert.relationship == nina
    html = response.content.decode()
    assert ">Nina Nano</a>" in html and "Turning negative" in html


def test_without_alerts_the_first_relationship_at_risk_is_named(world):
    relationship(world, world.brand, "Omar Oak", "omar", stage="at_risk")
    html = world.client_for("analyst").get(home(world.brand)).content.decode()
    assert '>Omar Oak</a> <span class="badge badge-warn">At risk' in html


def test_an_empty_board_invites_staff_to_discover_influencers(world):
    discover = f'href="/b/{world.brand.slug}/influencers/discover/">Discover influencers'
    assert discover in world.client_for("analyst").get(home(world.brand)).content.decode()
    client = world.client_for("client").get(home(world.brand)).content.decode()
    assert "No influencer relationships yet." in client and discover not in client


# -- roles and brands -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "manager", "analyst", "client"])
def test_every_role_sees_the_cards_its_capabilities_open(world, role):
    # Every list page behind a card needs reports.view (the calendar brand.view): every
    # role holds both today, clients included (they read the inbox but cannot triage).
    response = world.client_for(role).get(home(world.brand))
    html = response.content.decode()
    assert [card for card in SECTION_IDS if f'id="{card}"' in html] == SECTION_IDS


def test_a_role_without_an_area_s_capability_does_not_get_its_card(world, monkeypatch):
    real_can = access.can

    def can(user, capability, brand):
        # As if clients could not read reports: only the calendar (brand.view) is left.
        if capability == "reports.view" and access.role_for(user, brand) == "client":
            return False
        return real_can(user, capability, brand)

    monkeypatch.setattr(access, "can", can)
    client = world.client_for("client").get(home(world.brand))
    assert [t for t, _ in client.context["sections"]] == ["calendar/_overview.html"]
    html = client.content.decode()
    assert 'id="overview-calendar"' in html and 'id="overview-inbox"' not in html
    analyst = world.client_for("analyst").get(home(world.brand))
    assert len(analyst.context["sections"]) == 6


def test_the_foreign_brand_s_data_never_appears(world, committed):
    foreign = world.foreign_brand
    listen(world, foreign, word="zorb")
    keyword_rule(world, foreign, "leak")
    now = datetime.now(UTC)
    hear(committed, foreign, [post(f"zorb leak {n}", now - timedelta(hours=n)) for n in (1, 2)])
    running_campaign(world, foreign, "Foreign push", figures=[("clicks", 50)])
    account = channel(world, foreign, "@zorb")
    scheduled_post(world, foreign, account, "Foreign post", 5, submit=True)
    relationship(world, foreign, "Faraway Fan", "faraway", stage="at_risk")
    # The foreign brand's own home shows them...
    foreign_html = world.client_for(world.foreign_manager).get(home(foreign)).content.decode()
    assert "Foreign push" in foreign_html and "Faraway Fan" in foreign_html

    response = world.client_for("admin").get(home(world.brand))

    # ...this brand's shows none of it: every card is in its empty state.
    html = response.content.decode()
    for leak in ("Foreign push", "Faraway Fan", "Leak", "zorb", "@zorb"):
        assert leak not in html
    assert "Not listening yet" in html
    assert "Nothing is waiting" in html
    assert "No alert rules yet." in html
    assert "No campaign running." in html
    assert "Nothing on the calendar ahead." in html
    assert section(response, "calendar/_overview.html")["overview"].awaiting_approval == 0
    assert "No influencer relationships yet." in html
    # And someone of the foreign agency cannot open this brand's home at all.
    assert world.client_for(world.foreign_manager).get(home(world.brand)).status_code == 404


# -- queries ----------------------------------------------------------------------------


def fill(world, committed, numbers) -> None:
    """For each n: an inbox item, a fired alert, a post due and one awaiting approval, a
    relationship at risk."""
    now = datetime.now(UTC)
    for n in numbers:
        keyword_rule(world, world.brand, f"word{n}")
    hear(committed, world.brand, [post(f"acme word{n}", now - timedelta(hours=n)) for n in numbers])
    account = channel(world, world.brand, f"@acme{numbers[0]}")
    for n in numbers:
        scheduled_post(world, world.brand, account, f"Post {n}", 10 + n)
        scheduled_post(world, world.brand, account, f"Review {n}", 30 + n, submit=True)
        relationship(world, world.brand, f"Fan {n}", f"fan{n}", stage="at_risk")


def campaigns(world, numbers) -> None:
    for n in numbers:
        running_campaign(
            world,
            world.brand,
            f"Push {n}",
            ends_in=5 + n,
            figures=[("clicks", 50)],
            computed=["mentions"],
        )


def test_the_home_runs_a_fixed_number_of_queries(world, committed):
    listen(world, world.brand)
    client = world.client_for("manager")
    fill(world, committed, [1])
    campaigns(world, [1, 2, 3])  # the card measures at most three
    client.get(home(world.brand))  # a first look stores computed KPI baselines, once
    with CaptureQueriesContext(connection) as small:
        client.get(home(world.brand))

    fill(world, committed, [2, 3, 4, 5])
    campaigns(world, [4, 5])
    client.get(home(world.brand))
    with CaptureQueriesContext(connection) as larger:
        response = client.get(home(world.brand))

    assert section(response, "inbox/_overview.html")["overview"].open_items == 5
    assert section(response, "alerts/_overview.html")["overview"].unread == 5
    assert section(response, "campaigns/_overview.html")["overview"].running == 5
    assert section(response, "calendar/_overview.html")["overview"].awaiting_approval == 5
    assert section(response, "influencers/_overview.html")["overview"].at_risk == 5
    assert len(larger.captured_queries) == len(small.captured_queries)
    assert len(larger.captured_queries) == EXPECTED_HOME_QUERIES, [
        q["sql"] for q in larger.captured_queries
    ]


# The page frame: session, user, the agency's two-factor rule, brand, admin check, role,
# the brand switcher, the alert bell's unread count and the agencies one administers (9).
# Listening: the brand's queries, one day-rollup sum (2). Inbox: the open items counted
# per status with the oldest (1). Alerts: the latest with its rule, the unread and
# ongoing counts (2). Campaigns: running and planned counted, the first three running,
# their KPIs and queries (prefetches) (4); then per campaign measured, three at most:
# the brand's queries, one rollup read, the team's figures (3 × 3). Calendar: the next
# posts with their channel, those awaiting approval counted (2). Influencers: the
# relationships, those at risk and open health alerts counted, the first at risk (2).
# Team: the members, the agency's admins (2); the recent activity (1).
EXPECTED_HOME_QUERIES = 34


# -- "Your brands": each brand card's figures ---------------------------------------------


def brand_cards(client) -> dict[str, list]:
    """Each brand card of the home page, by brand name: its figures."""
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return {
        brand.name: figures
        for _agency, brands in response.context["groups"]
        for brand, figures in brands
    }


def test_each_brand_card_shows_its_week_of_mentions_and_new_inbox_items(world, committed):
    today = insights.brand_today(world.brand)
    listen(world, world.brand)
    hear(
        committed,
        world.brand,
        [post("acme love it", noon(today - timedelta(days=1))) for _ in range(3)]
        + [post("acme meh", noon(today - timedelta(days=9)))]  # the 7 days before
        + [post("globex love it", noon(today - timedelta(days=1)))],  # a competitor
    )

    cards = brand_cards(world.client_for("admin"))

    mentions, inbox = cards["Acme Test"]
    assert (mentions.value, mentions.change) == (3, 200.0)
    assert mentions.url.endswith("/listening/?days=7")
    assert inbox.value == InboxItem.objects.filter(brand=world.brand, status="new").count()
    assert inbox.value > 0 and inbox.attention
    # A brand that heard nothing shows zeros, not another brand's figures.
    assert [f.value for f in cards["Sibling Co"]] == [0, 0]
    assert "Foreign Co" not in cards


def test_the_home_page_reads_the_same_queries_for_two_brands_or_five(world):
    client = world.client_for("admin")  # holds Acme Test and Sibling Co
    with CaptureQueriesContext(connection) as two:
        client.get(reverse("home"))
    for n in range(3):
        services.brand_create(actor=world.users["admin"], agency=world.agency, name=f"More {n}")
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("home"))
    assert len(five) == len(two)


def test_a_failing_figure_source_is_left_out_and_the_home_still_opens(world, monkeypatch, caplog):
    def broken(brands, user):
        raise RuntimeError("boom")

    monkeypatch.setattr(overview, "brand_figures", [broken, *overview.brand_figures])
    cards = brand_cards(world.client_for("admin"))

    assert [f.label for f in cards["Acme Test"]] == ["mentions, 7 days", "new in the inbox"]
    assert "The brand figures broken failed" in caplog.text
