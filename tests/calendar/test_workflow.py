"""The post workflow: who may do what, and what each step records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from campaigns.calendar import services
from campaigns.models import ContentPost, PostEvent
from tests.calendar.conftest import approved, in_review, make_account, make_post, soon

Status = ContentPost.Status


def url(name, post):
    return reverse(f"calendar:{name}", kwargs={"brand_slug": post.brand.slug, "pk": post.pk})


def kinds(post):
    return list(post.events.values_list("kind", flat=True))


def test_it_goes_from_draft_to_scheduled_and_keeps_who_did_what(world):
    post = make_post(world, scheduled_at=soon())
    services.post_submit(actor=world.users["analyst"], post=post)
    post = services.post_approve(actor=world.users["client"], post=post, comment="Lovely")

    assert post.status == Status.SCHEDULED  # approved with a time ahead: scheduled at once
    assert kinds(post) == ["created", "submitted", "approved", "scheduled"]
    approval = post.events.get(kind="approved")
    assert approval.actor == world.users["client"] and approval.comment == "Lovely"


def test_approving_a_post_without_a_time_leaves_it_approved_until_a_manager_schedules_it(world):
    post = approved(world)
    assert post.status == Status.APPROVED

    when = soon()
    post = services.post_schedule(actor=world.users["manager"], post=post, scheduled_at=when)

    assert post.status == Status.SCHEDULED and post.scheduled_at == when


def test_client_cannot_edit_a_post(world):
    post = in_review(world)
    client = world.client_for("client")

    response = client.post(url("post_update", post), {"text": "Changed by the client"})

    assert response.status_code == 403
    post.refresh_from_db()
    assert post.text == "Hello from Acme"
    with pytest.raises(PermissionDenied):
        services.post_update(actor=world.users["client"], post=post, text="Sneaky")


def test_analyst_cannot_approve_and_nothing_changes(world):
    post = in_review(world)

    response = world.client_for("analyst").post(url("post_decide", post), {"decision": "approve"})

    assert response.status_code == 403
    post.refresh_from_db()
    assert post.status == Status.IN_REVIEW
    assert "approved" not in kinds(post)


def test_client_approves_from_the_post_page(world):
    post = in_review(world, scheduled_at=soon())

    response = world.client_for("client").post(url("post_decide", post), {"decision": "approve"})

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == Status.SCHEDULED


def test_requesting_changes_needs_a_comment(world):
    post = in_review(world)
    client = world.client_for("client")

    response = client.post(
        url("post_decide", post), {"decision": "changes", "comment": " "}, follow=True
    )

    assert "Say what should change." in response.content.decode()
    post.refresh_from_db()
    assert post.status == Status.IN_REVIEW

    client.post(url("post_decide", post), {"decision": "changes", "comment": "Shorter, please"})
    post.refresh_from_db()
    assert post.status == Status.CHANGES_REQUESTED
    assert post.events.get(kind="changes").comment == "Shorter, please"
    assert post.comments.get().text == "Shorter, please"


def test_editing_an_approved_post_sends_it_back_to_review(world):
    post = approved(world, scheduled_at=soon())
    assert post.status == Status.SCHEDULED

    post = services.post_update(actor=world.users["analyst"], post=post, text="New words")

    assert post.status == Status.IN_REVIEW
    back = post.events.get(kind=PostEvent.Kind.BACK_TO_REVIEW)
    assert back.data == {"changed": ["text"]} and back.actor == world.users["analyst"]


def test_editing_only_the_labels_of_an_approved_post_keeps_it_approved(world):
    post = approved(world)

    post = services.post_update(actor=world.users["analyst"], post=post, labels=["video"])

    assert post.status == Status.APPROVED
    assert post.labels == ["video"]


def test_edit_page_says_the_post_went_back_to_review(world):
    post = approved(world)
    response = world.client_for("analyst").post(
        url("post_update", post), {"account": post.account_id, "text": "Reworded"}, follow=True
    )

    assert "back in review" in response.content.decode()
    post.refresh_from_db()
    assert post.status == Status.IN_REVIEW


def test_a_step_out_of_order_is_a_clear_error_not_a_change(world):
    post = make_post(world)

    with pytest.raises(ValidationError, match="cannot be approved"):
        services.post_approve(actor=world.users["client"], post=post)
    response = world.client_for("manager").post(
        url("post_decide", post), {"decision": "approve"}, follow=True
    )

    assert "A post that is “draft” cannot be approved." in response.content.decode()
    post.refresh_from_db()
    assert post.status == Status.DRAFT


def test_a_channel_we_cannot_publish_to_is_marked_published_by_hand(world):
    post = approved(world, scheduled_at=datetime.now(UTC) + timedelta(minutes=5))
    from campaigns.calendar.tasks import publish_due

    ContentPost.objects.filter(pk=post.pk).update(
        scheduled_at=datetime.now(UTC) - timedelta(minutes=1)
    )
    publish_due()
    post.refresh_from_db()
    assert post.status == Status.READY

    response = world.client_for("analyst").post(
        url("post_mark_published", post), {"url": "https://x.com/acme/status/1"}
    )

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == Status.PUBLISHED
    assert post.published_url == "https://x.com/acme/status/1"


def test_cancel_takes_the_post_off_the_calendar(world):
    post = in_review(world)

    world.client_for("analyst").post(url("post_cancel", post))

    post.refresh_from_db()
    assert post.status == Status.CANCELLED
    assert kinds(post)[-1] == "cancelled"


def test_a_comment_mentioning_a_member_emails_them(world, committed, settings):
    settings.SITE_URL = "http://socialhub.example/"
    post = in_review(world)
    manager = world.users["manager"]
    manager.first_name, manager.last_name = "Mona", "Manager"
    manager.save()

    with committed():
        response = world.client_for("analyst").post(
            url("post_comment", post),
            {"text": "@Mona Manager and @client@alpha.test: thoughts?"},
            follow=True,
        )

    assert "will get an email" in response.content.decode()
    comment = post.comments.get()
    assert set(comment.mentioned.all()) == {manager, world.users["client"]}
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {"manager@alpha.test", "client@alpha.test"}
    assert "mentioned you" in mail.outbox[0].subject
    # A link that works from a mail client: the site's full address, not a path.
    address = f"http://socialhub.example/b/{post.brand.slug}/calendar/posts/{post.pk}/"
    assert f"Open the post: {address}" in mail.outbox[0].body


def test_the_post_page_shows_history_and_only_the_buttons_the_role_may_use(world):
    post = in_review(world)

    analyst_page = world.client_for("analyst").get(url("post_detail", post)).content.decode()
    client_page = world.client_for("client").get(url("post_detail", post)).content.decode()

    assert "Submitted for review" in analyst_page and "Created" in analyst_page
    assert ">Approve<" not in analyst_page and ">Edit<" in analyst_page
    assert ">Approve<" in client_page and ">Edit<" not in client_page


def test_a_post_of_another_brand_is_not_found(world):
    other = make_account(world, brand=world.foreign_brand, handle="@foreign")
    post = services.post_create(
        actor=world.foreign_manager, brand=world.foreign_brand, account=other, text="Theirs"
    )
    wrong = reverse("calendar:post_detail", kwargs={"brand_slug": world.brand.slug, "pk": post.pk})

    assert world.client_for("admin").get(wrong).status_code == 404
    assert world.client_for("manager").get(url("post_detail", post)).status_code == 404
