"""The weekly digest: its figures from the rollups, who gets it, once a week, and the
preview a member sends themself."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.apps import apps
from django.urls import reverse

from listening.models import Mention, Query, Rollup
from listening.reports import selectors, services, tasks
from listening.reports.models import DigestSubscription
from socialhub import services as socialhub_services
from tests.reports.conftest import hear, post

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 23)  # the digest of this Monday covers Nov 16–22
MONDAY_8AM = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def rollup(world, query, hour, sentiment, count, reach=0, engagement=0, platform="reddit"):
    return Rollup.objects.create(
        brand=world.brand,
        query=query,
        hour=hour,
        platform=platform,
        sentiment=sentiment,
        lang="en",
        count=count,
        reach=reach,
        engagement=engagement,
    )


@pytest.fixture
def weeks(world, queries):
    """Hand-built rollups: last week (Nov 16–22) and the week before (Nov 9–15)."""
    brand_query, product = queries
    competitor = Query.objects.create(
        brand=world.brand, name="Rival", kind="competitor", expression="rival"
    )
    # Last week: 6 positive, 2 negative, 2 neutral; over two queries and two days.
    rollup(world, brand_query, at(16, 0), "positive", 4, reach=400, engagement=40)
    rollup(world, product, at(22, 23), "positive", 2, reach=200, engagement=20)
    rollup(world, brand_query, at(18), "negative", 2, reach=100, engagement=10)
    rollup(world, brand_query, at(19), "neutral", 2, reach=50, engagement=5, platform="rss")
    # The week before: 4 positive, 4 negative.
    rollup(world, brand_query, at(9, 0), "positive", 4, reach=300, engagement=30)
    rollup(world, brand_query, at(15, 23), "negative", 4, reach=100, engagement=10)
    # Outside both weeks, or about a competitor: never counted.
    rollup(world, brand_query, at(23, 0), "negative", 100, reach=9999)
    rollup(world, brand_query, at(8, 23), "negative", 100, reach=9999)
    rollup(world, competitor, at(18), "positive", 50, reach=9999)
    return brand_query, product, competitor


def figures(world, week_of=MONDAY) -> dict[str, selectors.Figure]:
    return {f.key: f for f in selectors.digest_figures(world.brand, week_of)}


def test_it_computes_the_headline_figures_and_their_change_from_rollups(world, weeks):
    f = figures(world)

    assert (f["mentions"].current, f["mentions"].previous) == (10, 8)
    assert f["mentions"].change == pytest.approx(25.0)
    assert f["mentions"].change_display == "+25%"
    assert (f["reach"].current, f["reach"].previous) == (750, 400)
    assert f["reach"].change_display == "+88%"
    assert (f["engagement"].current, f["engagement"].previous) == (75, 40)
    # Net sentiment: (6 − 2) / (6 + 2) = +50, against (4 − 4) / 8 = 0.
    assert (f["net_sentiment"].current, f["net_sentiment"].previous) == (50.0, 0.0)
    assert f["net_sentiment"].change_display == "+50 pts"
    # Negative-to-positive: 2/6 against 4/4; a fall is good news.
    assert f["neg_pos_ratio"].current == pytest.approx(1 / 3)
    assert f["neg_pos_ratio"].previous == 1.0
    assert f["neg_pos_ratio"].change_display == "-0.67"
    assert f["neg_pos_ratio"].is_good is True
    assert f["mentions"].is_good is True


def test_it_says_new_rather_than_dividing_by_nothing(world, queries):
    brand_query, _ = queries
    rollup(world, brand_query, at(18), "neutral", 3)
    f = figures(world)
    assert f["mentions"].change is None
    assert f["mentions"].change_display == "new"
    assert f["net_sentiment"].current is None  # no opinion either way
    assert f["net_sentiment"].display == "–"
    assert f["neg_pos_ratio"].change_display == "–"


def test_the_week_is_the_brands_local_week(world, queries):
    brand_query, _ = queries
    world.brand.timezone = "Asia/Tokyo"  # UTC+9: the local week starts Nov 15 15:00 UTC
    world.brand.save(update_fields=["timezone"])
    rollup(world, brand_query, datetime(2026, 11, 15, 15, tzinfo=UTC), "positive", 1)
    rollup(world, brand_query, datetime(2026, 11, 15, 14, tzinfo=UTC), "positive", 10)
    rollup(world, brand_query, datetime(2026, 11, 22, 14, tzinfo=UTC), "positive", 100)
    rollup(world, brand_query, datetime(2026, 11, 22, 15, tzinfo=UTC), "positive", 1000)

    f = figures(world)
    assert (f["mentions"].current, f["mentions"].previous) == (101, 10)


@pytest.mark.parametrize(
    ("zone", "now", "due"),
    [
        ("UTC", datetime(2026, 11, 23, 6, 59, tzinfo=UTC), False),
        ("UTC", datetime(2026, 11, 23, 7, 0, tzinfo=UTC), True),
        ("UTC", datetime(2026, 11, 23, 23, 0, tzinfo=UTC), True),  # a missed hour catches up
        ("UTC", datetime(2026, 11, 24, 7, 0, tzinfo=UTC), False),
        ("Asia/Tokyo", datetime(2026, 11, 22, 22, 0, tzinfo=UTC), True),  # Mon 07:00 there
        ("America/New_York", datetime(2026, 11, 23, 8, 0, tzinfo=UTC), False),  # 03:00 there
        ("America/New_York", datetime(2026, 11, 23, 12, 0, tzinfo=UTC), True),
    ],
)
def test_the_digest_is_due_on_monday_from_7_in_the_brands_time_zone(world, zone, now, due):
    world.brand.timezone = zone
    assert selectors.digest_is_due(world.brand, now) is due


def subscribe(world, *roles):
    for role in roles:
        services.digest_subscription_set(
            actor=world.users[role], brand=world.brand, subscribed=True
        )


def test_only_subscribed_members_get_the_digest(world, weeks, mailoutbox, committed):
    subscribe(world, "analyst", "client")
    with committed():
        sent = services.digest_send_week(brand=world.brand, week_of=MONDAY)

    assert sent == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["analyst@alpha.test", "client@alpha.test"]
    message = mailoutbox[0]
    assert message.subject.startswith("[SocialHub] Acme Test: your week in listening")
    assert "Nov 16 – Nov 22, 2026" in message.subject
    assert "Mentions: 10 (+25%; was 8)" in message.body
    assert "Net sentiment: +50 (+50 pts; was +0)" in message.body
    assert "Negative-to-positive ratio: 0.33 (-0.67; was 1.00)" in message.body
    assert "?start=2026-11-16&end=2026-11-22" in message.body
    assert reverse("reports:digest_settings", kwargs={"brand_slug": "acme-test"}) in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert "Negative-to-positive ratio" in html and "+25%" in html


def test_it_lists_the_weeks_top_mentions_by_reach(world, queries, mailoutbox, committed):
    hear(
        world,
        [
            post(n, f"acme mention {n}", hours_ago=24 * 2, reach=reach)
            for n, reach in ((1, 10), (2, 5000), (3, 300), (4, 70), (5, 900), (6, 20))
        ],
    )
    # The digest whose week holds them: the first Monday after they were published.
    published = datetime.now(UTC) - timedelta(days=2)
    week_of = selectors.digest_week_of(world.brand, published + timedelta(days=7))
    start, end = selectors.digest_week_bounds(world.brand, week_of)
    top = selectors.digest_top_mentions(world.brand, start, end)
    assert [m.post.reach for m in top] == [5000, 900, 300, 70, 20]

    subscribe(world, "manager")
    with committed():
        services.digest_send_week(brand=world.brand, week_of=week_of)
    body = mailoutbox[0].body
    assert body.index("acme mention 2") < body.index("acme mention 5") < body.index("mention 3")


def test_a_member_removed_from_the_brand_gets_nothing(world, weeks, mailoutbox, committed):
    subscribe(world, "analyst", "client")
    socialhub_services.membership_set_role(
        actor=world.users["admin"], brand=world.brand, user=world.users["client"], role=None
    )
    with committed():
        services.digest_send_week(brand=world.brand, week_of=MONDAY)
    assert [m.to for m in mailoutbox] == [["analyst@alpha.test"]]


def test_the_weekly_send_is_sent_once_a_week_however_often_it_runs(
    world, weeks, mailoutbox, committed, monkeypatch
):
    subscribe(world, "analyst", "manager")
    services.digest_subscription_set(
        actor=world.users["client"], brand=world.brand, subscribed=False
    )

    for hours in (0, 1, 5):  # beat runs hourly; Monday 08:00, 09:00, 13:00
        monkeypatch.setattr(tasks, "_now", lambda h=hours: MONDAY_8AM + timedelta(hours=h))
        with committed():
            tasks.send_due_digests.delay()
    assert sorted(m.to[0] for m in mailoutbox) == ["analyst@alpha.test", "manager@alpha.test"]
    subscription = DigestSubscription.objects.get(user=world.users["analyst"])
    assert subscription.last_sent_week == MONDAY

    # Opting out and back in the same week does not send it again.
    services.digest_subscription_set(
        actor=world.users["analyst"], brand=world.brand, subscribed=False
    )
    services.digest_subscription_set(
        actor=world.users["analyst"], brand=world.brand, subscribed=True
    )
    with committed():
        tasks.send_due_digests.delay()
    assert len(mailoutbox) == 2

    # Tuesday: not due. The next Monday: due again, once.
    for now in (MONDAY_8AM + timedelta(days=1), MONDAY_8AM + timedelta(days=7)):
        monkeypatch.setattr(tasks, "_now", lambda now=now: now)
        with committed():
            tasks.send_due_digests.delay()
    assert len(mailoutbox) == 4
    assert "Nov 23 – Nov 29, 2026" in mailoutbox[-1].subject


def test_the_task_skips_brands_without_subscribers_and_archived_ones(world, weeks, monkeypatch):
    monkeypatch.setattr(tasks, "_now", lambda: MONDAY_8AM)
    assert tasks.send_due_digests() == 0
    subscribe(world, "analyst")
    assert selectors.digest_due_brands(MONDAY_8AM) == [(world.brand.pk, MONDAY)]
    world.brand.archived_at = MONDAY_8AM
    world.brand.save(update_fields=["archived_at"])
    assert selectors.digest_due_brands(MONDAY_8AM) == []
    assert tasks.send_brand_digest(world.brand.pk, MONDAY.isoformat()) == 0


def settings_url(brand) -> str:
    return reverse("reports:digest_settings", kwargs={"brand_slug": brand.slug})


def test_every_role_can_opt_in_and_out_on_the_settings_page(world, weeks):
    for role in ("admin", "manager", "analyst", "client"):
        client = world.client_for(role)
        page = client.get(settings_url(world.brand))
        assert page.status_code == 200
        assert "You do not receive this digest" in page.content.decode()
        assert "Net sentiment" in page.content.decode()

        response = client.post(settings_url(world.brand), {"subscribed": "on"}, follow=True)
        assert "You receive this digest" in response.content.decode()
        assert "every Monday at 07:00" in response.content.decode()
        assert DigestSubscription.objects.get(user=world.users[role], brand=world.brand).is_active

        client.post(settings_url(world.brand), {"subscribed": "off"})
        assert not DigestSubscription.objects.get(user=world.users[role]).is_active


def test_the_settings_page_says_what_is_wrong_with_a_bad_post(world):
    response = world.client_for("client").post(settings_url(world.brand), {})
    assert response.status_code == 200
    assert "Choose whether to receive the digest" in response.content.decode()
    assert not DigestSubscription.objects.exists()


def test_the_digest_settings_check_ownership(world):
    client = world.client_for("manager")
    assert client.get(settings_url(world.foreign_brand)).status_code == 404
    assert client.post(settings_url(world.foreign_brand), {"subscribed": "on"}).status_code == 404
    preview = reverse("reports:digest_preview", kwargs={"brand_slug": world.foreign_brand.slug})
    assert client.post(preview).status_code == 404
    assert not DigestSubscription.objects.exists()


def test_send_me_a_preview_goes_to_me_only(world, weeks, mailoutbox, committed):
    subscribe(world, "analyst")
    preview = reverse("reports:digest_preview", kwargs={"brand_slug": world.brand.slug})
    with committed():
        response = world.client_for("client").post(preview, follow=True)

    assert "A preview of the digest is on its way to client@alpha.test" in response.content.decode()
    assert [m.to for m in mailoutbox] == [["client@alpha.test"]]
    assert mailoutbox[0].subject.startswith("[Preview] [SocialHub] Acme Test")
    assert "preview of the weekly digest, sent only to you" in mailoutbox[0].body
    # A preview is not the week's digest: the subscriber still gets theirs.
    assert DigestSubscription.objects.get(user=world.users["analyst"]).last_sent_week is None
    assert world.client_for("client").get(preview).status_code == 405


def test_the_digest_lists_the_weeks_alerts_when_the_alerts_app_has_them(
    world, weeks, mailoutbox, committed
):
    try:
        alert_model = apps.get_model("alerts", "Alert")
        rule_model = apps.get_model("alerts", "AlertRule")
    except LookupError:
        pytest.skip("the alerts app has no Alert model yet")
    kind = rule_model._meta.get_field("kind").choices[0][0]
    rule = rule_model.objects.create(brand=world.brand, name="Volume spike", kind=kind)
    for day, text in ((18, "Mentions tripled against the 7-day baseline"), (25, "Next week")):
        alert_model.objects.create(
            brand=world.brand,
            rule=rule,
            kind=kind,
            fired_at=at(day),
            window_start=at(day, 10),
            window_end=at(day, 11),
            threshold=3,
            observed_value=9,
            explanation=text,
            link_params={"sentiment": "negative"},
        )
    subscribe(world, "analyst")
    with committed():
        services.digest_send_week(brand=world.brand, week_of=MONDAY)

    body = mailoutbox[0].body
    assert "ALERTS OF THE WEEK" in body
    assert "Wed Nov 18 12:00 · Volume spike: Mentions tripled against the 7-day baseline" in body
    assert "/b/acme-test/mentions/?sentiment=negative" in body
    assert "Next week" not in body


def test_the_digest_leaves_alerts_out_when_there_is_no_alert_model(
    world, weeks, mailoutbox, committed, monkeypatch
):
    get_model = apps.get_model

    def no_alerts(app_label, model_name=None):
        if app_label == "alerts":
            raise LookupError(app_label)
        return get_model(app_label, model_name)

    monkeypatch.setattr(selectors.apps, "get_model", no_alerts)
    subscribe(world, "analyst")
    with committed():
        services.digest_send_week(brand=world.brand, week_of=MONDAY)
    assert "ALERTS" not in mailoutbox[0].body
    assert "Alerts of the week" not in mailoutbox[0].alternatives[0][0]


def test_a_week_with_nothing_heard_says_so(world, queries, mailoutbox, committed):
    subscribe(world, "analyst")
    with committed():
        services.digest_send_week(brand=world.brand, week_of=MONDAY)
    assert "Nothing was heard this week." in mailoutbox[0].body
    assert not Mention.objects.exists()
