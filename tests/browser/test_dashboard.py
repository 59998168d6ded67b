"""The brand dashboard in the browser: charts with their tables, the planted emerging
term, and a drill-down into the filtered mention stream."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, login

pytestmark = pytest.mark.usefixtures("demo")


def test_an_analyst_reads_the_dashboard_and_drills_down(page: Page):
    login(page, "analyst@acme.example")
    page.goto("/b/acme/")
    page.get_by_role("navigation", name="Acme", exact=True).get_by_role(
        "link", name="Dashboard", exact=True
    ).click()
    page.wait_for_url("**/b/acme/listening/")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()

    # Charts are drawn by Chart.js, each with its table.
    expect(page.locator("#chart-volume")).to_have_attribute("data-rendered", "true")
    expect(page.locator("#chart-sov")).to_have_attribute("data-rendered", "true")
    volume_card = page.locator("#chart-volume-card")
    volume_card.get_by_text("Show as table").click()
    expect(volume_card.locator("table tbody tr").first).to_be_visible()
    expect(page.locator("#chart-sov-card table")).to_contain_text("Acme")

    # The planted spike (customers cutting their hands on the new cap) is emerging.
    emerging = page.locator("#emerging-terms")
    expect(emerging.get_by_role("link", name="#acmecap")).to_be_visible()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "test_dashboard.png", full_page=True)

    # Drill down: a platform opens the mention stream filtered to it.
    platforms = page.locator("#chart-platforms-card")
    platforms.get_by_text("Show as table").click()
    first = platforms.locator("a.drill").first
    platform_label = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/b/acme/mentions/\?.*platform="))
    expect(page.get_by_role("heading", name="Mentions", level=1)).to_be_visible()
    selected = page.locator("select[name=platform] option:checked")
    expect(selected).to_have_text(platform_label)
    expect(page.locator("li.mention").first).to_be_visible()

    # The emerging term opens the mentions that use it.
    page.go_back()
    page.locator("#emerging-terms").get_by_role("link", name="#acmecap").click()
    page.wait_for_url(re.compile(r"/b/acme/mentions/\?.*q=%23acmecap"))
    expect(page.locator("li.mention").first).to_contain_text("#acmecap")
