"""Publishing scheduled posts to Mastodon and Bluesky, against recorded responses served
by a MockTransport (only the HTTP layer is replaced)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from campaigns.calendar import tasks
from campaigns.calendar.publishing import (
    Permanent,
    Transient,
    encode_tid,
    link_facets,
    post_record_key,
    publish_bluesky,
)
from campaigns.models import ContentPost
from tests.calendar.conftest import approved, make_account, recorded, recorded_json

Status = ContentPost.Status
MASTODON = {"instance": "https://mastodon.example", "access_token": "secret-token"}
BLUESKY = {"identifier": "acme.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"}
RECORDED_RKEY = "3l6oveex3ii2l"  # the record key in the recorded Bluesky answers


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


def bluesky_answer(name, rkey, status=200):
    """A recorded Bluesky answer about the record at ``rkey``."""
    body = recorded(f"bluesky/{name}").replace(RECORDED_RKEY.encode(), rkey.encode())
    return httpx.Response(status, content=body)


def bluesky_pds(*, lose_create_answer=False, not_found="getRecord_not_found.json"):
    """A PDS that keeps the records created on it and answers getRecord from them; with
    ``lose_create_answer`` the first createRecord is stored but its answer never comes."""
    created: set[str] = set()

    def pds(request):
        if request.url.path.endswith("com.atproto.server.createSession"):
            return httpx.Response(200, content=recorded("bluesky/createSession.json"))
        if request.url.path.endswith("com.atproto.repo.getRecord"):
            rkey = request.url.params["rkey"]
            if rkey in created:
                return bluesky_answer("getRecord.json", rkey)
            return bluesky_answer(not_found, rkey, status=400)
        if request.url.path.endswith("com.atproto.repo.createRecord"):
            rkey = json.loads(request.content)["rkey"]
            if rkey in created:
                return bluesky_answer("createRecord_exists.json", rkey, status=400)
            created.add(rkey)
            if lose_create_answer and len(created) == 1:
                raise httpx.ReadTimeout("the answer was lost", request=request)
            return bluesky_answer("createRecord.json", rkey)
        return httpx.Response(404)

    return pds


def calls(seen):
    return [request.url.path.rsplit(".", 1)[-1] for request in seen]


@pytest.mark.parametrize(
    "not_found", ["getRecord_not_found.json", "getRecord_not_found_legacy.json"]
)
def test_it_publishes_to_bluesky_with_a_session_and_a_record(world, http, not_found):
    post = due_post(world, "bluesky", credentials=BLUESKY)
    seen = http(bluesky_pds(not_found=not_found))

    tasks.publish_post.delay(post.pk)

    post.refresh_from_db()
    rkey = post_record_key(post)
    assert post.status == Status.PUBLISHED
    assert post.published_url == f"https://bsky.app/profile/acme.bsky.social/post/{rkey}"
    assert post.external_id == f"at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/{rkey}"
    session, lookup, create = seen
    assert session.url == "https://bsky.social/xrpc/com.atproto.server.createSession"
    assert json.loads(session.content) == {
        "identifier": "acme.bsky.social",
        "password": "abcd-efgh-ijkl-mnop",
    }
    assert lookup.method == "GET"
    assert lookup.url.path == "/xrpc/com.atproto.repo.getRecord"
    assert dict(lookup.url.params) == {
        "repo": "did:plc:z72i7hdynmk6r22z27h6tvur",
        "collection": "app.bsky.feed.post",
        "rkey": rkey,
    }
    assert lookup.headers["authorization"] == create.headers["authorization"]
    body = json.loads(create.content)
    assert create.headers["authorization"].startswith("Bearer eyJ")
    assert body["repo"] == "did:plc:z72i7hdynmk6r22z27h6tvur"
    assert body["collection"] == "app.bsky.feed.post"
    assert body["rkey"] == rkey
    assert body["record"]["$type"] == "app.bsky.feed.post" and body["record"]["createdAt"].endswith(
        "Z"
    )
    assert body["record"]["facets"][0]["features"][0]["uri"] == post.link


def test_a_retry_after_a_lost_bluesky_answer_finds_the_post_instead_of_posting_twice(world, http):
    post = due_post(world, "bluesky", credentials=BLUESKY)
    seen = http(bluesky_pds(lose_create_answer=True))

    # Run in-process, Celery runs the retry at once instead of after the countdown.
    tasks.publish_post.apply(args=[post.pk], throw=False)

    post.refresh_from_db()
    assert calls(seen) == [
        "createSession",
        "getRecord",
        "createRecord",  # stored, but the answer timed out
        "createSession",
        "getRecord",  # found: nothing is created again
    ]
    assert post.status == Status.PUBLISHED and post.publish_attempts == 2
    assert post.published_url == (
        f"https://bsky.app/profile/acme.bsky.social/post/{post_record_key(post)}"
    )


def test_it_falls_back_to_get_record_when_create_record_says_it_already_exists(world, http):
    post = due_post(world, "bluesky", credentials=BLUESKY)
    rkey = post_record_key(post)
    lookups = [bluesky_answer("getRecord_not_found.json", rkey, status=400)]

    def racing(request):
        # Another try creates the record between our getRecord and our createRecord.
        if request.url.path.endswith("com.atproto.server.createSession"):
            return httpx.Response(200, content=recorded("bluesky/createSession.json"))
        if request.url.path.endswith("com.atproto.repo.getRecord"):
            return lookups.pop(0) if lookups else bluesky_answer("getRecord.json", rkey)
        return bluesky_answer("createRecord_exists.json", rkey, status=400)

    seen = http(racing)

    assert tasks.publish_post.apply(args=[post.pk]).get() == "published"

    post.refresh_from_db()
    assert calls(seen) == ["createSession", "getRecord", "createRecord", "getRecord"]
    assert post.published_url == f"https://bsky.app/profile/acme.bsky.social/post/{rkey}"
    assert post.external_id == recorded_json("bluesky/getRecord.json")["uri"].replace(
        RECORDED_RKEY, rkey
    )


def failing_get_record(status):
    def pds(request):
        if request.url.path.endswith("com.atproto.server.createSession"):
            return httpx.Response(200, content=recorded("bluesky/createSession.json"))
        if request.url.path.endswith("com.atproto.repo.getRecord"):
            return httpx.Response(status)
        return bluesky_answer("createRecord.json", RECORDED_RKEY)

    return pds


def test_a_get_record_failing_with_5xx_is_transient(world, http):
    post = due_post(world, "bluesky", credentials=BLUESKY)
    seen = http(failing_get_record(502))

    with tasks.HttpClient() as client, pytest.raises(Transient, match="502 Bad Gateway"):
        publish_bluesky(post, client)

    assert calls(seen) == ["createSession", "getRecord"]


def test_a_get_record_failing_with_401_is_permanent(world, http):
    post = due_post(world, "bluesky", credentials=BLUESKY)
    seen = http(failing_get_record(401))

    with tasks.HttpClient() as client, pytest.raises(Permanent, match="credentials were refused"):
        publish_bluesky(post, client)

    assert calls(seen) == ["createSession", "getRecord"]


def test_the_record_key_is_stable_for_a_post_and_different_for_another_post(world):
    post = due_post(world, "bluesky", credentials=BLUESKY)
    other = approved(world, account=post.account, text="Another one")

    key = post_record_key(post)

    assert post_record_key(ContentPost.objects.get(pk=post.pk)) == key  # through the database
    assert post_record_key(other) != key


def test_the_record_key_is_a_tid_of_the_creation_time_and_the_id(world):
    post = due_post(world, "bluesky", credentials=BLUESKY)
    created_at = datetime(2024, 8, 20, 16, 31, 35, 793000, tzinfo=UTC)
    ContentPost.objects.filter(pk=post.pk).update(created_at=created_at)
    post.refresh_from_db()

    assert post_record_key(post) == encode_tid(1724171495793000, post.pk % 1024)


def test_a_tid_encodes_as_the_spec_says():
    # The spec: integer 0 is "2222222222222"; all 63 low bits set, top bit 0, is "b" then z's.
    assert encode_tid(0, 0) == "2222222222222"
    assert encode_tid(2**53 - 1, 1023) == "bzzzzzzzzzzzz"
    # The example of the @atcute/tid README: 1724171495793000 µs (2024-08-20 16:31:35.793
    # UTC) and clock id 512 = 0b10000_00000, so the last two characters are "k" and "2".
    assert encode_tid(1724171495793000, 512) == "3l25zusnsfck2"
    keys = [encode_tid(t, c) for t, c in [(1, 1023), (2, 0), (10**15, 5), (2**52, 7)]]
    assert all(len(key) == 13 and key[0] in "234567abcdefghij" for key in keys)
    assert sorted(keys) == keys  # time order is string order
    with pytest.raises(ValueError):
        encode_tid(2**53, 0)


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
