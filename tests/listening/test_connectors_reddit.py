"""Reddit connector against the recorded PRAW cassettes (served by a MockTransport)."""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from listening.connectors import CONNECTORS, ParseError
from listening.http import HTTPStatusError, InvalidResponse
from tests.listening.fixtures.connectors.recorded import MockServer, always, body, recorded

SEARCH = "search_r_all_q-praw-oauth-search"
NEW = "r_askreddit_new"
reddit = CONNECTORS["reddit"]


def fetch(server, config=None, cursor=None):
    with server.client() as client:
        return reddit.fetch(config or {"query": "praw oauth search"}, cursor or {}, client)


def recorded_links(name=SEARCH) -> list[dict]:
    return [c["data"] for c in json.loads(body("reddit", f"{name}.json"))["data"]["children"]]


def listing(*links, after=None, kind="t3"):
    children = [{"kind": kind, "data": link} for link in links]
    return httpx.Response(
        200, json={"kind": "Listing", "data": {"children": children, "after": after}}
    )


def test_it_searches_reddit_without_credentials():
    server = MockServer((always, recorded("reddit", SEARCH)))
    result = fetch(server)

    (request,) = server.requests
    assert str(request.url).startswith("https://www.reddit.com/search.json?")
    assert dict(request.url.params) == {
        "limit": "100",
        "raw_json": "1",
        "q": "praw oauth search",
        "sort": "new",
    }
    assert "authorization" not in request.headers

    assert len(result.posts) == 6
    first = result.posts[0]
    assert first.platform == "reddit"
    assert first.external_id == "t3_3gpbiu"
    assert first.url == (
        "https://www.reddit.com/r/redditdev/comments/3gpbiu/prawoauth2util_problem_using_get_banned_raise/"
    )
    assert first.text.startswith(
        "[PRAW][OAuth2Util] Problem using get_banned() : raise Forbidden(_raw=response)\n\n# solved"
    )
    assert first.published_at == datetime(2015, 8, 12, 9, 8, 34, tzinfo=UTC)
    assert (first.author_handle, first.author_url) == (
        "dClauzel",
        "https://www.reddit.com/user/dClauzel",
    )
    assert (first.likes, first.replies) == (0, 21)
    japanese = result.posts[5]
    assert japanese.text.startswith(
        "たびたび話題になるサイドバーの閲覧中ユーザ数について（また）調べた\n\n## tl;dr"
    )
    assert japanese.raw["subreddit"] == "p18s"
    assert result.cursor == {"created_utc": 1458221634.0}


def test_it_reads_a_subreddits_newest_posts():
    server = MockServer((always, recorded("reddit", NEW)))
    result = fetch(server, {"subreddit": "r/AskReddit"})
    assert str(server.requests[0].url).startswith("https://www.reddit.com/r/AskReddit/new.json?")
    assert len(result.posts) == 100
    assert result.posts[0].external_id == "t3_48fbm9"
    assert result.posts[0].text == (
        "[Serious] Parents of Reddit, what's the biggest lie about yourself you've told your kids?"
    )
    assert result.cursor == {"created_utc": 1456821458.0}


def test_a_search_in_one_subreddit_is_restricted_to_it():
    server = MockServer((always, recorded("reddit", SEARCH)))
    fetch(server, {"query": "praw", "subreddit": "redditdev"})
    request = server.requests[0]
    assert request.url.path == "/r/redditdev/search.json"
    assert request.url.params["restrict_sr"] == "1"


def test_with_credentials_it_gets_a_token_and_reads_from_oauth_reddit_com():
    token = {"access_token": "tok-abc", "token_type": "bearer", "expires_in": 86400, "scope": "*"}
    server = MockServer(
        (lambda r: r.url.path == "/api/v1/access_token", httpx.Response(200, json=token)),
        (lambda r: r.url.host == "oauth.reddit.com", recorded("reddit", SEARCH)),
    )
    config = {"query": "praw oauth search", "client_id": "cid", "client_secret": "sec"}
    result = fetch(server, config)

    token_request, listing_request = server.requests
    assert token_request.method == "POST"
    assert str(token_request.url) == "https://www.reddit.com/api/v1/access_token"
    assert (
        token_request.headers["authorization"] == "Basic " + base64.b64encode(b"cid:sec").decode()
    )
    assert token_request.content == b"grant_type=client_credentials"
    assert str(listing_request.url).startswith("https://oauth.reddit.com/search.json?")
    assert listing_request.headers["authorization"] == "bearer tok-abc"
    assert len(result.posts) == 6


def test_refused_credentials_are_a_clear_error():
    server = MockServer((always, httpx.Response(401, json={"message": "Unauthorized"})))
    with pytest.raises(HTTPStatusError) as exc:
        fetch(server, {"query": "x", "client_id": "cid", "client_secret": "bad"})
    assert str(exc.value) == "https://www.reddit.com/api/v1/access_token answered 401 Unauthorized."

    server = MockServer((always, httpx.Response(200, json={"error": "unsupported_grant_type"})))
    with pytest.raises(ParseError) as exc:
        fetch(server, {"query": "x", "client_id": "cid", "client_secret": "bad"})
    assert str(exc.value) == (
        "Reddit did not issue an access token (unsupported_grant_type); "
        "check the client id and secret."
    )


def test_a_refused_anonymous_request_says_to_add_app_credentials():
    server = MockServer((always, httpx.Response(403, content=b"<html>blocked</html>")))
    with pytest.raises(HTTPStatusError) as exc:
        fetch(server)
    assert exc.value.status_code == 403
    assert str(exc.value) == (
        "Reddit refused the request without app credentials (403); add the client id and "
        "secret of a Reddit app to this source."
    )


def test_with_a_cursor_it_keeps_only_newer_posts_and_stops_there():
    server = MockServer((always, recorded("reddit", NEW)))
    result = fetch(server, {"subreddit": "AskReddit"}, {"created_utc": 1456821348.0})
    assert [p.external_id for p in result.posts] == [
        "t3_48fbm9",
        "t3_48fbig",
        "t3_48fbgl",
        "t3_48fbg9",
    ]
    assert len(server.requests) == 1


def test_with_an_older_cursor_it_follows_after_until_the_listing_ends():
    server = MockServer(
        (lambda r: "after" not in r.url.params, recorded("reddit", NEW)),
        (always, listing(after=None)),
    )
    result = fetch(server, {"subreddit": "AskReddit"}, {"created_utc": 1456000000.0})
    assert server.params(1)["after"] == "t3_48f6io"
    assert len(result.posts) == 100 and result.warnings == []


def test_only_posts_are_kept_and_removed_bodies_and_deleted_authors_are_dropped():
    removed, deleted_author = copy.deepcopy(recorded_links()[:2])
    removed["selftext"] = "[removed]"
    deleted_author["author"] = "[deleted]"
    server = MockServer(
        (
            always,
            httpx.Response(
                200,
                json={
                    "kind": "Listing",
                    "data": {
                        "after": None,
                        "children": [
                            {"kind": "t3", "data": removed},
                            {"kind": "t3", "data": deleted_author},
                            {"kind": "t1", "data": {"name": "t1_x", "body": "a comment"}},
                        ],
                    },
                },
            ),
        )
    )
    result = fetch(server)
    assert result.posts[0].text == removed["title"]
    assert (result.posts[1].author_handle, result.posts[1].author_url) == ("", "")
    assert result.skipped == 1


def test_emoji_only_long_and_future_posts():
    emoji, long, future = copy.deepcopy(recorded_links()[:3])
    emoji.update(title="🐍🐍", selftext="")
    long["selftext"] = "praw " * 25_000
    in_a_week = (timezone.now() + timedelta(days=7)).timestamp()
    future["created_utc"] = in_a_week
    result = fetch(MockServer((always, listing(emoji, long, future))))
    assert result.posts[0].text == "🐍🐍"
    assert len(result.posts[1].text) == 20_000
    assert result.posts[2].published_at <= timezone.now()
    assert result.posts[2].raw["created_utc"] == in_a_week
    assert result.cursor["created_utc"] <= timezone.now().timestamp()


def test_truncated_json_and_other_shapes_are_clear_errors():
    truncated = body("reddit", f"{SEARCH}.json")[:30_000]
    with pytest.raises(InvalidResponse, match="is not valid JSON"):
        fetch(MockServer((always, httpx.Response(200, content=truncated))))
    with pytest.raises(ParseError, match="did not answer with a Reddit listing"):
        fetch(MockServer((always, httpx.Response(200, json=[{"kind": "Listing"}]))))


@pytest.mark.parametrize(
    ("config", "errors"),
    [
        ({}, {"query"}),
        ({"subreddit": "no spaces allowed"}, {"subreddit"}),
        ({"query": "x", "client_id": "cid"}, {"client_secret"}),
        ({"query": "x", "client_secret": "s"}, {"client_id"}),
        ({"query": "x", "max_pages": "lots"}, {"max_pages"}),
    ],
)
def test_validate_config_names_the_wrong_fields(config, errors):
    with pytest.raises(ValidationError) as exc:
        reddit.validate_config(config)
    assert set(exc.value.message_dict) == errors


def test_validate_config_cleans_a_subreddit_name():
    assert reddit.validate_config({"subreddit": "/r/Python/"}) == {
        "subreddit": "Python",
        "max_pages": 5,
    }
