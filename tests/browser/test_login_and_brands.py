"""Signing in as each demo role: the brands one sees, the switcher, foreign brands, the
agency overview's chart, and the brand sidebar."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from socialhub.models import AuditEvent
from tests.browser.conftest import BrowserLog, login

pytestmark = pytest.mark.usefixtures("demo")

# Each demo person and the brands they work on (agency admins hold every brand).
BRANDS_OF = {
    "admin@demo.example": ["Acme", "Globex"],
    "manager@acme.example": ["Acme"],
    "analyst@acme.example": ["Acme"],
    "client@acme.example": ["Acme"],
    "manager@globex.example": ["Globex"],
}


def open_switcher(page: Page):
    switcher = page.locator("[data-switcher]")
    switcher.get_by_label("Switch brand").click()
    expect(switcher).to_have_attribute("open", "")
    return switcher


@pytest.mark.parametrize("email", BRANDS_OF)
def test_each_role_sees_exactly_their_brands(page: Page, email: str):
    login(page, email)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Your brands", level=1)).to_be_visible()
    expect(page.locator(".brand-card strong")).to_have_text(BRANDS_OF[email])
    switcher = open_switcher(page)
    expect(switcher.get_by_role("menuitem")).to_have_text(BRANDS_OF[email])


def test_it_switches_brand_with_the_switcher(page: Page):
    login(page, "admin@demo.example")

    open_switcher(page).get_by_role("menuitem", name="Acme").click()
    page.wait_for_url("**/b/acme/")
    expect(page.get_by_role("heading", name="Acme", level=1)).to_be_visible()

    switcher = open_switcher(page)
    expect(switcher.get_by_role("menuitem", name="Acme")).to_have_attribute("aria-current", "true")
    switcher.get_by_role("menuitem", name="Globex").click()
    page.wait_for_url("**/b/globex/")
    expect(page.get_by_role("heading", name="Globex", level=1)).to_be_visible()
    expect(page.locator(".switcher-current")).to_have_text("Globex")


@pytest.mark.parametrize(
    "email, foreign_slug",
    [("analyst@acme.example", "globex"), ("manager@globex.example", "acme")],
)
def test_it_shows_a_styled_404_for_another_brand(page: Page, email: str, foreign_slug: str):
    login(page, email)

    response = page.goto(f"/b/{foreign_slug}/")

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page not found", level=1)).to_be_visible()
    expect(page.get_by_text("belongs to a brand you don't work on")).to_be_visible()
    expect(page.get_by_role("link", name="Back to your brands")).to_be_visible()
    # app.css is applied: the error page centres its card in a grid.
    expect(page.locator("body.error-page")).to_have_css("display", "grid")


def test_agency_admin_sees_the_activity_chart(page: Page, browser_log: BrowserLog):
    login(page, "admin@demo.example")

    page.get_by_role("link", name="Demo Agency settings").click()
    page.wait_for_url("**/agency/demo-agency/")

    expect(page.get_by_role("heading", name="Demo Agency", level=1)).to_be_visible()
    chart = page.locator("canvas#activity-chart")
    # Set only after Chart.js, loaded with its integrity hash, drew the chart.
    expect(chart).to_have_attribute("data-rendered", "true")
    expect(chart).to_be_visible()
    expect(page.locator(".chart-table")).not_to_have_attribute("open", "")
    assert browser_log.cdn_served == [settings.CHARTJS_URL]
    # The bars add up to the agency's audit events (all made today by seed_demo).
    events = AuditEvent.objects.filter(agency__slug="demo-agency").count()
    plotted = page.evaluate(
        "Chart.getChart('activity-chart').data.datasets[0].data.reduce((a, b) => a + b, 0)"
    )
    assert plotted == events > 0
    # End the grow-in animation so the screenshot shows the final bars.
    page.evaluate(
        "const c = Chart.getChart('activity-chart'); c.stop(); c.options.animation = false;"
        " c.update();"
    )


@pytest.mark.parametrize(
    "email, sees_settings",
    [("client@acme.example", False), ("manager@acme.example", True)],
)
def test_only_brand_leads_see_the_settings_link(page: Page, email: str, sees_settings: bool):
    login(page, email)

    page.locator(".brand-card[data-brand-slug=acme]").click()
    page.wait_for_url("**/b/acme/")

    sidebar = page.get_by_role("navigation", name="Acme", exact=True)
    expect(sidebar.get_by_role("link", name="Overview")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Team")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Settings")).to_have_count(1 if sees_settings else 0)
    expect(page.get_by_role("link", name="Edit brand")).to_have_count(1 if sees_settings else 0)
