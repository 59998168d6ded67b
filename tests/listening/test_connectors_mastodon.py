"""Mastodon connector against the recorded Mastodon.py cassettes (served by a MockTransport)."""

from __future__ import annotations

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

INSTANCE = "http://localhost:3000"
TAG = "fgiztsshwiaqqiztpmmjbtvmescsculuvmgjgopwoeidbcrixp"
mastodon = CONNECTORS["mastodon"]


def fetch(server, config=None, cursor=None):
    with server.client() as client:
        return mastodon.fetch(config or {"instance": INSTANCE, "tag": "hoot"}, cursor or {}, client)


def hoot_status() -> dict:
    return json.loads(body("mastodon", "timelines_tag_hoot.json"))[0]


def serve_statuses(*statuses):
    return MockServer((always, httpx.Response(200, json=list(statuses))))


def by_max_id(max_id):
    return lambda request: request.url.params.get("max_id") == max_id


def paged_timeline():
    return MockServer(
        (by_max_id(None), recorded("mastodon", "timelines_tag_page1")),
        (by_max_id("117020582177108552"), recorded("mastodon", "timelines_tag_page2")),
        (by_max_id("117020582097668259"), recorded("mastodon", "timelines_tag_page3")),
        (by_max_id("117020582018205171"), recorded("mastodon", "timelines_tag_page4_empty")),
    )


# --- hashtag timeline -------------------------------------------------------------------------


def test_it_reads_a_hashtag_timeline():
    server = MockServer((always, recorded("mastodon", "timelines_tag_hoot")))
    result = fetch(server)

    (post,) = result.posts
    assert post.platform == "mastodon"
    assert post.external_id == (
        "http://localhost:3000/ap/users/117020566092212359/statuses/117020593741189701"
    )
    assert post.url == "http://localhost:3000/@mastodonpy_test_2/117020593741189701"
    assert post.text == "#hoot (hashtag toot)"
    assert post.published_at == datetime(2026, 8, 1, 13, 55, 55, 867000, tzinfo=UTC)
    assert post.author_handle == "mastodonpy_test_2@localhost"
    assert post.author_name == "mastodonpy_test_2"
    assert post.author_url == "http://localhost:3000/@mastodonpy_test_2"
    assert (post.author_followers, post.lang) == (0, "ja")
    assert post.raw["application"]["name"] == "Mastodon.py test suite"
    assert result.cursor == {"since_id": "117020593741189701"}

    (request,) = server.requests
    assert request.url.path == "/api/v1/timelines/tag/hoot"
    assert dict(request.url.params) == {"limit": "40"}
    assert "authorization" not in request.headers


def test_it_strips_html_and_reads_engagement_and_languages():
    server = MockServer((always, recorded("mastodon", "timelines_public")))
    result = fetch(server)
    texts = [p.text for p in result.posts]
    assert texts[:3] == [
        "Toot, finally!",
        "you can't say that on television",
        "it's cool guy too",
    ]
    assert "@mastodonpy_test beep beep I'm a jeep" in texts
    assert [p.lang for p in result.posts].count("ja") == 2
    admin = result.posts[1]
    assert (admin.author_handle, admin.author_followers, admin.reach) == ("admin@localhost", 1, 1)


def test_a_first_fetch_reads_only_the_newest_page():
    server = paged_timeline()
    result = fetch(server, {"instance": INSTANCE, "tag": TAG})
    assert len(server.requests) == 1
    assert len(result.posts) == 10
    assert result.posts[0].text.startswith("Toot number 29! #fgiztss")
    assert result.cursor == {"since_id": "117020582251615632"}


def test_with_a_cursor_it_pages_back_until_the_timeline_ends():
    server = paged_timeline()
    cursor = {"since_id": "117020500000000000"}
    result = fetch(server, {"instance": INSTANCE, "tag": TAG}, cursor)

    assert [server.params(i).get("max_id") for i in range(4)] == [
        None,
        "117020582177108552",
        "117020582097668259",
        "117020582018205171",
    ]
    assert all(server.params(i)["since_id"] == "117020500000000000" for i in range(4))
    assert len(result.posts) == 30
    assert result.posts[-1].text.startswith("Toot number 0!")
    assert result.cursor == {"since_id": "117020582251615632"}
    assert result.warnings == []


def test_it_stops_at_max_pages_and_says_posts_may_be_missing():
    server = paged_timeline()
    config = {"instance": INSTANCE, "tag": TAG, "max_pages": 2}
    result = fetch(server, config, {"since_id": "117020500000000000"})
    assert len(server.requests) == 2
    assert len(result.posts) == 20
    assert result.warnings == [
        "Stopped after 2 pages of new posts; some posts between this fetch and the last may be "
        "missing."
    ]


def test_statuses_not_newer_than_the_cursor_are_dropped():
    server = MockServer((always, recorded("mastodon", "timelines_tag_page1")))
    result = fetch(server, {"instance": INSTANCE, "tag": TAG}, {"since_id": "117020582210651625"})
    assert [p.text.split("!")[0] for p in result.posts] == [
        "Toot number 29",
        "Toot number 28",
        "Toot number 27",
        "Toot number 26",
        "Toot number 25",
    ]
    assert len(server.requests) == 1  # the cursor was reached: no need to page back


def test_a_link_header_never_chooses_the_host():
    page = [hoot_status()]
    evil_link = '<http://169.254.169.254/latest/meta-data/?max_id=5>; rel="next"'
    server = MockServer(
        (by_max_id(None), httpx.Response(200, json=page, headers={"link": evil_link})),
        (always, httpx.Response(200, json=[])),
    )
    fetch(server, cursor={"since_id": "1"})
    assert [str(r.url.host) for r in server.requests] == ["localhost", "localhost"]
    assert server.params(1)["max_id"] == "5"


# --- status search ----------------------------------------------------------------------------


def test_search_needs_a_token_and_sends_it():
    config = {"instance": INSTANCE, "query": "mastodonpy_test", "access_token": "tok-123"}
    server = MockServer((always, recorded("mastodon", "search_v2_type_statuses")))
    result = fetch(server, config, {"since_id": "117020593741189701"})

    assert result.posts == [] and result.cursor == {"since_id": "117020593741189701"}
    (request,) = server.requests
    assert request.url.path == "/api/v2/search"
    assert dict(request.url.params) == {
        "q": "mastodonpy_test",
        "type": "statuses",
        "limit": "40",
        "resolve": "false",
        "min_id": "117020593741189701",
    }
    assert request.headers["authorization"] == "Bearer tok-123"


def test_search_results_become_posts():
    config = {"instance": INSTANCE, "query": "hoot", "access_token": "tok-123"}
    answer = {"accounts": [], "statuses": [hoot_status()], "hashtags": []}
    result = fetch(MockServer((always, httpx.Response(200, json=answer))), config)
    assert [p.text for p in result.posts] == ["#hoot (hashtag toot)"]


# --- the post rules on statuses ---------------------------------------------------------------


def test_a_boost_is_the_boosted_status():
    boost = copy.deepcopy(hoot_status())
    boost.update(id="999999999999999999", uri="http://remote.example/boost/1", content="")
    boost["reblog"] = hoot_status()
    (post,) = fetch(serve_statuses(boost)).posts
    assert post.external_id.endswith("/statuses/117020593741189701")


def test_a_content_warning_comes_before_the_text_and_remote_handles_are_kept():
    status = hoot_status()
    status.update(spoiler_text="Spoilers", content="<p>The butler did it</p>")
    status["account"].update(acct="jane@remote.example", display_name="Jane", followers_count=87)
    (post,) = fetch(serve_statuses(status)).posts
    assert post.text == "Spoilers\n\nThe butler did it"
    assert (post.author_handle, post.author_name, post.reach) == ("jane@remote.example", "Jane", 87)


def test_an_emoji_only_status_is_kept_and_a_status_without_text_is_skipped():
    emoji, media_only = hoot_status(), hoot_status()
    emoji.update(id="117020593741189702", uri="http://x/1", content="<p>🦣🦣🦣</p>")
    media_only.update(id="117020593741189703", uri="http://x/2", content="", spoiler_text="")
    result = fetch(serve_statuses(emoji, media_only))
    assert [p.text for p in result.posts] == ["🦣🦣🦣"]
    assert result.skipped == 1
    assert result.cursor == {"since_id": "117020593741189703"}  # skipped ones still move it


def test_a_100kb_status_is_capped():
    status = hoot_status()
    status["content"] = "<p>" + "toot " * 20_000 + "</p>"
    (post,) = fetch(serve_statuses(status)).posts
    assert len(post.text) == 20_000
    assert len(post.raw["content"]) == 20_000


def test_a_future_timestamp_is_clamped_and_raw_keeps_it():
    status = hoot_status()
    future = (timezone.now() + timedelta(days=400)).isoformat()
    status["created_at"] = future
    (post,) = fetch(serve_statuses(status)).posts
    assert post.published_at <= timezone.now()
    assert post.raw["created_at"] == future


def test_truncated_json_is_a_clear_error():
    truncated = body("mastodon", "timelines_tag_page1.json")[:5000]
    server = MockServer((always, httpx.Response(200, content=truncated)))
    with pytest.raises(InvalidResponse) as exc:
        fetch(server)
    assert str(exc.value).startswith(
        "The response from http://localhost:3000/api/v1/timelines/tag/hoot?limit=40 is not "
        "valid JSON"
    )


def test_an_object_instead_of_a_list_is_a_parse_error():
    server = MockServer((always, httpx.Response(200, json={"error": "Record not found"})))
    with pytest.raises(ParseError, match="did not answer with a list of statuses"):
        fetch(server)


def test_an_http_error_is_raised_with_its_status():
    server = MockServer(
        (always, httpx.Response(401, json={"error": "The access token is invalid"}))
    )
    with pytest.raises(HTTPStatusError) as exc:
        fetch(server)
    assert exc.value.status_code == 401
    assert str(exc.value) == (
        "http://localhost:3000/api/v1/timelines/tag/hoot?limit=40 answered 401 Unauthorized "
        "(The access token is invalid)."
    )


# --- the Source form ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "errors"),
    [
        ({}, {"instance", "tag"}),
        ({"instance": "mastodon.social"}, {"tag"}),
        ({"instance": "mastodon.social", "tag": "a b"}, {"tag"}),
        ({"instance": "mastodon.social", "tag": "x", "query": "y"}, {"query"}),
        ({"instance": "mastodon.social", "query": "acme"}, {"access_token"}),
        ({"instance": "ftp://mastodon.social", "tag": "x"}, {"instance"}),
        ({"instance": "https://mastodon.social/@jane", "tag": "x"}, {"instance"}),
        ({"instance": "10.0.0.8", "tag": "x"}, {"instance"}),
        ({"instance": "mastodon.social", "tag": "x", "max_pages": 0}, {"max_pages"}),
    ],
)
def test_validate_config_names_the_wrong_fields(config, errors):
    with pytest.raises(ValidationError) as exc:
        mastodon.validate_config(config)
    assert set(exc.value.message_dict) == errors


def test_validate_config_cleans_a_good_config():
    assert mastodon.validate_config({"instance": "mastodon.social/", "tag": "#Coffee"}) == {
        "instance": "https://mastodon.social",
        "tag": "Coffee",
        "max_pages": 5,
    }
    assert mastodon.validate_config(
        {"instance": "https://fosstodon.org", "query": "acme", "access_token": " t "}
    ) == {
        "instance": "https://fosstodon.org",
        "query": "acme",
        "access_token": "t",
        "max_pages": 5,
    }
