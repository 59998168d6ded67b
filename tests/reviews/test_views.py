"""Review pages: writing a review with its decisions through the form, reading it back,
who may do what, and foreign brands."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaigns.models import Review
from campaigns.reviews import services
from listening import services as listening_services
from tests.reviews.conftest import plan_campaign, publish

pytestmark = pytest.mark.django_db


def _url(name, brand, pk):
    return reverse(f"reviews:{name}", kwargs={"brand_slug": brand.slug, "pk": pk})


def _form(**extra):
    """A review form's POST: the review, then the decisions formset (3 blank rows)."""
    data = {
        "date": "2026-02-01",
        "summary": "Ahead of plan.",
        "answer_listening": "Mastodon and the hashtag query.",
        "answer_goals": "Clicks from the ad report.",
        "decisions-TOTAL_FORMS": "3",
        "decisions-INITIAL_FORMS": "0",
        "decisions-MIN_NUM_FORMS": "0",
        "decisions-MAX_NUM_FORMS": "50",
    }
    data.update(extra)
    return data


def test_a_manager_writes_a_review_with_decisions_and_the_snapshot_is_attached(world, planned):
    post = publish(world, planned.campaign, planned.mastodon, "Tips for better sound")
    query = planned.campaign.queries.get()
    client = world.client_for("manager")

    response = client.post(
        _url("review_create", world.brand, planned.campaign.pk),
        _form(
            **{
                "decisions-0-verdict": "keep",
                "decisions-0-subject": "Tips posts",
                "decisions-0-posts": [str(post.pk)],
                "decisions-1-verdict": "change",
                "decisions-1-subject": "Hashtag query",
                "decisions-1-query": str(query.pk),
                "decisions-1-links": "Festival | https://fest.example/\nhttps://brief.example/b",
            }
        ),
    )

    review = Review.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("review_detail", world.brand, review.pk)
    assert review.answers == {
        "listening": "Mastodon and the hashtag query.",
        "goals": "Clicks from the ad report.",
    }
    assert {k["metric"] for k in review.kpi_snapshot} == {"mentions", "clicks"}
    keep, change = review.decisions.all()
    assert list(keep.posts.all()) == [post]
    assert change.query == query
    assert change.links == [
        {"label": "Festival", "url": "https://fest.example/"},
        {"label": "https://brief.example/b", "url": "https://brief.example/b"},
    ]

    page = client.get(_url("review_detail", world.brand, review.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mastodon and the hashtag query." in html
    assert "Tips posts" in html and "Hashtag query" in html
    assert 'href="https://fest.example/"' in html
    assert "Clicks" in html and "1,000" in html  # the snapshot's target


def test_a_bad_link_is_shown_on_its_field_and_nothing_is_saved(world, planned):
    response = world.client_for("manager").post(
        _url("review_create", world.brand, planned.campaign.pk),
        _form(
            **{
                "decisions-0-verdict": "change",
                "decisions-0-subject": "Brief",
                "decisions-0-links": "Brief | javascript:alert(1)",
            }
        ),
    )

    assert response.status_code == 400
    assert "is not an http:// or https:// URL" in response.content.decode()
    assert not Review.objects.exists()


def test_a_query_of_another_brand_is_not_a_choice(world, planned):
    foreign = listening_services.query_create(
        actor=world.foreign_admin, brand=world.foreign_brand, name="Theirs", expression="theirs"
    )

    response = world.client_for("manager").post(
        _url("review_create", world.brand, planned.campaign.pk),
        _form(
            **{
                "decisions-0-verdict": "change",
                "decisions-0-subject": "Query",
                "decisions-0-query": str(foreign.pk),
            }
        ),
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Review.objects.exists()


def test_editing_removes_a_decision_and_keeps_the_snapshot(world, planned):
    review = services.review_create(
        actor=world.users["manager"],
        campaign=planned.campaign,
        decisions=[{"verdict": "keep", "subject": "Tips"}, {"verdict": "stop", "subject": "Ads"}],
    )
    keep, stop = review.decisions.all()
    snapshot = review.kpi_snapshot

    response = world.client_for("manager").post(
        _url("review_update", world.brand, review.pk),
        _form(
            **{
                "decisions-TOTAL_FORMS": "5",
                "decisions-INITIAL_FORMS": "2",
                "decisions-0-id": str(keep.pk),
                "decisions-0-verdict": "keep",
                "decisions-0-subject": "Tips, weekly",
                "decisions-1-id": str(stop.pk),
                "decisions-1-verdict": "stop",
                "decisions-1-subject": "Ads",
                "decisions-1-DELETE": "on",
            }
        ),
    )

    assert response.status_code == 302
    review.refresh_from_db()
    assert [d.subject for d in review.decisions.all()] == ["Tips, weekly"]
    assert review.kpi_snapshot == snapshot


def test_the_new_review_page_prefills_hints_from_the_data(world, planned):
    response = world.client_for("manager").get(
        _url("review_create", world.brand, planned.campaign.pk)
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Where are we listening?" in html
    assert "From the data: Campaign queries: Campaign: Sound month" in html


def test_an_analyst_reads_reviews_but_cannot_write_one(world, planned):
    review = services.review_create(actor=world.users["manager"], campaign=planned.campaign)
    analyst = world.client_for("analyst")

    assert analyst.get(_url("review_list", world.brand, planned.campaign.pk)).status_code == 200
    assert analyst.get(_url("review_detail", world.brand, review.pk)).status_code == 200
    create = _url("review_create", world.brand, planned.campaign.pk)
    assert analyst.get(create).status_code == 403
    assert analyst.post(create, _form()).status_code == 403
    assert (
        not analyst.get(_url("review_list", world.brand, planned.campaign.pk))
        .context["caps"]
        .issuperset({"campaigns.manage"})
    )


def test_it_checks_ownership(world, planned):
    theirs = plan_campaign(world, name="Foreign push", brand=world.foreign_brand, kpis=False)
    review = services.review_create(actor=world.foreign_admin, campaign=theirs.campaign)
    client = world.client_for("manager")

    # Our brand's URL with their objects, and their brand's URL: both not found.
    assert client.get(_url("review_detail", world.brand, review.pk)).status_code == 404
    assert client.get(_url("review_list", world.brand, theirs.campaign.pk)).status_code == 404
    assert (
        client.get(_url("review_list", world.foreign_brand, theirs.campaign.pk)).status_code == 404
    )


def test_the_review_list_shows_each_review_with_its_decisions(world, planned):
    for n in range(3):
        services.review_create(
            actor=world.users["manager"],
            campaign=planned.campaign,
            summary=f"Review number {n}",
            decisions=[{"verdict": "keep", "subject": f"Decision {n}"}],
        )
    client = world.client_for("client")

    response = client.get(_url("review_list", world.brand, planned.campaign.pk))

    html = response.content.decode()
    assert all(f"Decision {n}" in html for n in range(3))
    assert "New review" not in html  # a client reads, never writes


def test_the_review_list_says_when_there_are_none(world, planned):
    response = world.client_for("manager").get(
        _url("review_list", world.brand, planned.campaign.pk)
    )

    assert "No reviews yet" in response.content.decode()
    assert "Start the first review" in response.content.decode()


def test_the_campaign_page_shows_the_latest_reviews_and_links_to_the_timeline(world, planned):
    services.review_create(
        actor=world.users["manager"], campaign=planned.campaign, summary="Tips work best."
    )

    response = world.client_for("manager").get(planned.campaign.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "Tips work best." in html
    assert _url("campaign_timeline", world.brand, planned.campaign.pk) in html
    assert _url("campaign_report", world.brand, planned.campaign.pk) in html
    assert _url("review_create", world.brand, planned.campaign.pk) in html
