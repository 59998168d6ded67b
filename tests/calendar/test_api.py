"""The calendar API: channels, posts with their workflow actions, approval links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from campaigns.models import ApprovalLink, ContentPost
from socialhub.api.serializers import BRAND_ENDPOINTS
from tests.calendar.conftest import in_review, make_account, make_post


@pytest.fixture
def api(world):
    def client_for(who) -> APIClient:
        client = APIClient()
        client.force_authenticate(world.users[who] if isinstance(who, str) else who)
        return client

    return client_for


def base(world, brand=None):
    return f"/api/brands/{(brand or world.brand).slug}"


def test_the_endpoints_are_listed_on_the_brand_root():
    assert BRAND_ENDPOINTS["social_accounts"] == "brand-social-account-list"
    assert BRAND_ENDPOINTS["posts"] == "brand-post-list"
    assert BRAND_ENDPOINTS["approval_links"] == "brand-approval-link-list"


def test_secrets_are_written_but_never_read_back(world, api):
    response = api("manager").post(
        f"{base(world)}/social-accounts/",
        {
            "platform": "mastodon",
            "handle": "@acme@mastodon.example",
            "instance": "https://mastodon.example",
            "access_token": "s3cret",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["credentials"] == {"instance": "https://mastodon.example", "access_token": "set"}
    assert data["can_publish"] is True
    assert "s3cret" not in response.content.decode()
    # A blank token keeps the stored one.
    patched = api("manager").patch(
        f"{base(world)}/social-accounts/{data['id']}/",
        {"instance": "https://mastodon.example", "access_token": ""},
        format="json",
    )
    assert patched.json()["credentials"]["access_token"] == "set"
    assert (
        api("analyst").post(f"{base(world)}/social-accounts/", {}, format="json").status_code == 403
    )


def test_the_account_page_never_shows_a_secret(world):
    from django.urls import reverse

    account = make_account(
        world, "bluesky", credentials={"identifier": "acme.bsky.social", "app_password": "pw-1234"}
    )
    page = (
        world.client_for("manager")
        .get(
            reverse(
                "calendar:socialaccount_update",
                kwargs={"brand_slug": world.brand.slug, "pk": account.pk},
            )
        )
        .content.decode()
    )

    assert "pw-1234" not in page and "Stored (set)" in page


def test_a_post_goes_through_the_workflow_over_the_api(world, api):
    account = make_account(world, "mastodon")
    when = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    created = api("analyst").post(
        f"{base(world)}/posts/",
        {
            "account": account.pk,
            "text": "Via the API",
            "scheduled_at": when.isoformat(),
            "labels": ["api"],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    post_url = f"{base(world)}/posts/{created.json()['id']}"

    submitted = api("analyst").post(f"{post_url}/submit/")
    analyst_approves = api("analyst").post(f"{post_url}/approve/", {}, format="json")
    changes_without_comment = api("client").post(f"{post_url}/request-changes/", {}, format="json")
    approved = api("client").post(f"{post_url}/approve/", {"comment": "Yes"}, format="json")

    assert submitted.json()["status"] == "in_review"
    assert analyst_approves.status_code == 403
    assert changes_without_comment.status_code == 400
    assert "comment" in changes_without_comment.json()["errors"]
    assert approved.json()["status"] == "scheduled"

    later = when + timedelta(days=1)
    moved = api("manager").post(
        f"{post_url}/reschedule/", {"scheduled_at": later.isoformat()}, format="json"
    )
    comment = api("client").post(
        f"{post_url}/comment/", {"text": "@analyst@alpha.test nice"}, format="json"
    )
    cancelled = api("manager").post(f"{post_url}/cancel/")

    assert moved.json()["scheduled_at"].startswith(later.strftime("%Y-%m-%dT%H:%M"))
    assert (
        comment.status_code == 201
        and comment.json()["mentioned"][0]["email"] == "analyst@alpha.test"
    )
    assert cancelled.json()["status"] == "cancelled"


def test_a_client_cannot_edit_a_post_over_the_api(world, api):
    post = in_review(world)

    response = api("client").patch(
        f"{base(world)}/posts/{post.pk}/", {"text": "Mine now"}, format="json"
    )

    assert response.status_code == 403
    post.refresh_from_db()
    assert post.text == "Hello from Acme"


def test_an_api_edit_after_approval_goes_back_to_review(world, api):
    post = in_review(world)
    api("manager").post(f"{base(world)}/posts/{post.pk}/approve/", {}, format="json")

    response = api("analyst").patch(
        f"{base(world)}/posts/{post.pk}/", {"text": "Edited"}, format="json"
    )

    assert response.json()["status"] == "in_review"


def test_schedule_and_mark_published_over_the_api(world, api):
    post = in_review(world)
    api("client").post(f"{base(world)}/posts/{post.pk}/approve/", {}, format="json")
    when = datetime.now(UTC) + timedelta(days=1)

    no_time = api("manager").post(f"{base(world)}/posts/{post.pk}/schedule/", {}, format="json")
    analyst = api("analyst").post(
        f"{base(world)}/posts/{post.pk}/schedule/",
        {"scheduled_at": when.isoformat()},
        format="json",
    )
    scheduled = api("manager").post(
        f"{base(world)}/posts/{post.pk}/schedule/",
        {"scheduled_at": when.isoformat()},
        format="json",
    )
    marked = api("analyst").post(
        f"{base(world)}/posts/{post.pk}/mark-published/",
        {"url": "https://x.com/acme/9"},
        format="json",
    )

    assert no_time.status_code == 400 and "scheduled_at" in no_time.json()["errors"]
    assert analyst.status_code == 403
    assert scheduled.json()["status"] == "scheduled"
    assert (
        marked.json()["status"] == "published"
        and marked.json()["published_url"] == "https://x.com/acme/9"
    )


def test_an_overlong_post_is_a_field_error(world, api):
    account = make_account(world, "x")

    response = api("analyst").post(
        f"{base(world)}/posts/", {"account": account.pk, "text": "a" * 300}, format="json"
    )

    assert response.status_code == 400
    assert "over the 280-character limit" in response.json()["errors"]["text"][0]
    assert not ContentPost.objects.exists()


def test_a_channel_of_another_brand_is_a_field_error(world, api):
    foreign = make_account(world, "x", brand=world.foreign_brand, handle="@theirs")

    response = api("analyst").post(
        f"{base(world)}/posts/", {"account": foreign.pk, "text": "Hi"}, format="json"
    )

    assert response.status_code == 400 and "account" in response.json()["errors"]


def test_posts_of_a_brand_the_user_does_not_hold_are_not_found(world, api):
    make_post(world)

    assert api("manager").get(f"{base(world, world.foreign_brand)}/posts/").status_code == 404
    assert api("client").get(f"{base(world)}/posts/").json()["count"] == 1


def test_approval_links_are_created_listed_and_revoked_by_managers(world, api):
    created = api("manager").post(
        f"{base(world)}/approval-links/",
        {"recipient_name": "Carla", "recipient_email": "c@client.example"},
        format="json",
    )
    link_id = created.json()["id"]
    revoked = api("manager").post(f"{base(world)}/approval-links/{link_id}/revoke/")

    assert created.status_code == 201 and "/approve/" in created.json()["url"]
    assert created.json()["is_valid"] is True
    assert revoked.json()["is_valid"] is False and revoked.json()["revoked_at"]
    assert ApprovalLink.objects.get().revoked_at is not None
    assert api("client").get(f"{base(world)}/approval-links/").status_code == 403
    bad = api("manager").post(
        f"{base(world)}/approval-links/", {"recipient_name": "", "days": 0}, format="json"
    )
    assert bad.status_code == 400 and {"recipient_name", "recipient_email", "days"} <= set(
        bad.json()["errors"]
    )
