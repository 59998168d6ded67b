"""Alerts end to end: a manager adds a keyword rule in the UI, mentions arrive through
the pipeline and fire it, the bell counts it, the alert explains itself (window in the
brand's time zone, threshold, observed value) and the manager acknowledges it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from listening.alerts.models import Alert
from listening.connectors.base import NormalizedPost
from listening.pipeline import forget_compiled_queries, ingest
from socialhub.models import Brand
from tests.browser.conftest import login

pytestmark = pytest.mark.usefixtures("demo")

KEYWORD = "firmware 2.1"


def posts(n: int) -> list[NormalizedPost]:
    """Quiet, neutral posts by small accounts: only the new keyword rule cares."""
    now = datetime.now(UTC)
    return [
        NormalizedPost(
            platform="mastodon",
            external_id=f"browser-alerts-{i}",
            url=f"https://social.example/alerts/{i}",
            text=f"After the Acme speaker firmware 2.1 update it clicks at startup ({i})",
            published_at=now - timedelta(minutes=10 + i),
            author_handle=f"listener{i}",
            author_followers=5,
            lang="en",
        )
        for i in range(n)
    ]


def test_a_keyword_rule_fires_rings_the_bell_explains_itself_and_is_acknowledged(page: Page):
    login(page, "manager@acme.example")
    bell = page.locator("[data-alert-bell]")
    count = page.locator(".alert-bell-count")

    # Start from a quiet bell: the demo's own alerts are marked read.
    page.goto("/b/acme/alerts/")
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator(".message-success")).to_contain_text("marked as read")
    expect(count).to_have_count(0)

    # The rule, through the form.
    page.get_by_role("link", name="Alert rules").click()
    page.get_by_role("link", name="Add a rule").click()
    page.get_by_label("Name").fill("Firmware complaints")
    page.get_by_label("Kind").select_option("keyword")
    page.get_by_label("Keyword").fill(KEYWORD)
    page.get_by_label("Minimum mentions").fill("3")
    page.get_by_label("Window (hours)").fill("2")
    page.get_by_role("button", name="Add rule").click()
    expect(page.locator(".message-success")).to_contain_text(
        "Alert rule “Firmware complaints” was saved."
    )
    expect(page.get_by_role("cell", name="Keyword: “firmware 2.1”")).to_be_visible()

    # Three mentions arrive; the rule is evaluated after the batch.
    acme = Brand.objects.get(slug="acme")
    forget_compiled_queries()
    ingest(posts(3), brand_ids={acme.pk})
    alert = Alert.objects.get(rule__name="Firmware complaints")
    assert alert.mention_count == 3

    # The bell rings on any page.
    page.goto("/b/acme/")
    expect(count).to_have_text("1")
    expect(bell).to_have_attribute("aria-label", "Alerts: 1 unread")

    # The bell opens the history; the alert is new there, and opens its page.
    bell.click()
    page.wait_for_url("**/b/acme/alerts/")
    row = page.locator(f"#alert-{alert.pk}")
    expect(row.locator(".alert-new")).to_have_text("New")
    row.get_by_role("link", name="Firmware complaints").click()
    page.wait_for_url(f"**/b/acme/alerts/{alert.pk}/")

    # It explains itself: what was observed against what, in which window (London time).
    expect(page.locator(".lead")).to_contain_text(
        f"3 mentions of the brand's own queries said “{KEYWORD}” in the 2 hours from"
    )
    expect(page.locator(".lead")).to_contain_text("the threshold is 3")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(
        re.compile(r"Window\s*\w{3} \d+, \d{4} \d\d:\d\d to .* (GMT|BST)")
    )
    expect(facts).to_contain_text(re.compile(r"Threshold\s*3\b"))
    expect(facts).to_contain_text(re.compile(r"Observed\s*3\b"))
    expect(facts).to_contain_text(re.compile(r"Acknowledged\s*not yet"))
    expect(page.get_by_role("link", name=re.compile("see the mentions behind it"))).to_be_visible()

    # Acknowledged: who saw to it, and the bell is quiet again.
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".message-success")).to_contain_text("“Firmware complaints” acknowledged.")
    expect(facts).to_contain_text("by Morgan Manager")
    expect(page.get_by_role("button", name="Acknowledge")).to_have_count(0)
    expect(count).to_have_count(0)
    expect(bell).to_have_attribute("aria-label", "Alerts: 0 unread")
    alert.refresh_from_db()
    assert alert.acknowledged_by.email == "manager@acme.example"

    # The mentions behind it are one click away.
    page.get_by_role("link", name=re.compile("see the mentions behind it")).click()
    expect(page.locator("li.mention")).to_have_count(3)
