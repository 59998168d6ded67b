"""The agency admin invites someone by email; they follow the link, create their account
and land in the brand with the role they were given; the link works once."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.browser.conftest import login

pytestmark = pytest.mark.usefixtures("demo")

INVITEE = "nia.newcomer@example.com"
INVITEE_PASSWORD = "Fresh-start-2026!"
AGENCY_NAV = "Demo Agency settings"


def invite_analyst_to_acme(page: Page, email: str) -> str:
    """As the agency admin, invite ``email`` as Acme's analyst; return the emailed link."""
    login(page, "admin@demo.example")
    page.get_by_role("link", name=AGENCY_NAV).click()
    page.wait_for_url("**/agency/demo-agency/")
    page.get_by_role("navigation", name=AGENCY_NAV).get_by_role("link", name="Members").click()
    page.wait_for_url("**/agency/demo-agency/members/")
    page.get_by_role("main").get_by_role("link", name="Invite someone").click()
    page.wait_for_url("**/agency/demo-agency/members/invite/")

    page.get_by_label("Email").fill(email)
    roles = page.get_by_role("group", name="Role per brand")
    roles.get_by_label("Acme").select_option("analyst")
    expect(roles.get_by_label("Globex")).to_have_value("")
    page.get_by_role("button", name="Send invitation").click()

    page.wait_for_url("**/agency/demo-agency/members/")
    expect(page.get_by_role("status")).to_contain_text(f"Invitation sent to {email}.")
    expect(page.locator("#invitations").get_by_role("row").filter(has_text=email)).to_be_visible()

    sent = [m for m in mail.outbox if m.to == [email]]
    assert len(sent) == 1, f"expected one invitation email to {email}, outbox: {mail.outbox}"
    assert "Demo Agency" in sent[0].subject
    assert "- Acme: analyst" in sent[0].body
    links = re.findall(r"https?://\S+/invitations/\S+/", sent[0].body)
    assert len(links) == 1, sent[0].body
    return links[0]


def create_account_from(page: Page, link: str) -> None:
    """Open the invitation link signed out and create the account it offers."""
    page.goto(link)
    expect(page.get_by_role("heading", name="Join Demo Agency", level=1)).to_be_visible()
    grants = page.locator(".auth-card .people li")
    expect(grants).to_have_count(1)
    expect(grants.locator("span").first).to_have_text("Acme")
    expect(grants.locator(".badge")).to_have_text("Analyst")

    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Newcomer")
    page.locator("#id_password1").fill(INVITEE_PASSWORD)
    page.locator("#id_password2").fill(INVITEE_PASSWORD)
    page.get_by_role("button", name="Create account and join").click()
    page.wait_for_url("**/b/acme/")


def test_an_invited_analyst_joins_acme(
    live_server, page: Page, new_page: Callable[[], Page]
) -> None:
    link = invite_analyst_to_acme(page, INVITEE)
    assert link.startswith(live_server.url + "/invitations/")

    invitee = new_page()
    create_account_from(invitee, link)

    expect(invitee.get_by_role("status")).to_contain_text("Welcome to Demo Agency.")
    expect(invitee.get_by_role("heading", name="Acme", level=1)).to_be_visible()
    expect(invitee.locator(".sidebar-brand .badge")).to_have_text("Analyst")
    expect(invitee.locator(".topnav .menu summary")).to_have_text("Nia Newcomer")
    invitee.locator("[data-switcher]").get_by_label("Switch brand").click()
    expect(invitee.locator("[data-switcher]").get_by_role("menuitem")).to_have_text(["Acme"])
    invitee.keyboard.press("Escape")
    expect(invitee.locator("[data-switcher]")).not_to_have_attribute("open", "")

    page.get_by_role("navigation", name=AGENCY_NAV).get_by_role("link", name="Audit log").click()
    page.wait_for_url("**/agency/demo-agency/audit/")
    rows = page.get_by_role("row").filter(has_text=INVITEE)
    expect(rows.filter(has_text="Member invited")).to_have_count(1)
    expect(rows.filter(has_text="Role granted")).to_have_count(1)
    expect(rows.filter(has_text="Invitation accepted")).to_have_count(1)

    page.get_by_role("navigation", name=AGENCY_NAV).get_by_role("link", name="Members").click()
    page.wait_for_url("**/agency/demo-agency/members/")
    member = page.get_by_role("row").filter(has_text=INVITEE)
    expect(member.locator(".badge")).to_have_text(["Analyst"])
    expect(page.locator("#invitations")).to_contain_text("No pending invitations.")


def test_an_invitation_link_works_once(page: Page, new_page: Callable[[], Page]) -> None:
    link = invite_analyst_to_acme(page, INVITEE)
    create_account_from(new_page(), link)

    again = new_page()
    response = again.goto(link)

    assert response is not None and response.status == 410
    heading = again.get_by_role("heading", name="This invitation link no longer works")
    expect(heading).to_be_visible()
    expect(again.get_by_text("It has already been used.")).to_be_visible()
    expect(again.get_by_role("textbox")).to_have_count(0)
