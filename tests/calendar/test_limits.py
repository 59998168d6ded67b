"""Per-platform text limits and the UTM builder."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from campaigns.calendar.limits import grapheme_count, limit_error
from campaigns.calendar.utm import build_utm_url, utm_values
from tests.calendar.conftest import make_account, make_post


def test_it_counts_bluesky_graphemes_not_code_points():
    family = "👨\u200d👩\u200d👧"  # one grapheme, five code points
    assert grapheme_count(family) == 1
    assert grapheme_count("e\u0301") == 1  # e + combining acute
    assert grapheme_count("🇫🇷🇩🇪") == 2  # two flags
    assert grapheme_count("👍🏽") == 1  # thumbs up with a skin tone


def test_it_allows_300_bluesky_graphemes_even_when_python_counts_more():
    text = "👍🏽" * 300
    assert len(text) == 600
    assert limit_error("bluesky", text) is None
    assert "1 over the 300-grapheme limit" in limit_error("bluesky", text + "!")


@pytest.mark.parametrize(
    ("platform", "limit"),
    [("x", 280), ("mastodon", 500), ("threads", 500), ("linkedin", 3000), ("instagram", 2200)],
)
def test_it_refuses_one_character_over_each_platforms_limit(platform, limit):
    assert limit_error(platform, "a" * limit) is None
    assert f"over the {limit}-character limit" in limit_error(platform, "a" * (limit + 1))


def test_a_post_over_the_limit_is_refused_and_not_saved(world):
    account = make_account(world, "x")

    with pytest.raises(ValidationError) as caught:
        make_post(world, account, text="a" * 281)

    assert (
        "281 characters: 1 over the 280-character limit of X"
        in caught.value.message_dict["text"][0]
    )
    assert not account.posts.exists()


def test_the_utm_builder_adds_and_replaces_parameters():
    url = build_utm_url(
        "https://acme.example/launch?ref=home&utm_source=old#top",
        source="mastodon",
        medium="social",
        campaign="spring launch",
        content="",
    )

    assert url == (
        "https://acme.example/launch?ref=home&utm_source=mastodon&utm_medium=social"
        "&utm_campaign=spring+launch#top"
    )
    assert utm_values(url) == {
        "source": "mastodon",
        "medium": "social",
        "campaign": "spring launch",
    }
    assert build_utm_url("", source="x") == ""
