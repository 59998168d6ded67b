import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

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
    # term totals and per-term counts.
    assert counts[0] == counts[1], counts


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
