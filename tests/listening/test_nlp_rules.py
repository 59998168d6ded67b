"""Brand phrase rules: people correct machines."""

from __future__ import annotations

import pytest

from listening.nlp.rules import apply_phrase_rules
from listening.nlp.sentiment import Sentiment

RULES = [("killer feature", "positive"), ("war zone", "neutral"), ("killer", "negative")]


def test_it_matches_case_insensitively():
    assert apply_phrase_rules("This is a KILLER Feature!", RULES) == Sentiment(
        "positive", 1.0, "rule"
    )
    assert apply_phrase_rules("the mall is a War Zone", RULES) == Sentiment("neutral", 0.0, "rule")


def test_it_returns_none_when_no_rule_matches():
    assert apply_phrase_rules("Lovely weather today", RULES) is None
    assert apply_phrase_rules("anything", []) is None
    assert apply_phrase_rules("", RULES) is None


def test_the_longest_phrase_wins():
    assert apply_phrase_rules("a killer feature", RULES).label == "positive"
    assert apply_phrase_rules("a serial killer", RULES).label == "negative"


def test_between_equal_phrases_the_earlier_rule_wins():
    rules = [("meh", "negative"), ("MEH", "positive")]
    assert apply_phrase_rules("so meh", rules).label == "negative"


def test_it_matches_whole_words_only():
    assert apply_phrase_rules("killers everywhere", [("killer", "negative")]) is None
    assert apply_phrase_rules("warzone", [("war zone", "neutral")]) is None


def test_it_allows_any_whitespace_between_words():
    assert apply_phrase_rules("killer\n  feature", RULES).label == "positive"


def test_it_matches_inside_unspaced_chinese_text():
    rules = [("杀手级功能", "positive")]
    assert apply_phrase_rules("这个相机真是杀手级功能啊", rules).label == "positive"


def test_it_treats_regex_characters_literally():
    assert apply_phrase_rules("price is $9.99 (!)", [("$9.99 (!)", "negative")]).label == (
        "negative"
    )
    assert apply_phrase_rules("price is $9199", [("$9.99", "negative")]) is None


def test_it_rejects_an_unknown_label():
    with pytest.raises(ValueError, match="great"):
        apply_phrase_rules("text", [("phrase", "great")])


def test_blank_phrases_match_nothing():
    assert apply_phrase_rules("anything", [("  ", "positive")]) is None
