"""Influencers end to end on the demo: a manager discovers an author heard by
listening, adds them, moves them through the pipeline, attaches them to the demo
campaign; their campaign post is ingested and the collaboration's results and the
campaign's "Mentions by influencers" KPI move. The demo ambassador's health alert shows."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from campaigns import services as campaign_services
from campaigns.models import Campaign
from influencers.models import Collaboration, Relationship
from listening import pipeline
from listening.connectors.base import NormalizedPost
from socialhub.models import User
from tests.browser.conftest import login

pytestmark = pytest.mark.usefixtures("demo")


def test_discover_add_move_attach_and_see_the_results_move(page: Page):
    campaign = Campaign.objects.get(brand__slug="acme", name="Acme Sound Month")
    # Only collaborators count at this threshold: the KPI moves with their posts alone.
    kpi = campaign_services.kpi_create(
        actor=User.objects.get(email="admin@demo.example"),
        campaign=campaign,
        metric="influencer_mentions",
        target=50,
        follower_threshold=10**9,
    )
    login(page, "manager@acme.example")

    # Discover: the first author heard who is not in the directory yet.
    page.goto("/b/acme/influencers/discover/")
    expect(page.get_by_role("heading", name="Discover influencers", level=1)).to_be_visible()
    row = page.locator("tr", has=page.get_by_role("button", name="Add and open a relationship"))
    row = row.first
    handle = re.search(r"@(\S+)", row.locator("td").nth(1).inner_text()).group(1)
    row.get_by_role("button", name="Add and open a relationship").click()
    page.wait_for_url(re.compile(r"/b/acme/influencers/\d+/$"))
    expect(page.locator(".message-success")).to_contain_text("the relationship is prospect")
    relationship = Relationship.objects.get(brand__slug="acme", influencer__profiles__handle=handle)
    author = relationship.influencer.profiles.get().author
    name = relationship.influencer.name

    # The board: drag the card from Prospect to Contacted...
    page.goto("/b/acme/influencers/")
    card = page.locator(f"#rel-{relationship.pk}")
    contacted = page.locator(".kanban-column[data-stage=contacted]")
    with page.expect_response(lambda r: r.url.endswith(f"/{relationship.pk}/move/")):
        # The HTML5 drag events the board listens to, with one shared DataTransfer.
        transfer = page.evaluate_handle("() => new DataTransfer()")
        card.dispatch_event("dragstart", {"dataTransfer": transfer})
        contacted.dispatch_event("dragover", {"dataTransfer": transfer})
        contacted.dispatch_event("drop", {"dataTransfer": transfer})
        card.dispatch_event("dragend", {"dataTransfer": transfer})
    expect(contacted.locator(f"#rel-{relationship.pk}")).to_be_visible()
    relationship.refresh_from_db()
    assert relationship.stage == "contacted"
    # ...then with the keyboard alternative, to Active.
    card = page.locator(f"#rel-{relationship.pk}")
    card.get_by_label(f"Stage of {name}").select_option("active")
    card.get_by_role("button", name="Move").click()
    expect(page.locator(".message-success")).to_contain_text(f"{name} moved to Active")
    relationship.refresh_from_db()
    assert relationship.stage == "active"

    # Attach to the campaign.
    page.goto(relationship.get_absolute_url())
    page.get_by_role("link", name="Attach to a campaign").click()
    page.get_by_label("Campaign").select_option(label="Acme Sound Month")
    page.get_by_label("Status").select_option("agreed")
    page.get_by_label("Fee").fill("400")
    page.get_by_label("Currency").fill("EUR")
    page.get_by_label("Platform (row 1)").select_option(author.platform)
    page.get_by_label("Format (row 1)").select_option("post")
    page.get_by_role("button", name="Attach").click()
    expect(page.locator(".message-success")).to_contain_text(f"{name} is attached to Acme")
    collaboration = Collaboration.objects.get(relationship=relationship)
    expect(page.locator("[data-metric=posts] .stat-value")).to_have_text("0")

    page.goto(campaign.get_absolute_url())
    kpi_value = page.locator(f"#kpi-{kpi.pk} .kpi-current .stat-value")
    before = float(kpi_value.inner_text().replace(",", ""))

    # Their campaign post is heard by listening (the ingest hooks match it).
    pipeline.ingest(
        [
            NormalizedPost(
                platform=author.platform,
                external_id="browser-influencer-campaign-post",
                url="https://social.example/p/browser-1",
                text="Our listening party with Acme tonight! #acmesound",
                published_at=datetime.now(UTC),
                author_handle=author.handle,
                author_name=name,
                author_followers=author.followers,
                lang="en",
                likes=80,
                shares=15,
                replies=5,
                reach=4000,
            )
        ],
        brand_ids={campaign.brand_id},
    )

    page.goto(collaboration.get_absolute_url())
    expect(page.locator("[data-metric=posts] .stat-value")).to_have_text("1")
    expect(page.locator("[data-metric=engagement] .stat-value")).to_have_text("100")
    expect(page.locator("[data-metric=cpe] .stat-value")).to_have_text("4.00 EUR")
    expect(page.locator("[data-content=matched]")).to_contain_text("listening party")

    page.goto(campaign.get_absolute_url())
    expect(kpi_value).to_have_text(re.compile(rf"^{int(before) + 1}(\.0+)?\b"))
    section = page.get_by_role("region", name="Influencer collaborations")
    expect(section.locator(f"tr[data-collaboration='{collaboration.pk}']")).to_contain_text(name)


def test_the_demo_ambassadors_health_alert_shows(page: Page):
    login(page, "manager@acme.example")
    page.goto("/b/acme/influencers/")
    alerts = page.get_by_role("region", name="Allies turning negative")
    expect(alerts).to_contain_text("Mia Sound")
    alerts.get_by_role("link", name="Mia Sound").click()
    alert = page.get_by_role("alert").filter(has_text="consider moving them to at risk")
    expect(alert).to_be_visible()
    alert.get_by_role("button", name="Move to at risk").click()
    expect(page.locator(".message-success")).to_contain_text("Mia Sound moved to At risk")
    relationship = Relationship.objects.get(brand__slug="acme", influencer__name="Mia Sound")
    assert relationship.stage == "at_risk"
