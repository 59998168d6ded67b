"""Hacker News connector against recorded Algolia HN Search responses."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from listening.connectors import CONNECTORS, ParseError
from listening.http import InvalidResponse
from tests.listening.fixtures.connectors.recorded import MockServer, always, body, recorded

COMMENT = "search_by_date_q-apple_tags-comment"
STORY = "search_q-apple_tags-story"
ASK = "search_q-apple_tags-ask_hn_page-2"
hackernews = CONNECTORS["hackernews"]


def fetch(server, config=None, cursor=None):
    with server.client() as client:
        return hackernews.fetch(config or {"query": "apple"}, cursor or {}, client)


def hit(name=COMMENT) -> dict:
    return json.loads(body("hackernews", f"{name}.json"))["hits"][0]


def hits(*items, pages=1):
    return httpx.Response(200, json={"hits": list(items), "page": 0, "nbPages": pages})


def test_it_searches_by_date_for_stories_and_comments():
    server = MockServer((always, recorded("hackernews", COMMENT)))
    result = fetch(server)

    (request,) = server.requests
    assert str(request.url).startswith("https://hn.algolia.com/api/v1/search_by_date?")
    assert dict(request.url.params) == {
        "query": "apple",
        "tags": "(story,comment)",
        "hitsPerPage": "100",
        "page": "0",
    }
    (post,) = result.posts
    assert post.platform == "hackernews"
    assert post.external_id == "7919418"
    assert post.url == "https://news.ycombinator.com/item?id=7919418"
    assert post.text.startswith(
        "Yeah the article seems stupid, while technically they aren't contributing to the "
        "scholarship they do pay tuition for the last 2 years.\nI'm not the biggest fan"
    )
    assert "Starbucks/Wal-Mart" in post.text and "<i>" not in post.text
    assert post.published_at == datetime(2014, 6, 20, 3, 32, 34, tzinfo=UTC)
    assert (post.author_handle, post.author_url) == (
        "fleitz",
        "https://news.ycombinator.com/user?id=fleitz",
    )
    assert (post.likes, post.replies, post.lang) == (1, 0, None)
    assert "_highlightResult" not in post.raw and post.raw["story_id"] == 7918547
    assert result.cursor == {"created_at_i": 1403235154}


def test_a_story_is_its_title_and_text():
    story = fetch(MockServer((always, recorded("hackernews", STORY)))).posts[0]
    assert story.text == "Steve Jobs Resigns as CEO of Apple"
    assert (story.likes, story.replies) == (1638, 308)

    ask = fetch(MockServer((always, recorded("hackernews", ASK)))).posts[0]
    assert ask.text.startswith(
        "Ask HN: How many people upset over Apple's rules are actually iPhone developers?\n\n"
        "It would be interesting to know"
    )
    assert ask.published_at == datetime(2010, 4, 11, 5, 1, 43, tzinfo=UTC)


def test_with_a_cursor_it_asks_for_newer_hits_and_pages():
    server = MockServer(
        (lambda r: r.url.params["page"] == "0", recorded("hackernews", COMMENT)),
        (always, recorded("hackernews", STORY)),
    )
    result = fetch(server, {"query": "apple", "max_pages": 2}, {"created_at_i": 1300000000})
    assert [server.params(i)["page"] for i in range(2)] == ["0", "1"]
    assert server.params(0)["numericFilters"] == "created_at_i>1300000000"
    assert [p.external_id for p in result.posts] == ["7919418", "2922756"]
    assert result.cursor == {"created_at_i": 1403235154}
    assert "Stopped after 2 pages" in result.warnings[0]


def test_it_stops_at_the_last_page():
    server = MockServer((always, hits(hit(), pages=1)))
    result = fetch(server, cursor={"created_at_i": 1})
    assert len(server.requests) == 1 and result.warnings == []


def test_the_post_rules_on_hits():
    empty_story = dict(hit(STORY), objectID="1", title="", story_text="<p></p>")
    emoji = dict(hit(), objectID="2", comment_text="<p>🍎🍎</p>")
    long = dict(hit(), objectID="3", comment_text="<p>" + "apple " * 20_000 + "</p>")
    future_time = int((timezone.now() + timedelta(days=1)).timestamp())
    future = dict(hit(), objectID="4", created_at_i=future_time)
    result = fetch(MockServer((always, hits(empty_story, emoji, long, future))))

    assert [p.external_id for p in result.posts] == ["2", "3", "4"]
    assert result.skipped == 1
    assert result.posts[0].text == "🍎🍎"
    assert len(result.posts[1].text) == 20_000
    assert result.posts[2].published_at <= timezone.now()
    assert result.posts[2].raw["created_at_i"] == future_time
    assert result.cursor["created_at_i"] <= timezone.now().timestamp()


def test_truncated_json_and_other_shapes_are_clear_errors():
    truncated = body("hackernews", f"{COMMENT}.json")[:700]
    with pytest.raises(InvalidResponse, match="is not valid JSON"):
        fetch(MockServer((always, httpx.Response(200, content=truncated))))
    with pytest.raises(ParseError, match="did not answer with search hits"):
        fetch(MockServer((always, httpx.Response(200, json={"message": "rate limited"}))))


@pytest.mark.parametrize(
    ("config", "errors"),
    [({}, {"query"}), ({"query": "x", "tags": ["story", "job"]}, {"tags"})],
)
def test_validate_config_names_the_wrong_fields(config, errors):
    with pytest.raises(ValidationError) as exc:
        hackernews.validate_config(config)
    assert set(exc.value.message_dict) == errors


def test_validate_config_accepts_tags_as_algolia_writes_them():
    assert hackernews.validate_config({"query": "acme", "tags": "(story, comment)"}) == {
        "query": "acme",
        "tags": ["story", "comment"],
        "max_pages": 5,
    }
