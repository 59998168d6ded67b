"""Exporting the mention stream as CSV and XLSX, as an analyst downloading it sees it."""

from __future__ import annotations

import csv
import io
import math

import openpyxl
import pytest
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from listening import services
from listening.models import Mention
from listening.reports import selectors
from tests.reports.conftest import hear, post

pytestmark = pytest.mark.django_db

ROLES = ("admin", "manager", "analyst", "client")


def url(name: str, brand) -> str:
    return reverse(name, kwargs={"brand_slug": brand.slug})


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(body[1:])))


def as_dicts(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def xlsx_rows(response) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(book["Mentions"].iter_rows(values_only=True))


@pytest.fixture
def mentions(world, queries):
    """Five mentions of the brand: two positive, two negative, one in German on Mastodon,
    one ten days old; the brand's clock is in Paris."""
    world.brand.timezone = "Europe/Paris"
    world.brand.save(update_fields=["timezone"])
    hear(
        world,
        [
            post(1, "acme headphones, love it", hours_ago=1),
            post(2, "acme app broke again", hours_ago=2),
            post(3, "my acme order broke again", hours_ago=3),
            post(4, "#acme love it", platform="mastodon", lang="de", hours_ago=4),
            post(5, "acme support love it", hours_ago=24 * 10),
        ],
    )
    return list(Mention.objects.filter(brand=world.brand).order_by("-published_at"))


def test_it_exports_the_stream_as_csv_with_the_columns_an_analyst_expects(world, mentions):
    services.mention_set_sentiment(
        actor=world.users["analyst"], mention=mentions[1], sentiment="neutral"
    )
    response = world.client_for("analyst").get(url("reports:mentions_csv", world.brand))

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="acme-test-mentions-')
    rows = csv_rows(response)
    assert rows[0] == [
        "Published (Europe/Paris)",
        "Platform",
        "Author handle",
        "Author name",
        "Author followers",
        "Text",
        "URL",
        "Language",
        "Sentiment",
        "Sentiment corrected",
        "Sentiment score",
        "Reach",
        "Likes",
        "Shares",
        "Replies",
        "Matched queries",
        "Ingested (Europe/Paris)",
    ]
    records = as_dicts(rows)
    assert [r["Text"] for r in records] == [m.post.text for m in mentions]
    first = records[0]
    published = mentions[0].published_at.astimezone(selectors.brand_zone(world.brand))
    assert first["Published (Europe/Paris)"] == published.strftime("%Y-%m-%d %H:%M:%S")
    assert first["Platform"] == "Reddit"
    assert (first["Author handle"], first["Author name"], first["Author followers"]) == (
        "person1",
        "Person 1",
        "1001",
    )
    assert first["URL"] == "https://example.com/p/1"
    assert (first["Language"], first["Sentiment"], first["Sentiment corrected"]) == (
        "en",
        "positive",
        "no",
    )
    assert (first["Reach"], first["Likes"], first["Shares"], first["Replies"]) == (
        "100",
        "1",
        "2",
        "3",
    )
    assert first["Matched queries"] == "Acme brand; Headphones"
    assert records[1]["Sentiment"] == "neutral"
    assert records[1]["Sentiment corrected"] == "yes"
    assert records[3]["Platform"] == "Mastodon"
    assert records[3]["Language"] == "de"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sentiment": "negative"},
        {"platform": "mastodon"},
        {"lang": "DE"},
        {"q": "order"},
        {"days": "7"},
        {"days": "30", "sentiment": "positive", "platform": "reddit"},
        {"sentiment": "furious"},  # unknown: ignored, as on the page
        {"start": "2020-02-01", "end": "2020-01-01"},  # end before start: ignored
    ],
    ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "no filters",
)
def test_it_exports_exactly_what_the_stream_shows(world, mentions, params):
    client = world.client_for("client")
    page = client.get(
        reverse("listening:mention_list", kwargs={"brand_slug": world.brand.slug}), params
    )
    shown = [m.post.text for m in page.context["mentions"]]

    exported = as_dicts(csv_rows(client.get(url("reports:mentions_csv", world.brand), params)))

    assert [r["Text"] for r in exported] == shown


def test_it_exports_one_query_only(world, mentions, queries):
    _, headphones = queries
    response = world.client_for("analyst").get(
        url("reports:mentions_csv", world.brand), {"query": headphones.pk}
    )
    assert [r["Text"] for r in as_dicts(csv_rows(response))] == ["acme headphones, love it"]


def test_it_never_exports_another_brands_query_or_mentions(world, mentions, queries):
    foreign = services.query_create(
        actor=world.foreign_admin, brand=world.foreign_brand, name="Theirs", expression="acme"
    )
    hear(world, [post(9, "acme from elsewhere")])  # heard by our brand only
    response = world.client_for("analyst").get(
        url("reports:mentions_csv", world.brand), {"query": foreign.pk}
    )
    texts = [r["Text"] for r in as_dicts(csv_rows(response))]
    # The foreign query is not one of ours: ignored, like any unknown filter value.
    assert len(texts) == 6
    assert not Mention.objects.filter(brand=world.foreign_brand).exists()


def test_it_neutralizes_formulas_in_csv_and_xlsx(world, queries):
    hear(
        world,
        [
            post(
                1,
                '=HYPERLINK("http://evil.example","acme")',
                author_handle="+cmd",
                author_name="@SUM(1+1)",
            ),
            post(2, "-2+3 acme", hours_ago=2, author_name="\tacme"),
            post(3, "acme is fine = good", hours_ago=3),
        ],
    )
    client = world.client_for("analyst")

    records = as_dicts(csv_rows(client.get(url("reports:mentions_csv", world.brand))))
    assert records[0]["Text"] == '\'=HYPERLINK("http://evil.example","acme")'
    assert records[0]["Author handle"] == "'+cmd"
    assert records[0]["Author name"] == "'@SUM(1+1)"
    assert records[1]["Text"] == "'-2+3 acme"
    assert records[1]["Author name"] == "'\tacme"
    assert records[2]["Text"] == "acme is fine = good"

    rows = xlsx_rows(client.get(url("reports:mentions_xlsx", world.brand)))
    assert rows[1][5] == '\'=HYPERLINK("http://evil.example","acme")'
    assert rows[1][2] == "'+cmd"
    assert rows[2][5] == "'-2+3 acme"
    book = openpyxl.load_workbook(
        io.BytesIO(
            b"".join(client.get(url("reports:mentions_xlsx", world.brand)).streaming_content)
        )
    )
    # Stored as text, not as a formula.
    assert book["Mentions"]["F2"].data_type == "s"


def test_the_xlsx_export_opens_and_holds_the_rows(world, mentions):
    response = world.client_for("client").get(
        url("reports:mentions_xlsx", world.brand), {"sentiment": "positive"}
    )

    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith('attachment; filename="acme-test-mentions-')
    rows = xlsx_rows(response)
    assert rows[0][0] == "Published (Europe/Paris)"
    assert [r[5] for r in rows[1:]] == [
        "acme headphones, love it",
        "#acme love it",
        "acme support love it",
    ]
    first = rows[1]
    local = mentions[0].published_at.astimezone(selectors.brand_zone(world.brand))
    assert first[0] == local.replace(tzinfo=None, microsecond=0)  # a real date cell
    assert (first[4], first[11], first[12]) == (1001, 100, 1)  # numbers stay numbers
    assert first[15] == "Acme brand; Headphones"


def test_an_empty_export_still_has_its_header(world, queries):
    client = world.client_for("client")
    assert len(csv_rows(client.get(url("reports:mentions_csv", world.brand)))) == 1
    assert len(xlsx_rows(client.get(url("reports:mentions_xlsx", world.brand)))) == 1


@pytest.mark.parametrize("name", ["reports:mentions_csv", "reports:mentions_xlsx"])
def test_every_role_can_export(world, mentions, name):
    for role in ROLES:
        assert world.client_for(role).get(url(name, world.brand)).status_code == 200, role


@pytest.mark.parametrize("name", ["reports:mentions_csv", "reports:mentions_xlsx"])
def test_it_checks_ownership_of_the_export(world, mentions, name):
    assert world.client_for("analyst").get(url(name, world.foreign_brand)).status_code == 404
    assert world.client_for("manager").get(url(name, world.sibling)).status_code == 404
    assert world.client_for(world.outsider).get(url(name, world.brand)).status_code == 404
    from django.test import Client

    anonymous = Client().get(url(name, world.brand))
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]


def _consume_counting_queries(response) -> tuple[int, int]:
    """(pieces of content, SQL queries) while the body is read, as a server sends it."""
    with CaptureQueriesContext(connection) as queries:
        pieces = [piece for piece in response.streaming_content if piece]
    return len(pieces), len(queries)


def test_the_csv_streams_chunk_by_chunk_and_queries_grow_with_chunks_not_rows(
    world, queries, monkeypatch
):
    monkeypatch.setattr(selectors, "EXPORT_CHUNK_SIZE", 2)
    client = world.client_for("analyst")
    results = {}
    for total in (5, 9):
        hear(world, [post(n, f"acme number {n}", hours_ago=n) for n in range(1, total + 1)])
        response = client.get(url("reports:mentions_csv", world.brand))
        assert response.streaming
        results[total] = _consume_counting_queries(response)

    for total, (pieces, count) in results.items():
        chunks = math.ceil(total / 2)
        # The header, then one piece per chunk of 2 rows: nothing waits for the last row.
        assert pieces == 1 + chunks
        # One query streams the rows; one per chunk fetches the matched queries' names.
        assert count == 1 + chunks

    # With chunks as large as the export, the count no longer depends on the rows.
    monkeypatch.setattr(selectors, "EXPORT_CHUNK_SIZE", 100)
    assert _consume_counting_queries(client.get(url("reports:mentions_csv", world.brand))) == (
        2,
        2,
    )


def test_the_stream_page_links_to_the_exports_with_its_filters(world, mentions):
    response = world.client_for("client").get(
        reverse("listening:mention_list", kwargs={"brand_slug": world.brand.slug}),
        {"sentiment": "negative", "page": "1"},
    )
    html = response.content.decode()
    assert f'href="{url("reports:mentions_csv", world.brand)}?sentiment=negative"' in html
    assert f'href="{url("reports:mentions_xlsx", world.brand)}?sentiment=negative"' in html
    assert f'href="{url("reports:digest_settings", world.brand)}"' in html
