"""Publishing scheduled posts to Mastodon and Bluesky, against recorded responses served
by a MockTransport (only the HTTP layer is replaced)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx

from campaigns.calendar import tasks
from campaigns.calendar.publishing import link_facets
from campaigns.models import ContentPost
from tests.calendar.conftest import approved, make_account, recorded, recorded_json

Status = ContentPost.Status
MASTODON = {"instance": "https://mastodon.example", "access_token": "secret-token"}
BLUESKY = {"identifier": "acme.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"}


def due_post(world, platform="mastodon", credentials=None, **fields):
    """An approved, scheduled post whose time has just come."""
    account = make_account(world, platform, credentials=credentials or MASTODON, **fields)
    post = approved(
        world,
        account=account,
        text="Our spring range is here",
        link="https://acme.example/spring?utm_source=mastodon",
        scheduled_at=datetime.now(UTC) + timedelta(hours=1),
    )
    assert post.status == Status.SCHEDULED
    ContentPost.objects.filter(pk=post.pk).update(
        scheduled_at=datetime.now(UTC) - timedelta(seconds=5)
    )
    return post


def mastodon_ok(request):
    return httpx.Response(200, content=recorded("mastodon/statuses_create.json"))


def test_it_publishes_to_mastodon_and_stores_the_url(world, http):
    post = due_post(world)
    seen = http(mastodon_ok)

    assert tasks.publish_due() == 1

    post.refresh_from_db()
    status = recorded_json("mastodon/statuses_create.json")
    assert post.status == Status.PUBLISHED
    assert post.published_url == status["url"]
    assert post.external_id == status["uri"]
    assert post.events.last().kind == "published"
    request = seen[0]
    assert request.url == "https://mastodon.example/api/v1/statuses"
    assert request.headers["authorization"] == "Bearer secret-token"
    assert request.headers["idempotency-key"] == f"socialhub-post-{post.pk}"
    sent = json.loads(request.content)
    assert (
        sent["status"]
        == "Our spring range is here\n\nhttps://acme.example/spring?utm_source=mastodon"
    )


def test_it_publishes_to_bluesky_with_a_session_and_a_record(world, http):
    post = due_post(world, "bluesky", credentials=BLUESKY)

    def bluesky(request):
        if request.url.path.endswith("com.atproto.server.createSession"):
            return httpx.Response(200, content=recorded("bluesky/createSession.json"))
        if request.url.path.endswith("com.atproto.repo.createRecord"):
            return httpx.Response(200, content=recorded("bluesky/createRecord.json"))
        return httpx.Response(404)

    seen = http(bluesky)

    tasks.publish_post.delay(post.pk)

    post.refresh_from_db()
    assert post.status == Status.PUBLISHED
    assert post.published_url == "https://bsky.app/profile/acme.bsky.social/post/3l6oveex3ii2l"
    assert post.external_id == recorded_json("bluesky/createRecord.json")["uri"]
    session, create = seen
    assert session.url == "https://bsky.social/xrpc/com.atproto.server.createSession"
    assert json.loads(session.content) == {
        "identifier": "acme.bsky.social",
        "password": "abcd-efgh-ijkl-mnop",
    }
    body = json.loads(create.content)
    assert create.headers["authorization"].startswith("Bearer eyJ")
    assert body["repo"] == "did:plc:z72i7hdynmk6r22z27h6tvur"
    assert body["collection"] == "app.bsky.feed.post"
    assert body["record"]["$type"] == "app.bsky.feed.post" and body["record"]["createdAt"].endswith(
        "Z"
    )
    assert body["record"]["facets"][0]["features"][0]["uri"] == post.link


def test_link_facets_use_utf8_byte_offsets():
    facets = link_facets("Café ☕ https://acme.example/x")

    assert facets[0]["index"] == {"byteStart": 10, "byteEnd": 32}


def test_it_retries_a_503_and_publishes_on_the_next_try(world, http):
    post = due_post(world)
    answers = [httpx.Response(503, json={"error": "Service Unavailable"}), None]

    def flaky(request):
        answer = answers.pop(0)
        return answer if answer is not None else mastodon_ok(request)

    seen = http(flaky)

    # Run in-process, Celery runs the retry at once instead of after the countdown.
    tasks.publish_post.apply(args=[post.pk], throw=False)

    post.refresh_from_db()
    assert len(seen) == 2
    assert post.status == Status.PUBLISHED
    assert post.publish_attempts == 2
    assert seen[0].headers["idempotency-key"] == seen[1].headers["idempotency-key"]
    assert post.failure_reason == ""


def test_the_backoff_doubles_and_honours_retry_after():
    assert 30 <= tasks.backoff(0) < 36
    assert 120 <= tasks.backoff(2) < 126
    assert tasks.backoff(0, retry_after=600) == 600


def test_it_gives_up_after_the_last_retry_with_the_reason(world, http):
    post = due_post(world)
    http(lambda request: httpx.Response(503))

    result = tasks.publish_post.apply(args=[post.pk], retries=tasks.MAX_RETRIES).get()

    post.refresh_from_db()
    assert result == "failed"
    assert post.status == Status.FAILED
    assert (
        "503 Service Unavailable" in post.failure_reason
        and "gave up after 6 tries" in post.failure_reason
    )


def test_a_401_fails_the_post_with_a_clear_reason_and_no_retry(world, http):
    post = due_post(world)
    seen = http(lambda request: httpx.Response(401, content=recorded("mastodon/error_401.json")))

    result = tasks.publish_post.apply(args=[post.pk]).get()

    post.refresh_from_db()
    assert result == "failed" and len(seen) == 1
    assert post.status == Status.FAILED
    assert "credentials were refused" in post.failure_reason
    assert "The access token is invalid" in post.failure_reason
    assert post.events.last().kind == "failed"


def test_expired_credentials_fail_without_calling_the_platform(world, http):
    post = due_post(world, credentials_expire_at=datetime.now(UTC) - timedelta(days=1))
    seen = http(mastodon_ok)

    tasks.publish_post.apply(args=[post.pk])

    post.refresh_from_db()
    assert seen == []
    assert post.status == Status.FAILED
    assert "credentials of Mastodon @acme-mastodon expired" in post.failure_reason


def test_running_the_task_twice_publishes_once(world, http):
    post = due_post(world)
    seen = http(mastodon_ok)

    first = tasks.publish_post.apply(args=[post.pk]).get()
    second = tasks.publish_post.apply(args=[post.pk]).get()

    assert (first, second) == ("published", "skipped")
    assert len(seen) == 1
    post.refresh_from_db()
    assert post.events.filter(kind="published").count() == 1


def test_a_post_not_yet_due_or_not_approved_is_left_alone(world, http):
    seen = http(mastodon_ok)
    account = make_account(world, "mastodon", credentials=MASTODON)
    later = approved(world, account=account, scheduled_at=datetime.now(UTC) + timedelta(hours=3))

    assert tasks.publish_due() == 0
    assert tasks.publish_post.apply(args=[later.pk]).get() == "published"  # scheduled: goes
    assert len(seen) == 1


def test_a_post_publishing_is_not_queued_again_unless_its_worker_died(world, http):
    post = due_post(world)
    seen = http(mastodon_ok)
    ContentPost.objects.filter(pk=post.pk).update(status=Status.PUBLISHING)

    assert tasks.publish_due() == 0  # a retry is waiting for its backoff
    assert tasks.publish_post.apply(args=[post.pk]).get() == "skipped"

    ContentPost.objects.filter(pk=post.pk).update(updated_at=datetime.now(UTC) - timedelta(hours=1))
    assert tasks.publish_due() == 1  # stuck for an hour: taken over

    post.refresh_from_db()
    assert post.status == Status.PUBLISHED and len(seen) == 1
