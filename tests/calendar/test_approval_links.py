"""A client without an account approves through a signed, expiring, revocable link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.test import Client
from django.urls import reverse

from campaigns.calendar import services
from campaigns.models import ApprovalLink, ContentPost
from tests.calendar.conftest import in_review, make_post, soon

Status = ContentPost.Status


def make_link(world, **kwargs) -> ApprovalLink:
    return services.approval_link_create(
        actor=world.users["manager"],
        brand=world.brand,
        recipient_name="Carla Client",
        recipient_email="carla@client.example",
        **kwargs,
    )


def page(link):
    return reverse("calendar_public:approve", kwargs={"token": link.token})


def test_the_link_shows_only_posts_waiting_for_review(world):
    waiting = in_review(world, text="Please check me")
    make_post(world, text="Still a draft")
    link = make_link(world)

    response = Client().get(page(link))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Hello Carla Client" in body
    assert "Please check me" in body and "Still a draft" not in body
    assert f'name="post" value="{waiting.pk}"' in body
    link.refresh_from_db()
    assert link.last_used_at is not None


def test_a_client_approves_through_the_link_and_the_decision_names_the_link(world):
    post = in_review(world, scheduled_at=soon())
    link = make_link(world)

    response = Client().post(page(link), {"post": post.pk, "action": "approve"}, follow=True)

    assert "Approved. Thank you!" in response.content.decode()
    post.refresh_from_db()
    assert post.status == Status.SCHEDULED
    event = post.events.get(kind="approved")
    assert event.approval_link == link and event.actor is None
    assert event.actor_name == "Carla Client (approval link)"
    detail = world.client_for("manager").get(
        reverse("calendar:post_detail", kwargs={"brand_slug": world.brand.slug, "pk": post.pk})
    )
    assert "Carla Client (approval link)" in detail.content.decode()


def test_requesting_changes_through_the_link_needs_a_comment(world):
    post = in_review(world)
    link = make_link(world)
    client = Client()

    refused = client.post(page(link), {"post": post.pk, "action": "changes"}, follow=True)
    post.refresh_from_db()
    assert "Say what should change." in refused.content.decode()
    assert post.status == Status.IN_REVIEW

    client.post(page(link), {"post": post.pk, "action": "changes", "comment": "No emoji"})
    client.post(page(link), {"post": post.pk, "action": "comment", "comment": "Otherwise great"})
    post.refresh_from_db()
    assert post.status == Status.CHANGES_REQUESTED
    assert list(post.comments.values_list("text", flat=True)) == ["No emoji"]
    # A post no longer in review is not offered (nor decided) any more.
    assert "No emoji" not in client.get(page(link)).content.decode()


def test_an_expired_link_answers_410_with_a_clear_page(world):
    link = make_link(world)
    ApprovalLink.objects.filter(pk=link.pk).update(
        expires_at=datetime.now(UTC) - timedelta(minutes=1)
    )
    post = in_review(world)

    response = Client().get(page(link))
    posted = Client().post(page(link), {"post": post.pk, "action": "approve"})

    assert response.status_code == 410
    assert "This approval link has expired" in response.content.decode()
    assert posted.status_code == 410
    post.refresh_from_db()
    assert post.status == Status.IN_REVIEW


def test_a_revoked_link_answers_403(world):
    link = make_link(world)
    world.client_for("manager").post(
        reverse(
            "calendar:approvallink_revoke", kwargs={"brand_slug": world.brand.slug, "pk": link.pk}
        )
    )

    response = Client().get(page(link))

    assert response.status_code == 403
    assert "This approval link was revoked" in response.content.decode()


def test_an_unknown_token_answers_404(world):
    response = Client().get(reverse("calendar_public:approve", kwargs={"token": "nope"}))

    assert response.status_code == 404
    assert "Unknown approval link" in response.content.decode()


def test_a_link_cannot_decide_on_another_brands_post(world):
    link = make_link(world)
    other = services.approval_link_create(
        actor=world.users["admin"],
        brand=world.sibling,
        recipient_name="S",
        recipient_email="s@x.example",
    )
    post = in_review(world)

    Client().post(page(other), {"post": post.pk, "action": "approve"})

    post.refresh_from_db()
    assert post.status == Status.IN_REVIEW
    assert link.is_valid


def test_a_manager_creates_a_link_that_expires_in_14_days_by_default(world):
    url = reverse("calendar:approvallink_list", kwargs={"brand_slug": world.brand.slug})
    client = world.client_for("manager")

    response = client.post(
        url,
        {"recipient_name": "Carla", "recipient_email": "c@client.example", "days": 14},
        follow=True,
    )

    link = ApprovalLink.objects.get(brand=world.brand)
    assert abs((link.expires_at - datetime.now(UTC)) - timedelta(days=14)) < timedelta(minutes=1)
    assert link.token in response.content.decode()
    assert world.client_for("analyst").get(url).status_code == 403
