import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from listening.inbox import services as inbox_services
from listening.inbox.models import InboxItem
from listening.insights import selectors
from tests.insights.conftest import END, START, build

PERIOD = {"start": START.isoformat(), "end": END.isoformat()}


def url(brand, name="dashboard"):
    return reverse(f"insights:{name}", kwargs={"brand_slug": brand.slug})


@pytest.mark.parametrize("role", ["admin", "manager", "analyst", "client"])
def test_every_role_sees_the_dashboard(world, acme, role):
    response = world.client_for(role).get(url(acme.brand), PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="chart-volume"' in html and "Show as table" in html
    assert "#acmecap" in html  # the planted emerging term
    assert "81.8" in html  # share of voice


def _change_of(html: str, label: str) -> tuple[str, str]:
    """The class and text of a headline figure's change against the previous period."""
    found = re.search(
        rf'<span class="stat-label">{label}</span><span class="stat-change([^"]*)"[^>]*>([^<]*)<',
        html,
    )
    assert found, f"no figure labelled {label!r}"
    return found.group(1).strip(), found.group(2)


def test_a_change_is_coloured_by_what_it_means_not_by_its_sign(world, acme):
    html = world.client_for("analyst").get(url(acme.brand), PERIOD).content.decode()

    # More mentions than the ten days before: good news, shown as better.
    kind, text = _change_of(html, "mentions")
    assert (kind, text.startswith("+")) == ("better", True)
    # Fewer negative mentions per positive one: a fall, and good news too.
    kind, text = _change_of(html, "negative-to-positive ratio")
    assert (kind, text.startswith("-")) == ("better", True)


def test_another_brands_dashboard_is_not_found(world, acme):
    client = world.client_for("client")
    assert client.get(url(world.foreign_brand)).status_code == 404
    assert client.get(url(world.foreign_brand, "report")).status_code == 404


def test_the_sidebar_links_to_the_dashboard(world, acme):
    html = world.client_for("analyst").get(url(acme.brand), PERIOD).content.decode()
    assert f'href="{url(acme.brand)}" aria-current="page">Dashboard' in html


def test_it_says_so_when_a_brand_has_heard_nothing(world):
    response = world.client_for("admin").get(url(world.sibling))
    assert response.status_code == 200
    assert "Nothing to chart yet" in response.content.decode()


def test_drill_down_links_open_the_filtered_mention_stream(world, acme):
    html = world.client_for("analyst").get(url(acme.brand), PERIOD).content.decode()
    stream = reverse("listening:mention_list", kwargs={"brand_slug": acme.brand.slug})
    assert f"{stream}?days=&amp;start=2026-01-01&amp;end=2026-01-10&amp;platform=bluesky" in html
    assert f"{stream}?days=&amp;start=2026-01-01&amp;end=2026-01-10&amp;sentiment=negative" in html
    response = world.client_for("analyst").get(
        stream, {"days": "", "start": "2026-01-01", "end": "2026-01-10", "platform": "bluesky"}
    )
    assert response.content.decode().count('class="mention ') == 2


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2016-01-01", "end": "2026-01-01"}, "at most 366 days"),
        ({"start": "2026-01-10", "end": "2026-01-01"}, "The end comes before the start"),
        ({"platform": "myspace"}, "not a platform we listen to"),
        ({"lang": "klingon"}, "not a language code"),
        ({"sentiment": "angry"}, "Choose negative, neutral or positive"),
        ({"query": "999999"}, "not one of this brand&#x27;s queries"),
        ({"query": "abc"}, "not one of this brand&#x27;s queries"),
        ({"start": "yesterday"}, "Enter a valid date"),
        ({"days": "10000"}, "Select a valid choice"),
    ],
)
def test_bad_filters_get_a_message_not_an_error(world, acme, params, message):
    response = world.client_for("analyst").get(url(acme.brand), params)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_deleted_query_in_the_filters_gets_a_message(world, acme):
    pk = acme.queries["Globex"].pk
    acme.queries["Globex"].delete()
    response = world.client_for("analyst").get(url(acme.brand), {**PERIOD, "query": pk})
    assert response.status_code == 200
    assert "deleted?" in response.content.decode()


def test_the_page_runs_as_many_queries_on_a_large_fixture_as_on_a_small_one(world, committed):
    small = build(world, committed, brand=world.brand, prefix="s")
    large = build(world, committed, brand=world.sibling, copies=20, prefix="l")
    client = world.client_for("admin")
    counts = []
    for fx in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(fx.brand), PERIOD).status_code == 200
        counts.append(len(ctx.captured_queries))
    # The layout's (session, user, brand, role, sidebar counters) plus the dashboard's:
    # the brand's queries, day cells, platform/language split, the author sketches
    # (unique authors), the shortlisted candidates and their figures (top authors),
    # term totals and per-term counts (15); then the inbox widget's four: the brand's
    # inbox settings (SLA), the period's answered items (median), the period's counts
    # (SLA misses) and the open backlog by age.
    assert counts == [19, 19], counts


def test_it_exports_a_chart_table_as_csv(world, acme):
    response = world.client_for("client").get(
        url(acme.brand, "export"), {**PERIOD, "table": "share_of_voice", "fmt": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["name", "share_pct", "previous_share_pct", "mentions", "previous_mentions"]
    assert rows[1] == ["Acme Test", "81.8", "60.0", "18", "6"]
    assert rows[2] == ["Globex", "18.2", "40.0", "4", "4"]


def test_it_exports_every_table_as_one_workbook(world, acme):
    response = world.client_for("client").get(url(acme.brand, "export"), {**PERIOD, "fmt": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert "emerging_terms" in workbook.sheetnames
    sheet = workbook["emerging_terms"]
    assert [c.value for c in sheet[2]][:3] == ["#acmecap", 8, 0]


def test_an_unknown_export_table_is_not_found(world, acme):
    client = world.client_for("client")
    assert client.get(url(acme.brand, "export"), {"table": "nope"}).status_code == 404
    assert client.get(url(acme.brand, "export"), {"fmt": "pdf"}).status_code == 404


def test_the_printable_report_has_the_figures(world, acme):
    response = world.client_for("client").get(url(acme.brand, "report"), PERIOD)
    html = response.content.decode()
    assert response.status_code == 200
    assert "listening report" in html and "Print or save as PDF" in html
    assert "#acmecap" in html


def test_language_codes_are_case_insensitive(world, acme):
    response = world.client_for("analyst").get(url(acme.brand), {**PERIOD, "lang": "DE"})
    assert response.status_code == 200
    assert response.context["board"].summary["mentions"].value == 2


@pytest.mark.parametrize(
    ("params", "bucket"),
    [
        ({"start": "2026-01-02", "end": "2026-01-03"}, "by hour"),
        ({"start": "2025-09-01", "end": "2026-01-10"}, "by week"),
        ({"days": "7"}, "by day"),
    ],
)
def test_the_page_charts_hours_days_or_weeks(world, acme, params, bucket):
    response = world.client_for("client").get(url(acme.brand), params)
    assert response.status_code == 200
    assert bucket in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-01-05", "end": "2026-01-05"},
        {"start": "2026-01-02", "end": "2026-01-04", "platform": "bluesky"},
        {"start": "2030-01-01", "end": "2030-02-01"},
        {"start": "2026-01-01"},
        {"end": "2026-01-10"},
        {"start": "2025-02-01", "end": "2026-01-10", "sentiment": ["negative", "neutral"]},
        {"start": "2026-01-02", "end": "2026-01-03", "lang": "de", "sentiment": "positive"},
        {"days": "90", "platform": ["rss", "api"]},
    ],
)
def test_odd_but_valid_inputs_render_everywhere(world, acme, params):
    client = world.client_for("client")
    params = dict(params)
    if "start" in params or "end" in params:
        params["days"] = ""
    assert client.get(url(acme.brand), params).status_code == 200
    assert client.get(url(acme.brand, "report"), params).status_code == 200
    xlsx = client.get(url(acme.brand, "export"), {**params, "fmt": "xlsx"})
    assert xlsx.status_code == 200
    api = client.get(f"/api/brands/{acme.brand.slug}/dashboard/", params)
    assert api.status_code == 200, api.content


def _answer(item, minutes, actor):
    inbox_services.item_reply(
        actor=actor, item=item, text="Thanks!", at=item.published_at + timedelta(minutes=minutes)
    )


def test_it_shows_the_inbox_metrics_of_the_period_with_a_link_to_the_inbox(world, acme):
    analyst = world.users["analyst"]
    items = list(InboxItem.objects.filter(brand=acme.brand).order_by("published_at", "id"))
    in_period = [i for i in items if i.published_at.date() >= START]
    assert len(in_period) == 21 and len(items) == 27
    _answer(in_period[0], 30, analyst)
    _answer(in_period[1], 90, analyst)
    _answer(items[0], 10, analyst)  # the previous period: not in this period's figures

    response = world.client_for("client").get(url(acme.brand), PERIOD)
    html = response.content.decode()
    assert 'id="inbox-metrics"' in html
    metrics = response.context["board"].inbox
    # Two answers of the period in 30 and 90 minutes; the 19 others are open, past the
    # 4-hour SLA: missed.
    assert (metrics.items, metrics.responded) == (21, 2)
    assert metrics.median_display == "1 h"
    assert (metrics.within_sla, metrics.missed_sla) == (2, 19)
    assert metrics.sla_percent == "10%"
    assert metrics.open_items == 24  # the backlog now, whatever the period
    assert {b.key: b.count for b in metrics.backlog}["gt_7d"] == 24
    inbox = reverse("inbox:item_list", kwargs={"brand_slug": acme.brand.slug})
    link = f"{inbox}?start=2026-01-01&amp;end=2026-01-10&amp;status=all"
    assert f'href="{link}"' in html
    # The inbox page, opened from the link, shows the same figures.
    page = world.client_for("client").get(link.replace("&amp;", "&"))
    assert page.context["metrics"].median_display == "1 h"
    assert page.context["metrics"].sla_percent == "10%"


def test_the_inbox_widget_shows_on_an_empty_dashboard_too(world, acme):
    response = world.client_for("analyst").get(url(acme.brand), {"start": "2030-01-01"})
    html = response.content.decode()
    assert "Nothing to chart yet" in html
    assert 'id="inbox-metrics"' in html
    assert response.context["board"].inbox.open_items == 27


def test_the_workbook_has_the_inbox_table(world, acme):
    response = world.client_for("client").get(
        url(acme.brand, "export"), {**PERIOD, "table": "inbox", "fmt": "csv"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["figure", "value"]
    assert ["items", "21"] in rows and ["open_now", "27"] in rows


@pytest.mark.parametrize(("zone", "today"), [("Asia/Tokyo", "2026-01-11"), ("UTC", "2026-01-10")])
def test_today_is_the_brands_own_date(world, acme, monkeypatch, zone, today):
    acme.brand.timezone = zone
    acme.brand.save(update_fields=["timezone"])
    # 23:30 UTC on 10 January: already 08:30 on the 11th in Tokyo.
    monkeypatch.setattr(selectors, "_now", lambda: datetime(2026, 1, 10, 23, 30, tzinfo=UTC))
    client = world.client_for("analyst")

    response = client.get(url(acme.brand), {"days": "7"})
    assert response.context["board"].period.end.isoformat() == today
    assert f'data-today="{today}"' in response.content.decode()
    api = client.get(f"/api/brands/{acme.brand.slug}/dashboard/summary/", {"days": "7"})
    assert api.json()["period"]["end"] == today
