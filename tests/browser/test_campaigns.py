"""Campaigns end to end: a manager plans a campaign with two KPIs and three posts and
submits them; the client (signed in, or through an approval link) approves one and asks
for changes on another; a post is dragged to another day and keeps its time of day; the
approved post is published (recorded Mastodon response) with its URL; the KPI values
move when matching mentions are ingested."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Page, expect

from campaigns import services as campaign_services
from campaigns.calendar import services as calendar_services
from campaigns.calendar import tasks
from campaigns.models import Campaign, ContentPost, SocialAccount
from listening.connectors.base import NormalizedPost
from listening.http import HttpClient
from listening.pipeline import forget_compiled_queries, ingest
from socialhub.models import Brand, User
from tests.browser.conftest import login
from tests.calendar.conftest import recorded, recorded_json

pytestmark = pytest.mark.usefixtures("demo")

LONDON = ZoneInfo("Europe/London")  # the demo Acme's time zone
HASHTAG = "acmewinterlights"
MASTODON = {"instance": "https://mastodon.example", "access_token": "secret-token"}
HANDLE = "@acme@mastodon.example"


def next_month(day: int) -> date:
    """A day of next month: its posts are ahead, and its month view holds them all."""
    first = (datetime.now(UTC).date().replace(day=1) + timedelta(days=32)).replace(day=1)
    return first.replace(day=day)


def mastodon_channel() -> SocialAccount:
    acme = Brand.objects.get(slug="acme")
    return calendar_services.social_account_create(
        actor=User.objects.get(email="manager@acme.example"),
        brand=acme,
        platform="mastodon",
        handle=HANDLE,
        credentials=MASTODON,
    )


def recorded_mastodon(monkeypatch) -> list[httpx.Request]:
    """The publishing task's HTTP client answers with the recorded status, as in
    tests/calendar (only the HTTP layer is replaced)."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=recorded("mastodon/statuses_create.json"))

    monkeypatch.setattr(
        tasks,
        "HttpClient",
        lambda: HttpClient(transport=httpx.MockTransport(answer), allowed_hosts=[]),
    )
    return seen


def fans(n: int) -> list[NormalizedPost]:
    """People posting with the campaign's hashtag, each with 100 × (i + 1) followers."""
    now = datetime.now(UTC)
    return [
        NormalizedPost(
            platform="mastodon",
            external_id=f"browser-campaign-{i}",
            url=f"https://social.example/winter/{i}",
            text=f"The lights in the Acme window are lovely #{HASHTAG} ({i})",
            published_at=now - timedelta(minutes=5 + i),
            author_handle=f"fan{i}",
            author_followers=100 * (i + 1),
            lang="en",
        )
        for i in range(n)
    ]


def field(page: Page, label: str):
    """The form field labelled exactly ``label`` (a required one's label ends in "*")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def event(history, heading: str):
    """The entry of a post's history that starts with ``heading`` (what, and who)."""
    return history.locator("li").filter(has_text=heading)


def kpi_value(page: Page, kpi_id: int):
    return page.locator(f"#kpi-{kpi_id} .kpi-current .stat-value")


def number(text: str) -> float:
    text = text.strip()
    return 0.0 if text in ("", "–") else float(text.replace(",", ""))


def write_post(page: Page, text: str, day: date, at: str, campaign: str) -> int:
    """The post form, then "Submit for review" on the post's page; the post's id."""
    page.goto("/b/acme/calendar/")
    page.get_by_role("link", name="New post").first.click()
    page.wait_for_url("**/b/acme/calendar/posts/new/")
    page.get_by_label("Channel").select_option(label=f"Mastodon {HANDLE}")
    field(page, "Text").fill(text)
    expect(page.locator("[data-post-counter]")).to_have_text(f"{500 - len(text)} of 500 left")
    field(page, "Date").fill(day.isoformat())
    field(page, "Time").fill(at)
    field(page, "Campaign").select_option(label=campaign)
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".message-success")).to_contain_text("Draft saved")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".message-success")).to_contain_text("Submitted for review.")
    expect(page.locator(".page-header .badge")).to_have_text("In review")
    return int(re.search(r"/posts/(\d+)/", page.url).group(1))


def test_a_campaign_is_planned_approved_rescheduled_published_and_measured(new_page, monkeypatch):
    mastodon_channel()
    today = datetime.now(UTC).date()
    start, end = today - timedelta(days=3), next_month(28)
    days = [next_month(12), next_month(13), next_month(14)]
    times = ["10:30", "14:15", "17:45"]

    # -- 1. The manager plans the campaign, its two KPIs and three posts. ---------------
    manager = new_page()
    login(manager, "manager@acme.example")
    manager.goto("/b/acme/campaigns/")
    manager.get_by_role("link", name="Plan a campaign").first.click()
    field(manager, "Name").fill("Winter lights")
    manager.get_by_label("Objective").select_option("awareness")
    manager.get_by_label("Start date").fill(start.isoformat())
    manager.get_by_label("End date").fill(end.isoformat())
    manager.get_by_label("Budget").fill("2500")
    manager.get_by_label(f"Mastodon {HANDLE}").check()
    field(manager, "Hashtags").fill(f"#{HASHTAG}")
    field(manager, "Status").select_option("running")
    manager.get_by_label("Create a campaign query for the hashtags").check()
    manager.get_by_role("button", name="Plan campaign").click()
    expect(manager.locator(".message-success")).to_contain_text(
        "Campaign “Winter lights” was saved."
    )
    expect(manager.get_by_role("heading", level=1)).to_contain_text("Winter lights")
    expect(manager.locator(".campaign-facts")).to_contain_text(f"#{HASHTAG}")
    campaign = Campaign.objects.get(name="Winter lights")
    assert [q.kind for q in campaign.queries.all()] == ["campaign"]

    for metric, target in (("mentions", "200"), ("reach", "50000")):
        manager.get_by_role("link", name="Add a KPI").first.click()
        field(manager, "Metric").select_option(metric)
        field(manager, "Target").fill(target)
        manager.get_by_role("button", name="Add KPI").click()
        expect(manager.locator(".message-success")).to_contain_text("was saved.")
    mentions_kpi = campaign.kpis.get(metric="mentions")
    reach_kpi = campaign.kpis.get(metric="reach")
    expect(manager.locator(f"#kpi-{mentions_kpi.pk} h3")).to_have_text("Mentions")
    expect(manager.locator(f"#kpi-{reach_kpi.pk} h3")).to_have_text("Reach")

    texts = [
        "The Acme winter lights are on: come and see the window display",
        "Behind the scenes: how we hung 4,000 bulbs",
        "Last weekend of the Acme winter lights",
    ]
    ids = [
        write_post(manager, text, day, at, "Winter lights")
        for text, day, at in zip(texts, days, times, strict=True)
    ]
    posts = {p.pk: p for p in ContentPost.objects.filter(pk__in=ids)}
    assert all(p.status == ContentPost.Status.IN_REVIEW for p in posts.values())
    assert all(p.campaign_id == campaign.pk for p in posts.values())
    approve_id, changes_id, _ = ids

    # -- 2. The client approves one and asks for changes on another. --------------------
    client = new_page()
    login(client, "client@acme.example")
    client.goto("/b/acme/calendar/?view=list&status=in_review")
    client.get_by_role("link", name=texts[0]).click()
    client.wait_for_url(f"**/calendar/posts/{approve_id}/")
    expect(client.get_by_role("link", name="Edit")).to_have_count(0)  # a client never edits
    client.get_by_label("Comment (required to request changes)").fill("Lovely, go ahead.")
    client.get_by_role("button", name="Approve").click()
    expect(client.locator(".message-success")).to_have_text("Approved and scheduled.")
    expect(client.locator(".page-header .badge")).to_have_text("Scheduled")
    history = client.get_by_role("region", name="History")
    expect(event(history, "Approved · Casey Client")).to_contain_text("Lovely, go ahead.")

    client.goto("/b/acme/calendar/?view=list&status=in_review")
    client.get_by_role("link", name=texts[1]).click()
    client.wait_for_url(f"**/calendar/posts/{changes_id}/")
    client.get_by_role("button", name="Request changes").click()  # without saying what
    expect(client.locator(".message-error")).to_contain_text("Say what should change.")
    client.get_by_label("Comment (required to request changes)").fill(
        "Say 4,000 LED bulbs, please."
    )
    client.get_by_role("button", name="Request changes").click()
    expect(client.locator(".message-success")).to_have_text("Changes requested.")
    expect(client.locator(".page-header .badge")).to_have_text("Changes requested")
    expect(client.get_by_role("region", name="History")).to_contain_text(
        "Changes requested · Casey Client"
    )
    expect(client.get_by_role("region", name="Comments")).to_contain_text(
        "Say 4,000 LED bulbs, please."
    )

    # The manager sees the decisions and who made them.
    manager.goto(f"/b/acme/calendar/posts/{changes_id}/")
    expect(manager.locator(".page-header .badge")).to_have_text("Changes requested")
    expect(
        event(manager.get_by_role("region", name="History"), "Changes requested · Casey Client")
    ).to_contain_text("Say 4,000 LED bulbs, please.")

    # -- 3. The approved post is dragged to another day: same time of day. ---------------
    moved_to = next_month(15)
    manager.goto(f"/b/acme/calendar/?view=month&date={days[0].isoformat()}")
    chip = manager.locator(f"a.post-chip[href$='/calendar/posts/{approve_id}/']")
    expect(chip).to_contain_text("10:30")
    target = manager.locator(f"section.calendar-day[data-date='{moved_to.isoformat()}']")
    with manager.expect_response(lambda r: r.url.endswith(f"/posts/{approve_id}/move/")) as moved:
        chip.drag_to(target)
    assert moved.value.status == 200, moved.value.text()
    manager.wait_for_load_state()  # the page reloads after a move
    moved_chip = target.locator(f"a.post-chip[href$='/calendar/posts/{approve_id}/']")
    expect(moved_chip).to_contain_text("10:30")
    post = ContentPost.objects.get(pk=approve_id)
    assert post.scheduled_at.astimezone(LONDON) == datetime.combine(
        moved_to, time(10, 30), tzinfo=LONDON
    )
    assert post.status == ContentPost.Status.SCHEDULED  # a new day needs no new approval

    # -- 4. The publishing task publishes it (recorded Mastodon answer). -----------------
    seen = recorded_mastodon(monkeypatch)
    assert tasks.publish_post.apply(args=[approve_id]).get() == "published"
    assert len(seen) == 1 and seen[0].url == "https://mastodon.example/api/v1/statuses"
    url = recorded_json("mastodon/statuses_create.json")["url"]
    post.refresh_from_db()
    assert post.published_url == url
    manager.goto(f"/b/acme/calendar/posts/{approve_id}/")
    expect(manager.locator(".page-header .badge")).to_have_text("Published")
    preview = manager.get_by_role("region", name="Preview")
    expect(preview).to_contain_text(f"Published: {url}")
    expect(preview.get_by_role("link", name=url)).to_have_attribute("href", url)

    # -- 5. The KPI values move when the hashtag's mentions come in. ---------------------
    manager.goto(campaign.get_absolute_url())
    mentions_before = number(kpi_value(manager, mentions_kpi.pk).inner_text())
    reach_before = number(kpi_value(manager, reach_kpi.pk).inner_text())
    forget_compiled_queries()
    result = ingest(fans(3), brand_ids={campaign.brand_id})
    assert len(result.mention_ids) == 3
    manager.reload()
    expect(kpi_value(manager, mentions_kpi.pk)).to_have_text(f"{mentions_before + 3:g}")
    expect(kpi_value(manager, reach_kpi.pk)).to_have_text(f"{reach_before + 600:g}")


def test_a_client_decides_through_an_approval_link(new_page):
    """No account: the manager sends a link; its recipient approves one post and asks
    for changes on another; the decisions carry the recipient's name."""
    channel = mastodon_channel()
    manager_user = User.objects.get(email="manager@acme.example")
    acme = Brand.objects.get(slug="acme")
    campaign = campaign_services.campaign_create(
        actor=manager_user,
        brand=acme,
        name="Winter lights",
        objective="awareness",
        start_date=datetime.now(UTC).date(),
        end_date=next_month(28),
    )
    texts = ["Window display opens Friday", "Meet the bulb hangers"]
    ids = []
    for text, day in zip(texts, (next_month(5), next_month(6)), strict=True):
        post = calendar_services.post_create(
            actor=manager_user,
            brand=acme,
            account=channel,
            text=text,
            scheduled_at=datetime.combine(day, time(9, 0), tzinfo=LONDON),
            campaign=campaign,
        )
        ids.append(calendar_services.post_submit(actor=manager_user, post=post).pk)

    manager = new_page()
    login(manager, "manager@acme.example")
    manager.goto("/b/acme/calendar/approval-links/")
    manager.get_by_label("Recipient name").fill("Dana Director")
    manager.get_by_label("Recipient email").fill("dana@client.example")
    manager.get_by_role("button", name="Create link").click()
    expect(manager.locator(".message-success")).to_contain_text("Link for Dana Director created")
    link = manager.get_by_label("Approval link for Dana Director").input_value()

    guest = new_page()
    guest.goto(link)
    expect(guest.get_by_role("heading", level=1)).to_have_text(
        "Acme: posts waiting for your review"
    )
    first = guest.get_by_role("article").filter(has_text=texts[0])
    first.get_by_label("Comment (required to request changes)").fill("Perfect.")
    first.get_by_role("button", name="Approve").click()
    expect(guest.locator(".message-success")).to_have_text("Approved. Thank you!")
    expect(guest.get_by_role("article").filter(has_text=texts[0])).to_have_count(0)

    second = guest.get_by_role("article").filter(has_text=texts[1])
    second.get_by_label("Comment (required to request changes)").fill("Add their names.")
    second.get_by_role("button", name="Request changes").click()
    expect(guest.locator(".message-success")).to_have_text("Your request for changes was sent.")
    expect(guest.get_by_role("article").filter(has_text=texts[1])).to_have_count(0)

    manager.goto(f"/b/acme/calendar/posts/{ids[0]}/")
    expect(manager.locator(".page-header .badge")).to_have_text("Scheduled")
    expect(manager.get_by_role("region", name="History")).to_contain_text(
        "Approved · Dana Director (approval link)"
    )
    manager.goto(f"/b/acme/calendar/posts/{ids[1]}/")
    expect(manager.locator(".page-header .badge")).to_have_text("Changes requested")
    expect(
        event(
            manager.get_by_role("region", name="History"),
            "Changes requested · Dana Director (approval link)",
        )
    ).to_contain_text("Add their names.")
    expect(manager.get_by_role("region", name="Comments")).to_contain_text(
        "Dana Director (approval link)"
    )
