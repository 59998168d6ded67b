"""The shared connector rules: the generic item shape, text cleaning, time, the registry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from listening.connectors import CONNECTORS, ConfigError, get_connector, normalize_item
from listening.connectors.base import (
    MAX_TEXT_CHARS,
    build_post,
    cap_raw,
    normalize_lang,
    parse_timestamp,
)
from listening.connectors.text import clean_text, html_to_text, join_parts
from listening.models import Source


def item(**overrides):
    base = {
        "platform": "import",
        "external_id": "row-1",
        "text": "Acme's new kettle is great",
        "published_at": "2025-05-19T17:10:09Z",
    }
    base.update(overrides)
    return base


# --- registry ---------------------------------------------------------------------------------


def test_the_registry_covers_every_fetched_source_kind():
    fetched = set(Source.Kind.values) - {Source.Kind.FILE, Source.Kind.PUSH}
    assert set(CONNECTORS) == fetched
    for kind, connector in CONNECTORS.items():
        assert connector.kind == kind
        assert get_connector(kind) is connector


@pytest.mark.parametrize("kind", ["file", "push", "twitter"])
def test_kinds_without_a_connector_are_a_lookup_error(kind):
    with pytest.raises(LookupError, match=kind):
        get_connector(kind)


def test_a_stored_config_that_no_longer_validates_is_a_config_error():
    with pytest.raises(ConfigError) as exc:
        CONNECTORS["rss"].clean({"url": "ftp://example.com/feed"})
    assert (
        str(exc.value) == "The source settings are not valid (url: Enter an http(s) feed address.)."
    )


# --- normalize_item (file import, push API) ---------------------------------------------------


def test_it_normalizes_a_complete_item():
    post = normalize_item(
        item(
            url="https://example.com/p/1",
            author_handle="jane",
            author_name="Jane Doe",
            author_url="https://example.com/u/jane",
            author_followers="1200",
            lang="pt-BR",
            likes=3,
            shares="2",
            replies=1,
            reach=5000,
        )
    )
    assert post.platform == "import"
    assert post.external_id == "row-1"
    assert post.text == "Acme's new kettle is great"
    assert post.published_at == datetime(2025, 5, 19, 17, 10, 9, tzinfo=UTC)
    assert (post.author_handle, post.author_name, post.author_followers) == (
        "jane",
        "Jane Doe",
        1200,
    )
    assert post.lang == "pt"
    assert (post.likes, post.shares, post.replies, post.reach) == (3, 2, 1, 5000)
    assert post.raw["author_name"] == "Jane Doe"


def test_the_platform_can_come_from_the_caller():
    data = item()
    del data["platform"]
    assert normalize_item(data, platform="api").platform == "api"


def test_every_bad_field_is_reported_at_once():
    with pytest.raises(ValidationError) as exc:
        normalize_item(
            {
                "platform": "myspace",
                "external_id": "",
                "text": "   ",
                "published_at": "yesterday-ish",
                "url": "javascript:alert(1)",
                "author_url": "not a url",
                "likes": -1,
                "shares": "many",
                "author_followers": True,
                "lang": "english!",
                "author_handle": "x" * 300,
                "raw": ["not", "a", "dict"],
            }
        )
    errors = exc.value.message_dict
    assert set(errors) == {
        "platform",
        "external_id",
        "text",
        "published_at",
        "url",
        "author_url",
        "likes",
        "shares",
        "author_followers",
        "lang",
        "author_handle",
        "raw",
    }
    assert errors["published_at"] == [
        "Enter a date and time in ISO 8601, e.g. 2025-05-19T17:10:09Z."
    ]
    assert errors["text"] == ["This field is required: the post's text."]


def test_missing_required_fields_are_reported():
    with pytest.raises(ValidationError) as exc:
        normalize_item({"platform": "api"})
    assert set(exc.value.message_dict) == {"external_id", "text", "published_at"}


def test_an_item_that_is_not_an_object_is_refused():
    with pytest.raises(ValidationError) as exc:
        normalize_item(["a", "list"])  # type: ignore[arg-type]
    assert "item" in exc.value.message_dict


def test_an_emoji_only_post_is_kept():
    assert normalize_item(item(text="🔥🔥🔥")).text == "🔥🔥🔥"


def test_a_100kb_post_is_kept_with_its_text_capped():
    long_text = "kettle " * 15_000  # 105,000 characters
    post = normalize_item(item(text=long_text))
    assert len(post.text) == MAX_TEXT_CHARS == 20_000
    assert post.text.startswith("kettle kettle")
    assert len(post.raw["text"]) == MAX_TEXT_CHARS  # raw strings are capped too


def test_a_future_timestamp_is_clamped_to_now_and_raw_keeps_it():
    future = (timezone.now() + timedelta(days=3)).isoformat()
    before = timezone.now()
    post = normalize_item(item(published_at=future))
    assert before <= post.published_at <= timezone.now()
    assert post.raw["published_at"] == future


def test_a_naive_timestamp_is_utc_and_epoch_seconds_work():
    assert normalize_item(item(published_at="2025-01-02T03:04:05")).published_at == datetime(
        2025, 1, 2, 3, 4, 5, tzinfo=UTC
    )
    assert normalize_item(item(published_at=1403235154)).published_at == datetime(
        2014, 6, 20, 3, 32, 34, tzinfo=UTC
    )


def test_an_integer_external_id_is_accepted_as_text():
    assert normalize_item(item(external_id=7919418)).external_id == "7919418"


# --- the rules behind every connector ---------------------------------------------------------


def test_a_post_without_text_is_skipped():
    kwargs = {"platform": "rss", "external_id": "x", "published_at": None}
    assert build_post(text="", **kwargs) is None
    assert build_post(text=" \n\t ", **kwargs) is None
    assert build_post(text=html_to_text("<p> <img src='x.png'> </p>"), **kwargs) is None


def test_build_post_drops_unsafe_urls_and_fits_long_ids():
    post = build_post(
        platform="rss",
        external_id="tag:" + "x" * 300,
        text="hello",
        published_at=None,
        url="javascript:alert(1)",
        author_url="data:text/html,hi",
    )
    assert post.url == "" and post.author_url == ""
    assert post.external_id.startswith("sha256:") and len(post.external_id) == 71


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-05-19T17:10:09.561858Z", datetime(2025, 5, 19, 17, 10, 9, 561858, tzinfo=UTC)),
        ("2026-08-01T13:55:55.867Z", datetime(2026, 8, 1, 13, 55, 55, 867000, tzinfo=UTC)),
        ("2025-05-19T02:03:20.286393+00:00", datetime(2025, 5, 19, 2, 3, 20, 286393, tzinfo=UTC)),
        ("2024-09-09T19:46:02.102123456Z", datetime(2024, 9, 9, 19, 46, 2, 102123, tzinfo=UTC)),
        ("2025-05-19T19:10:09+02:00", datetime(2025, 5, 19, 17, 10, 9, tzinfo=UTC)),
        (1456821458.0, datetime(2016, 3, 1, 8, 37, 38, tzinfo=UTC)),
        ("not a date", None),
        (None, None),
        (True, None),
        (10**20, None),
    ],
)
def test_parse_timestamp(value, expected):
    assert parse_timestamp(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("en", "en"), ("EN-us", "en"), ("pt_BR", "pt"), ("zh-cn", "zh"), ("und", None), ("", None)],
)
def test_normalize_lang(value, expected):
    assert normalize_lang(value) == expected


def test_html_to_text_keeps_words_and_line_breaks_and_drops_scripts():
    html = (
        "<p>Hello <b>world</b> &amp; friends&#x27;</p><script>alert('x')</script>"
        "<style>p{}</style><ul><li>one</li><li>two</li></ul>caf&eacute;<br>end"
    )
    assert html_to_text(html) == "Hello world & friends'\n\none\n\ntwo\n\ncafé\nend"


def test_html_to_text_survives_broken_html():
    assert html_to_text("<p>unclosed <b>bold <i>italic") == "unclosed bold italic"
    assert html_to_text("<<<>>>&&&;") == "<<<>>>&&&;"


def test_clean_text_removes_nul_and_control_characters():
    assert clean_text("a\x00b\x07c\r\nd\u200b") == "abc\nd\u200b"
    assert cap_raw({"k": ["x\x00y", 1, None, datetime(2025, 1, 1, tzinfo=UTC)]}) == {
        "k": ["xy", 1, None, "2025-01-01T00:00:00+00:00"]
    }


def test_join_parts_does_not_repeat_a_title_the_body_starts_with():
    assert join_parts("Title", "Body text") == "Title\n\nBody text"
    assert join_parts("Good morning…", "Good morning students!") == "Good morning students!"
    assert join_parts("", "Body") == "Body"
    assert join_parts("Title", "") == "Title"
