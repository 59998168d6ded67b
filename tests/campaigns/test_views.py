from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns import services
from campaigns.models import Campaign, Kpi, KpiEntry
from listening.models import Query
from tests.campaigns.conftest import plan


def url(name, world, **kwargs):
    return reverse(f"campaigns:{name}", kwargs={"brand_slug": world.brand.slug, **kwargs})


def test_the_empty_list_invites_a_manager_to_plan_a_campaign(world):
    r = world.client_for("manager").get(url("campaign_list", world))
    assert r.status_code == 200
    assert b"No campaigns yet" in r.content
    assert url("campaign_create", world).encode() in r.content


def test_a_client_sees_campaigns_but_not_the_planning_button(world):
    r = world.client_for("client").get(url("campaign_list", world))
    assert r.status_code == 200
    assert url("campaign_create", world).encode() not in r.content
    assert world.client_for("client").get(url("campaign_create", world)).status_code == 403


def test_the_list_filters_by_status_and_pins_its_queries(world, django_assert_num_queries):
    for i in range(3):
        plan(world, name=f"Campaign {i}")
    archived = plan(world, name="Old one")
    services.campaign_archive(actor=None, campaign=archived)
    client = world.client_for("manager")
    client.get(url("campaign_list", world))  # warm the session
    # session, user, two-factor requirement, brand, agency admin?, brand role; the
    # campaign count; the layout's brand switcher (brands, agencies) and alerts bell;
    # the page of campaigns (owner and KPI count joined)
    with django_assert_num_queries(11):
        r = client.get(url("campaign_list", world))
    assert b"Campaign 0" in r.content and b"Old one" not in r.content
    r = client.get(url("campaign_list", world), {"status": "archived"})
    assert b"Old one" in r.content and b"Campaign 0" not in r.content


def test_the_list_pages(world):
    for i in range(23):
        plan(world, name=f"Campaign {i:02}", start=date(2026, 1, 1 + i), end=date(2026, 2, 1))
    r = world.client_for("manager").get(url("campaign_list", world), {"page": 2})
    assert b"Page 2 of 2" in r.content
    assert r.content.count(b"<tr>") == 1 + 3


def test_a_foreign_brand_is_not_found(world):
    r = world.client_for("manager").get(
        reverse("campaigns:campaign_list", kwargs={"brand_slug": world.foreign_brand.slug})
    )
    assert r.status_code == 404


def form_data(**overrides):
    data = {
        "name": "Spring",
        "objective": "awareness",
        "start_date": "2026-03-01",
        "end_date": "2026-03-31",
        "budget": "1500",
        "currency": "usd",
        "hashtags": "#spring acmespring",
        "tracked_links": "https://acme.example/spring?utm_source=x",
        "status": "planned",
        "create_hashtag_query": "on",
    }
    data.update(overrides)
    return data


def test_a_manager_plans_a_campaign_with_its_hashtag_query(world):
    r = world.client_for("manager").post(url("campaign_create", world), form_data())
    campaign = Campaign.objects.get()
    assert r.status_code == 302 and r["Location"] == campaign.get_absolute_url()
    assert campaign.currency == "USD" and campaign.budget == Decimal("1500")
    assert campaign.queries.get().expression == "#spring OR #acmespring"


def test_an_end_before_the_start_is_shown_on_the_end_date(world):
    r = world.client_for("manager").post(
        url("campaign_create", world), form_data(end_date="2026-02-01")
    )
    assert r.status_code == 200
    assert r.context["form"].errors["end_date"] == ["The end date comes before the start date."]
    assert not Campaign.objects.exists() and not Query.objects.exists()


def test_an_unknown_currency_is_shown_on_the_currency(world):
    r = world.client_for("manager").post(url("campaign_create", world), form_data(currency="ABC"))
    assert "ISO 4217" in r.context["form"].errors["currency"][0]
    assert not Campaign.objects.exists()


def test_a_manager_edits_and_archives_a_campaign(world, campaign):
    client = world.client_for("manager")
    r = client.get(url("campaign_update", world, pk=campaign.pk))
    assert r.status_code == 200 and b"Winter launch" in r.content
    client.post(
        url("campaign_update", world, pk=campaign.pk),
        form_data(name="Winter relaunch", create_hashtag_query=""),
    )
    campaign.refresh_from_db()
    assert campaign.name == "Winter relaunch"
    client.post(url("campaign_archive", world, pk=campaign.pk))
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.ARCHIVED


def test_the_detail_page_has_an_empty_state_without_kpis(world, campaign):
    r = world.client_for("client").get(campaign.get_absolute_url())
    assert r.status_code == 200
    assert b"No goals yet" in r.content
    assert b"Before, during and after" in r.content
    assert url("kpi_create", world, pk=campaign.pk).encode() not in r.content


def test_the_detail_page_shows_each_kpi_against_its_plan(world, heard):
    c = heard.campaign
    services.kpi_create(actor=None, campaign=c, metric="mentions", target=Decimal(20))
    services.kpi_create(actor=None, campaign=c, metric="net_sentiment", target=Decimal(40))
    services.kpi_create(actor=None, campaign=c, metric="clicks", target=Decimal(100))
    client = world.client_for("manager")
    client.get(c.get_absolute_url())  # measures and stores the baselines
    # session, user, two-factor requirement, brand, agency admin?, brand role; the
    # campaign, its channels, queries and KPIs; the brand's queries, the rollups, the
    # team's figures (for the KPIs, then the list); the layout's brand switcher
    # (brands, agencies) and alerts bell; the calendar's and the reviews' sections;
    # the influencer collaborations' section (campaigns.extensions)
    with CaptureQueriesContext(connection) as three_kpis:
        r = client.get(c.get_absolute_url())
    assert len(three_kpis) <= 20
    assert r.status_code == 200
    body = r.content.decode()
    assert "Mentions" in body and "Net sentiment" in body
    assert "On track" in body  # the pacing says it in words, not only in colour
    assert "No data yet" in body  # no clicks entered
    assert 'id="kpi-chart-' in body and "campaign-charts" in body
    assert "Show as table" in body
    # More listening KPIs read nothing more: one rollup read serves them all.
    for metric in ("reach", "engagement", "share_of_voice", "positive_share"):
        services.kpi_create(actor=None, campaign=c, metric=metric, target=Decimal(50))
    client.get(c.get_absolute_url())
    with CaptureQueriesContext(connection) as seven_kpis:
        client.get(c.get_absolute_url())
    assert len(seven_kpis) == len(three_kpis)


def test_a_manager_adds_a_kpi_and_a_wrong_target_is_explained(world, campaign):
    client = world.client_for("manager")
    r = client.post(
        url("kpi_create", world, pk=campaign.pk),
        {"metric": "positive_share", "target_kind": "absolute", "target": "120", "plan": "linear"},
    )
    assert r.status_code == 200
    assert "cannot be above 100" in r.context["form"].errors["target"][0]
    r = client.post(
        url("kpi_create", world, pk=campaign.pk),
        {"metric": "positive_share", "target_kind": "absolute", "target": "60", "plan": "front"},
    )
    assert r.status_code == 302
    kpi = Kpi.objects.get()
    assert kpi.plan == "front" and kpi.direction == "up"
    r = client.post(
        url("kpi_update", world, pk=kpi.pk),
        {"metric": "positive_share", "target_kind": "absolute", "target": "70", "plan": "linear"},
    )
    kpi.refresh_from_db()
    assert kpi.target == 70
    client.post(url("kpi_delete", world, pk=kpi.pk))
    assert not Kpi.objects.exists()


def test_a_manager_enters_a_team_figure(world, campaign):
    client = world.client_for("manager")
    r = client.post(
        url("kpientry_create", world, pk=campaign.pk),
        {"metric": "clicks", "date": "2026-01-03", "value": "42", "note": "from the ad console"},
    )
    assert r.status_code == 302
    entry = KpiEntry.objects.get()
    assert entry.value == 42 and entry.entered_by == world.users["manager"]
    r = client.get(campaign.get_absolute_url())
    assert b"from the ad console" in r.content
    r = client.post(
        url("kpientry_create", world, pk=campaign.pk),
        {"metric": "clicks", "date": "2999-01-01", "value": "1"},
    )
    assert r.status_code == 200 and "future" in r.context["form"].errors["date"][0]
    client.post(url("kpientry_delete", world, pk=entry.pk))
    assert not KpiEntry.objects.exists()


def test_an_analyst_cannot_plan_or_enter_figures(world, campaign):
    client = world.client_for("analyst")
    assert client.get(campaign.get_absolute_url()).status_code == 200
    assert client.post(url("campaign_create", world), form_data()).status_code == 403
    r = client.post(
        url("kpientry_create", world, pk=campaign.pk),
        {"metric": "clicks", "date": "2026-01-03", "value": "42"},
    )
    assert r.status_code == 403
    assert not KpiEntry.objects.exists()
