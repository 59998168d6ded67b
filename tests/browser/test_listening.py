"""Listening pages in the browser: adding a source, writing a query with its lint and
preview, working the mention stream, and what a client may not do."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from listening import tasks
from listening.http import HttpClient
from listening.models import Mention, Query, Source
from tests.browser.conftest import login

pytestmark = pytest.mark.usefixtures("demo")

FEED = "https://feeds.example.com/acme.xml"
RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Acme news</title><link>https://feeds.example.com/</link>
<item><title>Acme opens a new store</title><link>https://feeds.example.com/1</link>
<guid>https://feeds.example.com/1</guid><pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate>
<description>Acme opens its biggest store yet.</description></item>
</channel></rss>"""


@pytest.fixture
def feed_server(monkeypatch) -> list[str]:
    """The live server's fetches are answered here, never by the network."""
    fetched: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        fetched.append(str(request.url))
        if str(request.url) != FEED:
            return httpx.Response(404)
        return httpx.Response(200, content=RSS, headers={"content-type": "application/rss+xml"})

    transport = httpx.MockTransport(answer)
    monkeypatch.setattr(tasks, "HttpClient", lambda **kw: HttpClient(transport=transport, **kw))
    return fetched


def setting(page: Page, label: str):
    return page.locator("[data-setting]").filter(has=page.get_by_label(label, exact=True))


def test_analyst_adds_an_rss_source(page: Page, feed_server: list[str]):
    login(page, "analyst@acme.example")
    page.goto("/b/acme/sources/")
    page.get_by_role("link", name="Add a source").click()
    page.wait_for_url("**/b/acme/sources/new/")

    # Only the settings of the chosen kind are shown.
    kind = page.get_by_label("Kind")
    kind.select_option("mastodon")
    expect(setting(page, "Instance")).to_be_visible()
    expect(setting(page, "Access token")).to_be_visible()
    expect(setting(page, "Feed address")).to_be_hidden()
    kind.select_option("push")
    expect(page.locator("[data-setting]:visible")).to_have_count(0)
    kind.select_option("rss")
    expect(page.locator("[data-setting]:visible")).to_have_count(1)
    expect(setting(page, "Feed address")).to_be_visible()
    expect(setting(page, "Instance")).to_be_hidden()

    page.get_by_label("Name").fill("Acme store news")
    page.get_by_label("Feed address").fill(FEED)
    page.get_by_role("button", name="Add source").click()

    page.wait_for_url("**/b/acme/sources/")
    expect(page.get_by_role("status")).to_contain_text("Acme store news was added")
    row = page.get_by_role("row").filter(has_text="Acme store news")
    expect(row).to_contain_text("RSS/Atom feed")
    expect(row.locator(".badge")).to_have_text("Ok")
    expect(row.get_by_role("cell").nth(5)).to_have_text("1")
    assert feed_server == [FEED]
    source = Source.objects.get(name="Acme store news")
    assert (source.brand.slug, source.config, source.health) == ("acme", {"url": FEED}, "ok")


def test_analyst_writes_a_query_with_lint_and_preview(page: Page):
    login(page, "analyst@acme.example")
    page.goto("/b/acme/queries/")
    page.get_by_role("link", name="New query").click()
    page.wait_for_url("**/b/acme/queries/new/")
    page.get_by_label("Name").fill("Acme caps")
    expression = page.get_by_label("Expression")
    preview = page.get_by_role("button", name="Preview")

    # An over-broad single word: a lint warning (and a preview, which saves nothing).
    expression.fill("the")
    preview.click()
    expect(page.locator(".lint")).to_contain_text("very common word")
    expect(page.locator("[data-preview-count]")).to_be_visible()

    # A broken expression: the error says where.
    expression.fill("Acme AND (cap")
    preview.click()
    error = page.locator(".field-invalid").filter(has=page.get_by_label("Expression"))
    expect(error.get_by_role("alert")).to_contain_text("position 13")
    expect(page.locator("[data-preview-count]")).to_have_count(0)

    # A good one: the count of stored mentions it would match, then save.
    expression.fill('Acme AND "acme cap"')
    preview.click()
    expect(page.locator(".lint")).to_have_count(0)
    count = page.locator("[data-preview-count]")
    expect(count).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(page.locator(".preview")).to_contain_text("mentions from the last 30 days")
    assert not Query.objects.filter(name="Acme caps").exists()
    page.get_by_role("button", name="Save query").click()

    page.wait_for_url("**/b/acme/queries/")
    expect(page.get_by_role("status")).to_contain_text("Acme caps was saved.")
    expect(page.get_by_role("row").filter(has_text="Acme caps")).to_contain_text('"acme cap"')
    assert Query.objects.get(name="Acme caps").expression == 'Acme AND "acme cap"'


def test_analyst_filters_the_stream_and_corrects_a_mention(page: Page):
    login(page, "analyst@acme.example")
    page.goto("/b/acme/")
    page.get_by_role("navigation", name="Acme", exact=True).get_by_role(
        "link", name="Mentions"
    ).click()
    page.wait_for_url("**/b/acme/mentions/")
    expect(page.locator("li.mention").first).to_be_visible()

    filters = page.get_by_role("form", name="Filters")
    filters.get_by_label("Sentiment").select_option("negative")
    filters.get_by_label("Search text").fill("acme")
    filters.get_by_role("button", name="Apply").click()

    page.wait_for_url(re.compile(r"sentiment=negative"))
    rows = page.locator("li.mention")
    expect(rows.first).to_be_visible()
    assert rows.count() > 0
    for text in rows.locator(".mention-text").all_inner_texts():
        assert "acme" in text.lower()
    expect(rows.locator(".badge.sentiment-negative")).to_have_count(rows.count())

    first = rows.first
    mention_id = int(first.get_attribute("id").removeprefix("mention-"))
    first.get_by_label("Correct sentiment").select_option("positive")
    first.get_by_role("button", name="Set").click()

    expect(page.get_by_role("status")).to_contain_text("Sentiment corrected")
    # It is positive now, so the negative stream no longer lists it; without that
    # filter it is shown corrected.
    expect(page.locator(f"#mention-{mention_id}")).to_have_count(0)
    filters.get_by_label("Sentiment").select_option("")
    filters.get_by_role("button", name="Apply").click()
    corrected = page.locator(f"#mention-{mention_id}")
    expect(corrected.locator(".badge.sentiment-positive")).to_have_text("Positive · corrected")
    mention = Mention.objects.get(pk=mention_id)
    assert (mention.sentiment, mention.sentiment_source) == ("positive", "manual")


def test_client_reads_the_stream_but_cannot_configure(page: Page):
    login(page, "client@acme.example")
    page.goto("/b/acme/mentions/")

    mentions = page.locator("li.mention")
    expect(mentions.first).to_be_visible()
    expect(mentions.first.get_by_label("Correct sentiment")).to_have_count(0)
    expect(page.get_by_role("button", name="Set")).to_have_count(0)

    page.goto("/b/acme/sources/")
    expect(page.get_by_role("heading", name="Sources", level=1)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Push API")).to_be_visible()
    expect(page.get_by_role("link", name="Add a source")).to_have_count(0)
    expect(page.get_by_role("button", name="Fetch now")).to_have_count(0)
    assert page.goto("/b/acme/sources/new/").status == 403
