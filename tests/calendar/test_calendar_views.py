"""The calendar page: month/week/list views in the brand's time zone, filters, warnings,
drag-and-drop rescheduling (keeps the local time of day, across DST)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse

from campaigns.calendar import selectors, services
from campaigns.models import ContentPost
from tests.calendar.conftest import make_account, make_post

BERLIN = ZoneInfo("Europe/Berlin")


def calendar_url(world, **params):
    base = reverse("calendar:calendar", kwargs={"brand_slug": world.brand.slug})
    if params:
        from urllib.parse import urlencode

        base += "?" + urlencode(params)
    return base


def berlin(world):
    world.brand.timezone = "Europe/Berlin"
    world.brand.save()
    return world.brand


def test_month_view_shows_each_post_at_the_brands_local_time(world):
    berlin(world)
    at = datetime(2027, 3, 10, 9, 30, tzinfo=UTC)  # 10:30 in Berlin (CET)
    make_post(world, make_account(world, "mastodon"), text="Spring is here", scheduled_at=at)

    response = world.client_for("client").get(calendar_url(world, date="2027-03-01"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "March 2027" in body
    assert "10:30" in body and "Mastodon" in body and "Spring is here" in body
    assert "post-status-draft" in body and ">Draft<" in body
    assert "Times in Europe/Berlin" in body


def test_month_view_query_count_does_not_grow_with_posts(world, django_assert_num_queries):
    accounts = [make_account(world, "mastodon"), make_account(world, "bluesky")]
    for day in range(1, 25):
        make_post(
            world,
            accounts[day % 2],
            text=f"Post {day}",
            scheduled_at=datetime(2027, 3, day, 12, tzinfo=UTC),
        )
    client = world.client_for("manager")
    client.get(calendar_url(world, date="2027-03-01"))  # warm the session

    # 1 session, 2 user, 3 two-factor requirement (middleware), 4 brand (for_user),
    # 5-6 role (agency admin? brand membership), 7 channels (for the warnings),
    # 8 posts of the visible weeks with channel and campaign (one query, however many),
    # 9 brand switcher, 10 alert bell, 11 admin agencies (layout), 12 channel filter
    # choices, 13 campaign filter choices.
    with django_assert_num_queries(13):
        response = client.get(calendar_url(world, date="2027-03-01"))
    assert response.content.decode().count('class="post-chip post-status') == 24


def test_week_and_list_views_and_filters(world):
    mastodon, bluesky = make_account(world, "mastodon"), make_account(world, "bluesky")
    make_post(world, mastodon, text="Toot toot", scheduled_at=datetime(2027, 3, 10, 12, tzinfo=UTC))
    make_post(
        world, bluesky, text="Skeet skeet", scheduled_at=datetime(2027, 3, 11, 12, tzinfo=UTC)
    )
    client = world.client_for("analyst")

    week = client.get(calendar_url(world, view="week", date="2027-03-10")).content.decode()
    only_bluesky = client.get(calendar_url(world, view="list", account=bluesky.pk)).content.decode()
    bad_filter = client.get(calendar_url(world, status="nonsense"))

    assert "Week of 08 Mar 2027" in week and "Toot toot" in week and "Skeet skeet" in week
    assert "Skeet skeet" in only_bluesky and "Toot toot" not in only_bluesky
    assert bad_filter.status_code == 200 and "(ignored)" in bad_filter.content.decode()


def test_list_view_is_paginated(world):
    account = make_account(world)
    for i in range(30):
        make_post(
            world,
            account,
            text=f"Numbered {i:02d}",
            scheduled_at=datetime(2027, 1, 1, tzinfo=UTC) + timedelta(hours=i),
        )

    first = world.client_for("client").get(calendar_url(world, view="list")).content.decode()

    assert "Page 1 of 2" in first and "Numbered 24" in first and "Numbered 25" not in first


def test_dragging_a_post_to_another_day_keeps_its_local_time_across_dst(world):
    berlin(world)
    # Friday 26 March 2027, 10:00 in Berlin (CET, UTC+1); summer time starts on the 28th.
    post = make_post(world, scheduled_at=datetime(2027, 3, 26, 10, 0, tzinfo=BERLIN))
    url = reverse("calendar:post_move", kwargs={"brand_slug": world.brand.slug, "pk": post.pk})

    response = world.client_for("analyst").post(
        url, {"date": "2027-03-29"}, HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 200 and response.json()["ok"] is True
    assert "Mon 29 Mar 2027, 10:00 (Europe/Berlin)" in response.json()["message"]
    post.refresh_from_db()
    assert post.scheduled_at == datetime(2027, 3, 29, 8, 0, tzinfo=UTC)  # 10:00 CEST
    assert post.scheduled_at.astimezone(BERLIN).hour == 10
    event = post.events.get(kind="rescheduled")
    assert event.data["old"].startswith("2027-03-26T09:00")


def test_move_to_date_form_works_without_javascript_and_says_what_is_wrong(world):
    post = make_post(world, scheduled_at=datetime(2027, 5, 5, 15, 0, tzinfo=UTC))
    url = reverse("calendar:post_move", kwargs={"brand_slug": world.brand.slug, "pk": post.pk})
    client = world.client_for("manager")

    bad = client.post(url, {"date": "not a date"}, HTTP_ACCEPT="application/json")
    good = client.post(url, {"date": "2027-05-07"})

    assert bad.status_code == 400 and "valid date" in bad.json()["message"]
    assert good.status_code == 302
    post.refresh_from_db()
    assert post.scheduled_at == datetime(2027, 5, 7, 15, 0, tzinfo=UTC)


def test_a_client_cannot_drag_posts(world):
    post = make_post(world, scheduled_at=datetime(2027, 5, 5, 15, 0, tzinfo=UTC))
    url = reverse("calendar:post_move", kwargs={"brand_slug": world.brand.slug, "pk": post.pk})

    response = world.client_for("client").post(url, {"date": "2027-05-07"})

    assert response.status_code == 403
    assert (
        'draggable="true"'
        not in world.client_for("client")
        .get(calendar_url(world, date="2027-05-01"))
        .content.decode()
    )


def test_it_warns_of_gaps_on_an_active_channel(world, settings):
    settings.CALENDAR_GAP_DAYS = 3
    account = make_account(world, "mastodon")
    make_account(world, "linkedin", is_active=False)  # inactive: never a gap
    monday = date(2027, 3, 8)
    make_post(world, account, scheduled_at=datetime(2027, 3, 8, 12, tzinfo=UTC))
    make_post(world, account, scheduled_at=datetime(2027, 3, 14, 12, tzinfo=UTC))

    page = (
        world.client_for("client")
        .get(calendar_url(world, view="week", date=monday.isoformat()))
        .content.decode()
    )

    assert "No post on Mastodon @acme-mastodon for 5 days (Tue 09 Mar – Sat 13 Mar)." in page
    assert "LinkedIn" not in page.split("calendar-warnings")[1].split("</section>")[0]


def test_a_channel_with_many_gaps_gets_one_warning_naming_them_all(world, settings):
    settings.CALENDAR_GAP_DAYS = 3
    account = make_account(world, "mastodon")
    make_post(world, account, scheduled_at=datetime(2027, 3, 11, 12, tzinfo=UTC))

    page = (
        world.client_for("client")
        .get(calendar_url(world, view="week", date="2027-03-08"))
        .content.decode()
    )

    assert page.count("No post on Mastodon @acme-mastodon") == 1
    assert "for 3 days (Mon 08 Mar – Wed 10 Mar); 3 days (Fri 12 Mar – Sun 14 Mar)." in page


def test_it_warns_of_two_posts_on_one_channel_within_30_minutes(world):
    mastodon, bluesky = make_account(world, "mastodon"), make_account(world, "bluesky")
    at = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
    make_post(world, mastodon, scheduled_at=at)
    make_post(world, mastodon, scheduled_at=at + timedelta(minutes=20))
    make_post(world, bluesky, scheduled_at=at + timedelta(minutes=5))  # another channel: fine
    make_post(world, bluesky, scheduled_at=at + timedelta(minutes=45))  # 40 min later: fine
    posts = list(selectors.filter_posts(ContentPost.objects.filter(brand=world.brand), {}))

    warnings = selectors.calendar_warnings(
        world.brand, posts, [mastodon, bluesky], date(2027, 3, 10), date(2027, 3, 10)
    )

    doubles = [w.message for w in warnings if w.kind == "double"]
    assert doubles == [
        "Double-booked: two posts on Mastodon @acme-mastodon at Wed 10 Mar 12:00 and 12:20."
    ]


def test_a_cancelled_post_does_not_double_book(world):
    account = make_account(world)
    at = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
    make_post(world, account, scheduled_at=at)
    extra = make_post(world, account, scheduled_at=at + timedelta(minutes=10))
    services.post_cancel(actor=world.users["manager"], post=extra)
    posts = list(selectors.filter_posts(ContentPost.objects.filter(brand=world.brand), {}))

    warnings = selectors.calendar_warnings(
        world.brand, posts, [account], date(2027, 3, 10), date(2027, 3, 10)
    )

    assert not [w for w in warnings if w.kind == "double"]


def test_the_calendar_of_a_brand_the_user_does_not_hold_is_not_found(world):
    url = reverse("calendar:calendar", kwargs={"brand_slug": world.foreign_brand.slug})

    assert world.client_for("manager").get(url).status_code == 404


def test_a_status_filter_does_not_invent_gaps(world, settings):
    settings.CALENDAR_GAP_DAYS = 3
    account = make_account(world, "mastodon")
    for day in range(8, 15):  # a post every day of the week, all drafts
        make_post(world, account, scheduled_at=datetime(2027, 3, day, 12, tzinfo=UTC))

    page = (
        world.client_for("client")
        .get(calendar_url(world, view="week", date="2027-03-08", status="published"))
        .content.decode()
    )

    assert "No post on" not in page
