"""The brand's private iCalendar feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.test import Client
from django.urls import reverse

from campaigns.calendar import ics, services
from campaigns.models import CalendarFeed, ContentPost
from tests.calendar.conftest import approved, make_post


def unfold(text: str) -> list[str]:
    """RFC 5545 §3.1: a CRLF followed by a space or tab continues the line."""
    assert "\n" not in text.replace("\r\n", "")
    return text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")[:-1]


def parse_events(text: str) -> list[dict[str, str]]:
    events, current = [], None
    for line in unfold(text):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return events


def test_the_feed_lists_scheduled_and_published_posts_in_valid_ical(world):
    long_text = "Ünïcödé, commas; semicolons\\ and a newline\n" + "Longer than a line " * 10
    scheduled = approved(world, text=long_text, scheduled_at=datetime.now(UTC) + timedelta(days=1))
    make_post(world, text="Just a draft", scheduled_at=datetime.now(UTC) + timedelta(days=1))
    feed = services.calendar_feed_get_or_create(brand=world.brand)

    response = Client().get(reverse("calendar_public:ics", kwargs={"token": feed.token}))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    events = parse_events(text)
    assert len(events) == 1
    event = events[0]
    assert event["UID"] == f"post-{scheduled.pk}@testserver"
    assert event["DTSTART"] == scheduled.scheduled_at.strftime("%Y%m%dT%H%M%SZ")
    assert event["DESCRIPTION"].startswith(
        "Ünïcödé\\, commas\\; semicolons\\\\ and a newline\\nLonger"
    )
    assert event["STATUS"] == "TENTATIVE"


def test_folding_never_splits_a_multibyte_character():
    folded = ics.fold("SUMMARY:" + "é" * 100)

    lines = folded.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert "".join(line.removeprefix(" ") for line in lines) == "SUMMARY:" + "é" * 100


def test_a_wrong_token_is_not_found_and_rotating_revokes_the_old_address(world):
    feed = services.calendar_feed_get_or_create(brand=world.brand)
    old = reverse("calendar_public:ics", kwargs={"token": feed.token})
    page = reverse("calendar:feed", kwargs={"brand_slug": world.brand.slug})

    assert world.client_for("analyst").post(page).status_code == 403
    world.client_for("manager").post(page)

    new = CalendarFeed.objects.get(brand=world.brand)
    assert new.token != feed.token
    assert Client().get(old).status_code == 404
    assert Client().get(reverse("calendar_public:ics", kwargs={"token": "nope"})).status_code == 404
    assert new.token in world.client_for("client").get(page).content.decode()


def test_a_published_post_is_confirmed_with_its_address(world):
    post = approved(world, scheduled_at=datetime.now(UTC) + timedelta(hours=1))
    ContentPost.objects.filter(pk=post.pk).update(status="ready")
    services.post_mark_published(
        actor=world.users["manager"], post=post, url="https://x.com/acme/1"
    )
    feed = services.calendar_feed_get_or_create(brand=world.brand)

    text = (
        Client().get(reverse("calendar_public:ics", kwargs={"token": feed.token})).content.decode()
    )

    event = parse_events(text)[0]
    assert event["STATUS"] == "CONFIRMED" and event["URL"] == "https://x.com/acme/1"
