"""The monitoring inbox end to end: an analyst opens it, uses the keyboard, triages an
item, assigns it, replies, closes it, and sees the first-response time."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from listening.inbox.models import InboxItem
from tests.browser.conftest import ARTIFACTS, login

pytestmark = pytest.mark.usefixtures("demo")


def test_an_analyst_triages_assigns_replies_and_closes_an_item(page: Page):
    login(page, "analyst@acme.example")
    page.goto("/b/acme/")
    page.get_by_role("navigation", name="Acme", exact=True).get_by_role(
        "link", name=re.compile(r"^Inbox")
    ).click()
    page.wait_for_url("**/b/acme/inbox/")
    expect(page.get_by_role("heading", name="Inbox", level=1)).to_be_visible()
    # The demo has a worked history: a median response time and an SLA share.
    expect(page.locator("[data-metric=median] .stat-value")).not_to_have_text("—")
    expect(page.locator("[data-metric=sla] .stat-value")).to_have_text(re.compile(r"\d+%"))

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "test_inbox-list.png", full_page=True)

    # ? shows the shortcuts; Escape hides them.
    page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("Assign the item to me")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()

    # New, unassigned items; j selects the first, a assigns it to me.
    page.goto("/b/acme/inbox/?status=new&assignee=none")
    first = page.locator("tr[data-item]").first
    item_id = int(first.get_attribute("data-item"))
    page.keyboard.press("j")
    expect(first).to_have_class(re.compile(r"\bkb-active\b"))
    page.keyboard.press("a")
    expect(page.locator(".message-success")).to_contain_text("Assigned 1 item to you.")
    item = InboxItem.objects.get(pk=item_id)
    assert item.assignee.email == "analyst@acme.example"
    assert item.status == "assigned"

    # The item's page: triage (category), reply, close.
    page.goto(f"/b/acme/inbox/{item_id}/")
    expect(page.locator("[data-assignee]")).to_have_text("Alex Analyst")
    expect(page.locator("[data-first-response]")).to_have_text("not yet")
    page.get_by_label("Category", exact=True).select_option("customer_care")
    page.get_by_role("button", name="Set category").click()
    expect(page.locator(".message-success")).to_contain_text("Category: Customer care.")

    page.get_by_label("Reply sent").fill("Sorry about that! We've sent you a DM.")
    page.get_by_label("Link to the reply").fill("https://social.example/acme/r/1")
    page.get_by_role("button", name="Record reply").click()
    expect(page.locator(".message-success")).to_contain_text("first response after")
    expect(page.locator("[data-status]")).to_have_text("Replied")

    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.locator(".message-success")).to_contain_text("Status: Closed.")
    expect(page.locator("[data-status]")).to_have_text("Closed")
    item.refresh_from_db()
    expect(page.locator("[data-first-response]")).to_contain_text(f"after {item.response_display}")
    assert (item.status, item.category) == ("closed", "customer_care")
    assert item.first_response_at is not None
    expect(page.get_by_role("region", name="History")).to_contain_text("Closed")
