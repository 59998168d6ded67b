"""Language detection: real posts in, ISO 639-1 codes out, never a crash."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from listening.nlp.language import detect_language, detect_languages

DATA = Path(__file__).parent / "data"


def shared_data_samples() -> list[tuple[str, str]]:
    """Tweets and Weibo posts copied from shared/data/sentiment (en, zh, ru)."""
    with open(DATA / "language_samples.csv", newline="", encoding="utf-8") as f:
        return [(row["text"], row["lang"]) for row in csv.DictReader(f)]


# Posts written for these tests, in the register of social media.
WRITTEN_SAMPLES = [
    ("Ich liebe dieses Handy, der Akku hält ewig", "de"),
    ("Das ist ja wohl ein Witz, seit drei Tagen kein Internet!", "de"),
    ("Der Kundenservice war leider eine totale Katastrophe, nie wieder!", "de"),
    ("¿Alguien sabe a qué hora abre la tienda mañana?", "es"),
    ("Me encanta este producto, lo recomiendo totalmente.", "es"),
    ("El servicio al cliente fue horrible, nunca más compro aquí.", "es"),
    ("J'adore ce nouveau téléphone, l'écran est magnifique.", "fr"),
    ("Le service client est vraiment nul, je suis très déçu.", "fr"),
    ("Il y a trop de monde dans le métro ce matin", "fr"),
    ("今日はとても良い天気ですね。散歩に行きましょう。", "ja"),
    ("新しいスマホを買ったけど、バッテリーがすぐ切れる", "ja"),
    ("東京駅で友達と待ち合わせ中", "ja"),
    ("这个手机质量太差了，用了两天就坏了。", "zh"),
    ("東京", "zh"),  # two Han characters and no kana: read as Chinese
    ("Сегодня отличная погода, пойдём гулять.", "ru"),
    ("да", "ru"),
    ("Сьогодні чудова погода, підемо гуляти.", "uk"),
    ("Това е най-добрият телефон, който съм имал.", "bg"),
    ("오늘 날씨가 정말 좋네요", "ko"),
    ("I love this phone, the camera is amazing!", "en"),
]


@pytest.mark.parametrize(("text", "lang"), shared_data_samples())
def test_it_detects_the_language_of_real_posts(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize(("text", "lang"), WRITTEN_SAMPLES)
def test_it_detects_major_languages(text, lang):
    assert detect_language(text) == lang


def test_it_reads_the_post_not_its_mentions_links_and_emoticons():
    # English user names and a URL around a Russian post; a Weibo post full of @names.
    assert detect_language("@john_smith @acme_support Купил наушники https://t.co/x") == "ru"
    assert detect_language("谢谢//@HelloKitty:@BobSmith @AliceJones [哈哈][哈哈]") == "zh"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "😀😀😀",
        "!!! ???",
        "12345 678",
        "ok",
        "@user https://example.com",
        "#tbt",
        "\x00\x01",
    ],
)
def test_it_says_und_when_there_is_no_language(text):
    assert detect_language(text) == "und"


@pytest.mark.parametrize(
    "text",
    [
        "x" * 100_000,
        "The quick brown fox. " * 5_000,
        "中文" * 50_000,
        "\ud800 lone surrogate inside an English sentence",
        "a NUL\x00 inside an English sentence",
        "mixed 中文 English русский 日本語です 한국어",
    ],
)
def test_it_never_crashes(text):
    result = detect_language(text)
    assert result == "und" or len(result) == 2


def test_control_characters_do_not_hide_the_text():
    assert detect_language("hello\x00world, this is an English sentence") == "en"


def test_it_detects_a_batch():
    assert detect_languages(["Hello there, how are you doing today?", "你好，今天天气很好"]) == [
        "en",
        "zh",
    ]
