"""Bluesky connector against the recorded searchPosts response, and Jetstream events."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from listening.connectors import CONNECTORS, normalize_jetstream_event
from listening.http import HTTPStatusError, InvalidResponse
from tests.listening.fixtures.connectors.recorded import MockServer, always, body, recorded

SEARCH = "app.bsky.feed.searchPosts_q-redistricting"
bluesky = CONNECTORS["bluesky"]


def fetch(server, config=None, cursor=None):
    with server.client() as client:
        return bluesky.fetch(config or {"query": "redistricting"}, cursor or {}, client)


def recorded_posts() -> list[dict]:
    return json.loads(body("bluesky", f"{SEARCH}.json"))["posts"]


def serve_posts(*views):
    return MockServer((always, httpx.Response(200, json={"posts": list(views)})))


def test_it_searches_the_public_appview():
    server = MockServer((always, recorded("bluesky", SEARCH)))
    result = fetch(server)

    assert len(result.posts) == 25 and result.skipped == 0
    (request,) = server.requests
    assert str(request.url).startswith(
        "https://public.api.bsky.app/xrpc/app.bsky.feed.searchPosts?"
    )
    assert dict(request.url.params) == {"q": "redistricting", "sort": "latest", "limit": "100"}

    first, second = result.posts[:2]
    assert (
        first.external_id
        == "at://did:plc:kkergqgbhb56ptpwj2wenkje/app.bsky.feed.post/3lpk2u6qo222m"
    )
    assert first.url == "https://bsky.app/profile/socpaperbot.bsky.social/post/3lpk2u6qo222m"
    assert first.text.startswith("Ends Versus Means: Public Opinion on Congressional Redistricting")
    assert first.published_at == datetime(2025, 5, 19, 17, 10, 9, 561858, tzinfo=UTC)
    assert first.author_name == "Sociology papers (journals + SocArXiv)"
    assert first.lang is None  # the record has no langs

    assert second.url == "https://bsky.app/profile/cjtackett.bsky.social/post/3lpk2r5h5ec2j"
    assert (second.author_handle, second.author_name) == ("cjtackett.bsky.social", "Chris Tackett")
    assert second.author_url == "https://bsky.app/profile/cjtackett.bsky.social"
    assert (second.likes, second.shares, second.replies, second.lang) == (4, 3, 0, "en")
    assert second.author_followers is None

    # The newest sortAt (createdAt here) is where the next fetch starts.
    assert result.cursor == {"since": "2025-05-19T17:10:09.561Z"}


def test_offsets_and_line_breaks_in_the_recording_are_read():
    result = fetch(MockServer((always, recorded("bluesky", SEARCH))))
    by_rkey = {p.external_id.rsplit("/", 1)[1]: p for p in result.posts}
    odd = by_rkey["3lpii6nwbyt2m"]  # createdAt written with +00:00 and microseconds
    assert odd.published_at == datetime(2025, 5, 19, 2, 3, 20, 286393, tzinfo=UTC)
    assert odd.text.startswith("Automated disqualification from services\n\n118. Manipulat")
    thread = by_rkey["3lpjqeajtgc27"]
    assert thread.text.startswith("5/ One key takeaway:\nRedistricting isn’t just about gerryman")


SIGNED_IN = {"query": "redistricting", "handle": "acme.bsky.social", "app_password": "abcd-efgh"}


def session_route(token="jwt-1"):
    return (
        lambda r: r.url.path == "/xrpc/com.atproto.server.createSession",
        lambda r: httpx.Response(200, json={"accessJwt": token, "did": "did:plc:acme"}),
    )


def test_without_an_account_it_reads_only_the_first_page():
    server = MockServer((always, recorded("bluesky", SEARCH)))
    result = fetch(server, cursor={"since": "2025-05-19T00:00:00.000Z"})
    assert len(server.requests) == 1
    assert server.params()["since"] == "2025-05-19T00:00:00.000Z"
    assert "cursor" not in server.params()
    assert result.warnings == [
        "Without an account Bluesky serves only the first page of results; add a handle and an "
        "app password to read further."
    ]


def test_a_refused_anonymous_search_says_to_add_an_account():
    refusal = httpx.Response(
        403, json={"error": "AuthMissing", "message": "Authentication Required"}
    )
    with pytest.raises(HTTPStatusError) as exc:
        fetch(MockServer((always, refusal)))
    assert exc.value.status_code == 403
    assert str(exc.value) == (
        "Bluesky refused the search without an account (403); add a handle and an app password "
        "to this source."
    )


def test_with_an_account_it_opens_a_session_and_follows_pages():
    server = MockServer(
        session_route(),
        (lambda r: "cursor" not in r.url.params, recorded("bluesky", SEARCH)),
        (always, httpx.Response(200, json={"posts": []})),
    )
    result = fetch(server, SIGNED_IN, {"since": "2025-05-19T00:00:00.000Z"})

    session, first, second = server.requests
    assert str(session.url) == "https://bsky.social/xrpc/com.atproto.server.createSession"
    assert json.loads(session.content) == {
        "identifier": "acme.bsky.social",
        "password": "abcd-efgh",
    }
    assert str(first.url).startswith("https://bsky.social/xrpc/app.bsky.feed.searchPosts?")
    assert first.headers["authorization"] == second.headers["authorization"] == "Bearer jwt-1"
    assert server.params(1)["since"] == server.params(2)["since"] == "2025-05-19T00:00:00.000Z"
    assert server.params(2)["cursor"] == "25"
    assert len(result.posts) == 25 and result.warnings == []
    assert result.cursor == {"since": "2025-05-19T17:10:09.561Z"}


def test_the_session_is_reused_and_renewed_once_when_it_expires():
    server = MockServer(session_route(), (always, recorded("bluesky", SEARCH)))
    fetch(server, SIGNED_IN)
    fetch(server, SIGNED_IN)
    paths = [r.url.path for r in server.requests]
    assert paths.count("/xrpc/com.atproto.server.createSession") == 1  # cached, not in the DB

    expired = httpx.Response(401, json={"error": "ExpiredToken", "message": "Token has expired"})
    server = MockServer(
        session_route("jwt-2"),
        (lambda r: r.headers.get("authorization") == "Bearer jwt-1", expired),
        (always, recorded("bluesky", SEARCH)),
    )
    assert len(fetch(server, SIGNED_IN).posts) == 25
    assert [r.headers.get("authorization") for r in server.requests] == [
        "Bearer jwt-1",
        None,
        "Bearer jwt-2",
    ]


def test_wrong_credentials_are_a_clear_error():
    refusal = httpx.Response(
        401, json={"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
    )
    with pytest.raises(HTTPStatusError) as exc:
        fetch(MockServer((always, refusal)), SIGNED_IN)
    assert str(exc.value) == (
        "https://bsky.social/xrpc/com.atproto.server.createSession answered 401 Unauthorized "
        "(Invalid identifier or password)."
    )


def test_it_stops_at_max_pages():
    server = MockServer(session_route(), (always, recorded("bluesky", SEARCH)))
    result = fetch(server, {**SIGNED_IN, "max_pages": 3}, {"since": "2025-05-01"})
    assert len(server.requests) == 1 + 3
    assert len(result.posts) == 25  # the same page three times: deduplicated
    assert "Stopped after 3 pages" in result.warnings[0]


def test_a_language_filter_is_sent():
    server = MockServer((always, recorded("bluesky", SEARCH)))
    fetch(server, {"query": "redistricting", "lang": "en-US"})
    assert server.params()["lang"] == "en"


def test_an_invalid_handle_falls_back_to_the_did():
    view = copy.deepcopy(recorded_posts()[1])
    view["author"]["handle"] = "handle.invalid"
    (post,) = fetch(serve_posts(view)).posts
    assert (
        post.url == "https://bsky.app/profile/did:plc:s7savtl25cqhm3ddqc7jeljx/post/3lpk2r5h5ec2j"
    )
    assert post.author_handle == "did:plc:s7savtl25cqhm3ddqc7jeljx"


def test_posts_without_text_are_skipped_and_emoji_only_ones_kept():
    image_only, emoji, not_a_post = (copy.deepcopy(v) for v in recorded_posts()[:3])
    image_only["record"]["text"] = ""
    emoji["record"]["text"] = "🗳️🗺️"
    not_a_post["uri"] = "https://example.com/not-an-at-uri"
    result = fetch(serve_posts(image_only, emoji, not_a_post))
    assert [p.text for p in result.posts] == ["🗳️🗺️"]
    assert result.skipped == 2


def test_a_100kb_post_is_capped():
    view = copy.deepcopy(recorded_posts()[0])
    view["record"]["text"] = "x" * 100_000
    (post,) = fetch(serve_posts(view)).posts
    assert len(post.text) == 20_000


def test_a_future_created_at_is_clamped_and_raw_keeps_it():
    view = copy.deepcopy(recorded_posts()[0])
    future = (timezone.now() + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    view["record"]["createdAt"] = future
    before = timezone.now()
    result = fetch(serve_posts(view))
    assert before <= result.posts[0].published_at <= timezone.now()
    assert result.posts[0].raw["record"]["createdAt"] == future
    # the cursor uses the server's indexedAt, not the client's future clock
    assert result.cursor == {"since": "2025-05-19T17:10:09.813Z"}


def test_truncated_json_is_a_clear_error():
    truncated = body("bluesky", f"{SEARCH}.json")[:10_000]
    with pytest.raises(InvalidResponse, match="is not valid JSON"):
        fetch(MockServer((always, httpx.Response(200, content=truncated))))


@pytest.mark.parametrize(
    ("config", "errors"),
    [
        ({}, {"query"}),
        ({"query": "x", "lang": "english"}, {"lang"}),
        ({"query": "q" * 501}, {"query"}),
        ({"query": "x", "handle": "acme.bsky.social"}, {"app_password"}),
        ({"query": "x", "app_password": "p"}, {"handle"}),
        ({"query": "x", "service": "file:///etc"}, {"service"}),
        ({"query": "x", "service": "http://[fd00:ec2::254]"}, {"service"}),
    ],
)
def test_validate_config_names_the_wrong_fields(config, errors):
    with pytest.raises(ValidationError) as exc:
        bluesky.validate_config(config)
    assert set(exc.value.message_dict) == errors


# --- Jetstream --------------------------------------------------------------------------------


def jetstream_event(**commit_overrides):
    commit = {
        "rev": "3l3qo2vutsw2b",
        "operation": "create",
        "collection": "app.bsky.feed.post",
        "rkey": "3l3qo2vuowo2b",
        "record": {
            "$type": "app.bsky.feed.post",
            "createdAt": "2024-09-09T19:46:02.102Z",
            "langs": ["en"],
            "text": "Trying out the new Acme kettle ☕",
        },
        "cid": "bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi",
    }
    commit.update(commit_overrides)
    return {
        "did": "did:plc:eygmaihciaxprqvxpfvl6flk",
        "time_us": 1725911162329308,
        "kind": "commit",
        "commit": commit,
    }


def test_a_jetstream_post_event_is_normalized():
    post = normalize_jetstream_event(jetstream_event())
    assert post.platform == "bluesky"
    assert post.external_id == (
        "at://did:plc:eygmaihciaxprqvxpfvl6flk/app.bsky.feed.post/3l3qo2vuowo2b"
    )
    assert (
        post.url == "https://bsky.app/profile/did:plc:eygmaihciaxprqvxpfvl6flk/post/3l3qo2vuowo2b"
    )
    assert post.text == "Trying out the new Acme kettle ☕"
    assert post.published_at == datetime(2024, 9, 9, 19, 46, 2, 102000, tzinfo=UTC)
    assert (post.author_handle, post.lang, post.likes) == (
        "did:plc:eygmaihciaxprqvxpfvl6flk",
        "en",
        0,
    )
    assert post.raw["time_us"] == 1725911162329308


def test_a_jetstream_event_without_created_at_uses_its_time():
    event = jetstream_event()
    del event["commit"]["record"]["createdAt"]
    post = normalize_jetstream_event(event)
    assert post.published_at == datetime(2024, 9, 9, 19, 46, 2, 329308, tzinfo=UTC)


@pytest.mark.parametrize(
    "event",
    [
        jetstream_event(operation="delete", record=None),
        jetstream_event(operation="update"),
        jetstream_event(collection="app.bsky.feed.like"),
        jetstream_event(record={"$type": "app.bsky.feed.post", "text": "", "createdAt": "x"}),
        {"did": "did:plc:x", "time_us": 1, "kind": "identity", "identity": {"handle": "a.b"}},
        {"did": "did:plc:x", "time_us": 1, "kind": "account", "account": {"active": False}},
        {"kind": "commit"},
        "not even a dict",
    ],
)
def test_jetstream_events_that_are_not_new_posts_give_none(event):
    assert normalize_jetstream_event(event) is None


def test_validate_config_cleans_an_account():
    assert bluesky.validate_config(
        {"query": "acme", "handle": "@acme.bsky.social", "app_password": "abcd-efgh"}
    ) == {
        "query": "acme",
        "max_pages": 5,
        "handle": "acme.bsky.social",
        "app_password": "abcd-efgh",
        "service": "https://bsky.social",
    }
