"""Reviews: the snapshot a review keeps, and decisions that refuse bad links, foreign
queries and other campaigns' posts without saving anything."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from campaigns.models import Review, ReviewDecision
from campaigns.reviews import checklist, services
from listening import services as listening_services
from socialhub.models import AuditEvent
from tests.audit import recorded
from tests.reviews.conftest import enter_clicks, plan_campaign, publish, today

pytestmark = pytest.mark.django_db


def test_it_attaches_the_kpi_snapshot_when_a_review_is_created(world, planned):
    review = services.review_create(
        actor=world.users["manager"],
        campaign=planned.campaign,
        answers={"goals": "Clicks from the ad platform's report.", "strategy": "  "},
        summary="On track.",
    )

    assert review.author == world.users["manager"]
    assert review.date == today()
    assert review.answers == {"goals": "Clicks from the ad platform's report."}
    by_metric = {k["metric"]: k for k in review.kpi_snapshot}
    assert set(by_metric) == {"mentions", "clicks"}
    assert by_metric["clicks"]["current"] == 120
    assert by_metric["clicks"]["target"] == 1000
    assert by_metric["clicks"]["pacing"] in {"on_track", "at_risk", "off_track"}


def test_editing_a_review_keeps_the_snapshot_it_was_saved_with(world, planned):
    review = services.review_create(actor=world.users["manager"], campaign=planned.campaign)
    enter_clicks(world, planned.campaign, days_ago=1, value=500)

    services.review_update(actor=world.users["manager"], review=review, summary="Later.")

    review.refresh_from_db()
    clicks = next(k for k in review.kpi_snapshot if k["metric"] == "clicks")
    assert clicks["current"] == 120  # as it was, not 620
    assert review.summary == "Later."


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://files.example/brief.pdf", "not a url", "https://"],
)
def test_a_link_that_is_not_http_or_https_is_refused_and_nothing_is_saved(world, planned, url):
    with pytest.raises(ValidationError) as exc:
        services.review_create(
            actor=world.users["manager"],
            campaign=planned.campaign,
            decisions=[
                {"verdict": "keep", "subject": "Tips"},
                {"verdict": "change", "subject": "Brief", "links": [{"label": "x", "url": url}]},
            ],
        )

    assert "Decision 2, links" in str(exc.value.message_dict["decisions"])
    assert not Review.objects.exists()
    assert not ReviewDecision.objects.exists()


def test_a_query_of_another_brand_is_refused(world, planned):
    foreign = listening_services.query_create(
        actor=world.foreign_admin, brand=world.foreign_brand, name="Theirs", expression="theirs"
    )

    with pytest.raises(ValidationError) as exc:
        services.review_create(
            actor=world.users["manager"],
            campaign=planned.campaign,
            decisions=[{"verdict": "change", "subject": "Query", "query": foreign}],
        )

    assert "Decision 1, query" in exc.value.message_dict["decisions"][0]
    assert not Review.objects.exists()


def test_posts_of_another_campaign_are_refused(world, planned):
    other = plan_campaign(world, name="Other push", kpis=False)
    post = publish(world, other.campaign, other.mastodon, "Another campaign's post")

    with pytest.raises(ValidationError) as exc:
        services.review_create(
            actor=world.users["manager"],
            campaign=planned.campaign,
            decisions=[{"verdict": "stop", "subject": "That post", "posts": [post]}],
        )

    assert "Decision 1, posts" in exc.value.message_dict["decisions"][0]


def test_an_unknown_checklist_question_is_refused(world, planned):
    with pytest.raises(ValidationError) as exc:
        services.review_create(
            actor=world.users["manager"], campaign=planned.campaign, answers={"mood": "good"}
        )

    assert "mood" in exc.value.message_dict["answers"][0]


def test_decisions_are_changed_in_place_added_and_removed(world, planned):
    post = publish(world, planned.campaign, planned.mastodon, "Tips for better sound")
    review = services.review_create(
        actor=world.users["manager"],
        campaign=planned.campaign,
        decisions=[
            {"verdict": "keep", "subject": "Tips", "posts": [post]},
            {"verdict": "stop", "subject": "Giveaways"},
        ],
    )
    keep, stop = review.decisions.all()

    services.review_update(
        actor=world.users["manager"],
        review=review,
        decisions=[
            {"id": keep.pk, "verdict": "change", "subject": "Tips, twice a week"},
            {"verdict": "keep", "subject": "Q&A", "links": [{"url": "https://x.example/qa"}]},
        ],
    )

    decisions = list(review.decisions.all())
    assert [(d.verdict, d.subject) for d in decisions] == [
        ("change", "Tips, twice a week"),
        ("keep", "Q&A"),
    ]
    assert decisions[0].pk == keep.pk
    assert list(decisions[0].posts.all()) == []
    assert decisions[1].links == [{"label": "https://x.example/qa", "url": "https://x.example/qa"}]
    assert not ReviewDecision.objects.filter(pk=stop.pk).exists()


def test_the_checklist_is_prefilled_with_where_the_brand_listens(world, planned):
    listening_services.source_create(
        actor=world.users["admin"],
        brand=world.brand,
        name="Mastodon #soundmonth",
        kind="mastodon",
        config={"instance": "mastodon.social", "tag": "soundmonth"},
    )

    hints = checklist.prefill(planned.campaign)

    assert "Mastodon #soundmonth" in hints["listening"]
    assert "Campaign: Sound month" in hints["listening"]  # the campaign's hashtag query
    assert "#soundmonth" in hints["conversations"]
    assert "Mentions" in hints["goals"] and "Clicks" in hints["goals"]
    assert "Mastodon" in hints["tools"] and "Bluesky" in hints["tools"]
    assert {q.key for q in checklist.CHECKLIST} >= {
        "listening",
        "conversations",
        "analysis",
        "sharing",
        "benchmarks",
        "goals",
        "communities",
        "strategy",
        "tactics",
        "tools",
        "content",
        "engagement",
    }


# -- audit -------------------------------------------------------------------------------


def test_it_audits_a_completed_review_and_each_decision_it_records(world, planned):
    with recorded() as events:
        review = services.review_create(
            actor=world.users["manager"],
            campaign=planned.campaign,
            decisions=[
                {"verdict": "keep", "subject": "Daily tips"},
                {"verdict": "stop", "subject": "Paid boosts"},
            ],
        )

    assert [(e.action, e.actor, e.brand) for e in events] == [
        (AuditEvent.Action.REVIEW_COMPLETED, world.users["manager"], world.brand),
        (AuditEvent.Action.REVIEW_DECISION_RECORDED, world.users["manager"], world.brand),
        (AuditEvent.Action.REVIEW_DECISION_RECORDED, world.users["manager"], world.brand),
    ]
    assert events[0].detail == {
        "name": review.date.isoformat(),
        "campaign": "Sound month",
        "decisions": 2,
    }
    assert events[0].summary == f"review “{review.date.isoformat()}” on “Sound month” in Acme Test"
    assert events[2].summary == "decision “Paid boosts” on “Sound month” in Acme Test: verdict stop"


def test_editing_a_review_audits_only_the_decisions_that_are_new_or_changed(world, planned):
    review = services.review_create(
        actor=world.users["manager"],
        campaign=planned.campaign,
        decisions=[
            {"verdict": "keep", "subject": "Daily tips"},
            {"verdict": "keep", "subject": "Paid boosts"},
        ],
    )
    tips, boosts = review.decisions.order_by("id")

    with recorded() as events:
        services.review_update(
            actor=world.users["admin"],
            review=review,
            summary="Boosts do not pay.",
            decisions=[
                {"id": tips.pk, "verdict": "keep", "subject": "Daily tips"},
                {"id": boosts.pk, "verdict": "stop", "subject": "Paid boosts"},
            ],
        )

    # The new summary is the review's own row; of the decisions, only the changed one.
    [changed, event] = events
    assert changed.action == AuditEvent.Action.REVIEW_UPDATED
    assert (event.action, event.actor) == (
        AuditEvent.Action.REVIEW_DECISION_RECORDED,
        world.users["admin"],
    )
    assert event.detail["from"] == "keep" and event.detail["to"] == "stop"
    assert event.summary == (
        "decision “Paid boosts” on “Sound month” in Acme Test: verdict keep → stop"
    )


def test_a_refused_review_leaves_no_audit_row(world, planned):
    with recorded() as events, pytest.raises(ValidationError):
        services.review_create(
            actor=world.users["manager"],
            campaign=planned.campaign,
            decisions=[{"verdict": "maybe", "subject": "Paid boosts"}],
        )

    assert events == []


def test_it_audits_the_answers_and_summary_a_review_edit_changed(world, planned):
    review = services.review_create(
        actor=world.users["manager"],
        campaign=planned.campaign,
        answers={"goals": "Clicks from the ad platform's report."},
    )

    with recorded() as events:
        services.review_update(
            actor=world.users["admin"],
            review=review,
            answers={"goals": "Clicks and sign-ups."},
            summary="Boosts do not pay.",
        )
    with recorded() as unchanged:
        services.review_update(
            actor=world.users["admin"], review=review, summary=" Boosts do not pay. "
        )

    [event] = events
    assert (event.action, event.actor, event.brand) == (
        AuditEvent.Action.REVIEW_UPDATED,
        world.users["admin"],
        world.brand,
    )
    assert event.detail == {
        "name": review.date.isoformat(),
        "campaign": "Sound month",
        "changes": ["answers", "summary"],
    }
    assert event.summary == (
        f"review “{review.date.isoformat()}” on “Sound month” in Acme Test: "
        "changed answers, summary"
    )
    assert unchanged == []


def test_it_audits_deleting_a_review(world, planned):
    review = services.review_create(actor=world.users["manager"], campaign=planned.campaign)

    with recorded() as events:
        services.review_delete(actor=world.users["manager"], review=review)

    [event] = events
    assert (event.action, event.actor, event.brand) == (
        AuditEvent.Action.REVIEW_DELETED,
        world.users["manager"],
        world.brand,
    )
    assert event.summary == f"review “{review.date.isoformat()}” on “Sound month” in Acme Test"
    assert not Review.objects.exists()


def test_a_refused_review_edit_leaves_no_audit_row(world, planned):
    review = services.review_create(actor=world.users["manager"], campaign=planned.campaign)

    with recorded() as events, pytest.raises(ValidationError):
        services.review_update(
            actor=world.users["manager"],
            review=review,
            summary="Stop the boosts.",
            decisions=[{"verdict": "maybe", "subject": "Paid boosts"}],
        )

    assert events == []
