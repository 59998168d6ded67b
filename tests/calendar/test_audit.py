"""What the calendar leaves in the brand's audit trail: posts created, changed, submitted,
scheduled and cancelled, decisions on posts (by a member or through an approval link),
posts published by hand, channels and their credentials (never the secrets), approval
links and the feed address. Comments are not audited: they are content, on the post."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from campaigns.calendar import services
from socialhub.models import AuditEvent
from tests.audit import recorded
from tests.calendar.conftest import approved, in_review, make_account, make_post, soon

A = AuditEvent.Action
MASTODON = {"instance": "https://mastodon.example", "access_token": "tok-1234"}


def make_link(world):
    return services.approval_link_create(
        actor=world.users["manager"],
        brand=world.brand,
        recipient_name="Carla Client",
        recipient_email="carla@client.example",
    )


# -- posts -----------------------------------------------------------------------------


def test_it_audits_a_post_created_submitted_scheduled_and_cancelled(world):
    analyst, manager = world.users["analyst"], world.users["manager"]
    account = make_account(world, "x")
    with recorded() as created:
        post = make_post(world, account, text="Spring is here")
    with recorded() as submitted:
        services.post_submit(actor=analyst, post=post)
    services.post_approve(actor=world.users["client"], post=post)
    with recorded() as scheduled:
        services.post_schedule(actor=manager, post=post, scheduled_at=soon())
    with recorded() as cancelled:
        services.post_cancel(actor=manager, post=post, comment="Wrong week")

    assert [(e.action, e.actor, e.brand) for e in created + submitted + scheduled + cancelled] == [
        (A.POST_CREATED, analyst, world.brand),
        (A.POST_SUBMITTED, analyst, world.brand),
        (A.POST_SCHEDULED, manager, world.brand),
        (A.POST_CANCELLED, manager, world.brand),
    ]
    assert cancelled[0].detail == {"name": "Spring is here", "post_id": post.pk}
    assert created[0].summary == "post “Spring is here” in Acme Test"


def test_it_audits_the_fields_a_post_edit_or_a_new_time_changed(world):
    post = make_post(world, text="Spring is here")

    with recorded() as edited:
        services.post_update(
            actor=world.users["analyst"],
            post=post,
            text="Spring is finally here",
            labels=["launch"],
            link="",
        )
    with recorded() as moved:
        services.post_reschedule(actor=world.users["manager"], post=post, scheduled_at=soon())

    [event] = edited
    assert (event.action, event.actor, event.brand) == (
        A.POST_UPDATED,
        world.users["analyst"],
        world.brand,
    )
    assert event.detail == {
        "name": "Spring is finally here",
        "post_id": post.pk,
        "changes": ["text", "labels"],
    }
    assert event.summary == "post “Spring is finally here” in Acme Test: changed text, labels"
    [event] = moved
    assert (event.action, event.actor) == (A.POST_UPDATED, world.users["manager"])
    assert event.summary == "post “Spring is finally here” in Acme Test: changed scheduled at"


def test_a_post_saved_unchanged_or_a_refused_post_write_audits_nothing(world):
    post = make_post(world, text="Spring is here")
    published = approved(world, text="Out already")
    services.post_mark_published(
        actor=world.users["analyst"], post=published, url="https://x.example/acme/1"
    )

    with recorded() as events:
        services.post_update(actor=world.users["analyst"], post=post, text=" Spring is here ")
        with pytest.raises(ValidationError):
            services.post_update(actor=world.users["analyst"], post=post, text=" ")
        with pytest.raises(ValidationError):
            services.post_schedule(actor=world.users["manager"], post=post, scheduled_at=soon())
        with pytest.raises(ValidationError):
            services.post_cancel(actor=world.users["manager"], post=published)
        with pytest.raises(PermissionDenied):
            services.post_submit(actor=world.users["client"], post=post)

    assert events == []


# -- decisions -------------------------------------------------------------------------


def test_it_audits_an_approval_by_a_member(world):
    post = in_review(world, text="Spring is here")

    with recorded() as events:
        services.post_approve(actor=world.users["client"], post=post, comment="Lovely")

    [event] = events
    assert (event.action, event.actor, event.brand) == (
        A.POST_APPROVED,
        world.users["client"],
        world.brand,
    )
    assert event.detail == {"name": "Spring is here", "post_id": post.pk}
    assert event.summary == "post “Spring is here” in Acme Test"


def test_an_approval_through_a_link_names_the_links_recipient(world):
    post = in_review(world, text="Spring is here")
    link = make_link(world)

    with recorded() as events:
        Client().post(
            reverse("calendar_public:approve", kwargs={"token": link.token}),
            {"post": post.pk, "action": "approve"},
        )

    [event] = events
    assert (event.action, event.actor, event.brand) == (A.POST_APPROVED, None, world.brand)
    assert event.detail["via_link"] == "Carla Client"
    assert event.summary == (
        "post “Spring is here” in Acme Test: by Carla Client through an approval link"
    )


def test_it_audits_a_change_request(world):
    post = in_review(world)

    with recorded() as events:
        services.post_request_changes(actor=world.users["client"], post=post, comment="No emoji")

    [event] = events
    assert (event.action, event.actor) == (A.POST_CHANGES_REQUESTED, world.users["client"])
    assert event.detail["post_id"] == post.pk


def test_a_refused_decision_leaves_no_audit_row(world):
    draft = make_post(world)
    post = in_review(world)

    with recorded() as events:
        with pytest.raises(ValidationError):
            services.post_approve(actor=world.users["client"], post=draft)
        with pytest.raises(ValidationError):
            services.post_request_changes(actor=world.users["client"], post=post, comment=" ")

    assert events == []


def test_it_audits_a_post_marked_published_by_hand(world):
    post = approved(world, text="Posted by hand")

    with recorded() as events:
        services.post_mark_published(
            actor=world.users["analyst"], post=post, url="https://x.example/acme/1"
        )
    with recorded() as refused, pytest.raises(ValidationError):
        services.post_mark_published(
            actor=world.users["analyst"], post=post, url="https://x.example/acme/1"
        )

    [event] = events
    assert (event.action, event.actor) == (A.POST_MARKED_PUBLISHED, world.users["analyst"])
    assert event.detail == {
        "name": "Posted by hand",
        "post_id": post.pk,
        "url": "https://x.example/acme/1",
    }
    assert refused == []


# -- channels --------------------------------------------------------------------------


def test_it_audits_a_new_channel_without_its_credentials(world):
    with recorded() as events:
        make_account(world, "mastodon", handle="@acme", credentials=MASTODON)

    [event] = events
    assert (event.action, event.actor, event.brand) == (
        A.CHANNEL_CREATED,
        world.users["manager"],
        world.brand,
    )
    assert event.detail == {"name": "Mastodon @acme", "with_credentials": True}
    assert "tok-1234" not in str(event.detail)


def test_new_credentials_are_audited_by_the_names_of_the_settings_only(world):
    account = make_account(world, "mastodon", handle="@acme", credentials=MASTODON)

    with recorded() as events:
        services.social_account_update(
            actor=world.users["admin"],
            account=account,
            credentials={**MASTODON, "access_token": "tok-5678"},
            url="https://mastodon.example/@acme",
        )

    assert [(e.action, e.actor, e.detail) for e in events] == [
        (A.CHANNEL_UPDATED, world.users["admin"], {"name": "Mastodon @acme", "changes": ["url"]}),
        (
            A.CHANNEL_CREDENTIALS_CHANGED,
            world.users["admin"],
            {"name": "Mastodon @acme", "changes": ["access_token"]},
        ),
    ]
    assert "tok-" not in str([e.detail for e in events])
    assert events[1].summary == "channel “Mastodon @acme” in Acme Test: changed access token"


def test_a_channel_saved_with_its_secret_left_blank_audits_nothing(world):
    account = make_account(world, "mastodon", handle="@acme", credentials=MASTODON)

    with recorded() as events:
        services.social_account_update(
            actor=world.users["admin"],
            account=account,
            credentials={**MASTODON, "access_token": ""},  # blank: the stored one is kept
            handle="@acme",
        )

    assert events == []


def test_a_refused_channel_change_leaves_no_audit_row(world):
    account = make_account(world, "mastodon", handle="@acme", credentials=MASTODON)

    with recorded() as events, pytest.raises(ValidationError):
        services.social_account_update(
            actor=world.users["admin"],
            account=account,
            credentials={"instance": "http://insecure.example", "access_token": "tok-9"},
        )

    assert events == []


# -- approval links and the feed -------------------------------------------------------


def test_it_audits_an_approval_link_created_and_revoked_once(world):
    with recorded() as created:
        link = make_link(world)
    with recorded() as revoked:
        services.approval_link_revoke(actor=world.users["admin"], link=link)
        services.approval_link_revoke(actor=world.users["admin"], link=link)

    [made] = created
    assert (made.action, made.actor, made.target_email) == (
        A.APPROVAL_LINK_CREATED,
        world.users["manager"],
        "carla@client.example",
    )
    assert made.detail == {"name": "Carla Client", "days": services.APPROVAL_LINK_DAYS}
    assert link.token not in str(made.detail)
    [gone] = revoked
    assert (gone.action, gone.actor) == (A.APPROVAL_LINK_REVOKED, world.users["admin"])
    assert gone.summary == "approval link “Carla Client” in Acme Test"


def test_a_refused_approval_link_leaves_no_audit_row(world):
    with recorded() as events, pytest.raises(ValidationError):
        services.approval_link_create(
            actor=world.users["manager"],
            brand=world.brand,
            recipient_name=" ",
            recipient_email="carla@client.example",
        )

    assert events == []


def test_it_audits_a_reset_of_the_calendar_feed_link(world):
    services.calendar_feed_get_or_create(brand=world.brand)

    with recorded() as events:
        services.calendar_feed_rotate(actor=world.users["manager"], brand=world.brand)

    [event] = events
    assert (event.action, event.actor, event.brand) == (
        A.CALENDAR_FEED_RESET,
        world.users["manager"],
        world.brand,
    )
    assert event.summary == "calendar feed in Acme Test"
