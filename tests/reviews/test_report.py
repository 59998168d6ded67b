"""The campaign report: renders for an empty campaign and a full one (KPIs, listening
before and during, best and worst posts, "not yet heard", reviews and decisions), and
exports its tables as CSV and XLSX."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from campaigns.reviews import services
from tests.reviews.conftest import days_ago, hear, mention_post, plan_campaign, publish

pytestmark = pytest.mark.django_db


def _url(brand, campaign, query: str = "") -> str:
    url = reverse("reviews:campaign_report", kwargs={"brand_slug": brand.slug, "pk": campaign.pk})
    return f"{url}?{query}" if query else url


@pytest.fixture
def full(world, planned):
    """Three published posts heard with different engagement, one not heard yet,
    mentions of the hashtag before and during the campaign, and a review."""
    campaign = planned.campaign
    posts = {
        name: publish(world, campaign, planned.mastodon, f"{name} post #soundmonth", days_ago=d)
        for name, d in (("Tips", 8), ("Giveaway", 6), ("Festival", 4), ("Quiet", 2))
    }
    heard = [
        mention_post(p.text, at=p.published_at, url=p.published_url, likes=likes, shares=1)
        for p, likes in ((posts["Tips"], 90), (posts["Giveaway"], 3), (posts["Festival"], 40))
    ]
    heard += [mention_post("Loving #soundmonth", at=days_ago(20)) for _ in range(2)]
    heard += [mention_post("Back at #soundmonth", at=days_ago(5)) for _ in range(3)]
    hear(world.brand, heard)
    services.review_create(
        actor=world.users["manager"],
        campaign=campaign,
        summary="Tips work, giveaways do not.",
        decisions=[
            {"verdict": "keep", "subject": "=Tips posts", "posts": [posts["Tips"]]},
            {
                "verdict": "stop",
                "subject": "Giveaways",
                "note": "Few clicks.",
                "links": [{"label": "Brief", "url": "https://brief.example/"}],
            },
        ],
    )
    return campaign, posts


def test_it_renders_for_a_campaign_with_nothing_yet(world):
    empty = plan_campaign(world, name="Quiet one", kpis=False)

    response = world.client_for("client").get(_url(world.brand, empty.campaign))

    html = response.content.decode()
    assert response.status_code == 200
    assert "print-report" in html
    assert "No KPIs set for this campaign." in html
    assert "No post of this campaign has been published yet." in html
    assert "No reviews yet." in html
    assert "Influencer collaborations" in html and "None yet." in html


def test_it_renders_a_full_campaign(world, full):
    campaign, posts = full

    response = world.client_for("analyst").get(_url(world.brand, campaign))

    html = response.content.decode()
    report = response.context["report"]
    assert response.status_code == 200
    assert [p.text for p in report.ranking.best] == [
        "Tips post #soundmonth",
        "Festival post #soundmonth",
    ]
    assert [p.text for p in report.ranking.worst] == ["Giveaway post #soundmonth"]
    assert [p.text for p in report.ranking.unheard] == ["Quiet post #soundmonth"]
    assert "not yet heard" in html
    assert report.ranking.best[0].engagement == 91  # 90 likes + 1 share
    mentions = next(r for r in report.listening_rows() if r["label"] == "Mentions")
    assert mentions["before"] == 2
    assert mentions["during"] == 6  # three fans and the three heard posts
    assert mentions["change"] == 200.0
    assert "Tips work, giveaways do not." in html
    assert "Giveaways" in html and "Few clicks." in html
    assert "Clicks" in html  # the KPI table


def test_it_exports_its_tables_as_csv(world, full):
    campaign, _ = full
    client = world.client_for("client")

    def table(name):
        response = client.get(_url(world.brand, campaign, f"format=csv&table={name}"))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert f"-{name}-" in response["Content-Disposition"]
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))

    kpis = table("kpis")
    assert kpis[0][:6] == ["KPI", "Unit", "Direction", "Baseline", "Target", "Current"]
    clicks = next(r for r in kpis if r[0] == "Clicks")
    assert clicks[4:6] == ["1000", "120"]

    posts = table("posts")
    assert [r[3] for r in posts[1:]] == [
        "Tips post #soundmonth",
        "Festival post #soundmonth",
        "Giveaway post #soundmonth",
        "Quiet post #soundmonth",
    ]
    assert posts[-1][0] == "" and posts[-1][-1] == "not yet heard"

    listening = table("listening")
    assert listening[0][2].startswith("Before (")
    assert next(r for r in listening if r[0] == "Mentions")[2:4] == ["2", "6"]

    decisions = table("decisions")
    assert [r[2:4] for r in decisions[1:]] == [["Keep", "'=Tips posts"], ["Stop", "Giveaways"]]
    assert decisions[2][7] == "Brief <https://brief.example/>"


def test_it_exports_a_table_as_xlsx(world, full):
    campaign, _ = full

    response = world.client_for("manager").get(
        _url(world.brand, campaign, "format=xlsx&table=posts")
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "Posts"
    assert rows[0][0] == "Rank"
    assert rows[1][0] == 1 and rows[1][3] == "Tips post #soundmonth" and rows[1][-1] == 91
    assert rows[-1][-1] == "not yet heard"


@pytest.mark.parametrize(
    "query", ["format=pdf&table=kpis", "format=csv&table=secrets", "format=csv"]
)
def test_an_unknown_format_or_table_is_a_clear_400(world, planned, query):
    response = world.client_for("manager").get(_url(world.brand, planned.campaign, query))

    assert response.status_code == 400
    assert "choose" in response.content.decode()


def test_a_foreign_campaign_is_not_found(world):
    theirs = plan_campaign(world, name="Foreign push", brand=world.foreign_brand, kpis=False)
    client = world.client_for("admin")

    assert client.get(_url(world.brand, theirs.campaign)).status_code == 404
    assert client.get(_url(world.foreign_brand, theirs.campaign)).status_code == 404
