"""Sentiment: the shipped models, the backend setting, and the optional transformer backend."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from listening.nlp.features import analyze
from listening.nlp.linear import MODELS_DIR, LinearBackend, LinearModel
from listening.nlp.sentiment import (
    LABELS,
    Sentiment,
    get_backend,
    predict_sentiment,
)
from listening.nlp.transformer import TransformerBackend, sentiment_labels

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def backend() -> LinearBackend:
    return LinearBackend()


CLEAR_EXAMPLES = [
    ("I love this phone, the camera is amazing!", "en", "positive"),
    ("Worst customer service ever. Never again.", "en", "negative"),
    ("This update broke everything, so annoying", "en", "negative"),
    ("The store opens at 9am tomorrow.", "en", "neutral"),
    ("客服态度非常好，下次还会再来。", "zh", "positive"),
    ("这个手机质量太差了，用了两天就坏了。", "zh", "negative"),
    ("太开心了[哈哈]", "zh", "positive"),
    ("气死我了[怒]", "zh", "negative"),
    ("Обожаю этот телефон, камера просто супер!", "ru", "positive"),
    ("Ужасное обслуживание, больше никогда сюда не приду.", "ru", "negative"),
    ("Михаил Мишустин провёл совещание", "ru", "neutral"),
    ("😍😍😍", "und", "positive"),
    ("😡", "und", "negative"),
]


@pytest.mark.parametrize(("text", "lang", "label"), CLEAR_EXAMPLES)
def test_it_reads_clear_examples(backend, text, lang, label):
    [sentiment] = backend.predict([text], [lang])
    assert sentiment.label == label
    assert -1.0 <= sentiment.score <= 1.0
    if label != "neutral":
        assert (sentiment.score > 0) == (label == "positive")


def test_it_uses_the_model_of_each_texts_language(backend):
    results = backend.predict(
        ["I love it", "我很喜欢", "Мне нравится", "Ich liebe es"], ["en", "zh", "ru", "de"]
    )
    assert [s.source for s in results] == ["en", "zh", "ru", ""]
    # No German model: not judged rather than judged by the English one.
    assert results[3] == Sentiment("neutral", 0.0, "")


def test_a_batch_gives_the_same_answers_as_single_texts(backend):
    texts = [text for text, _, _ in CLEAR_EXAMPLES]
    langs = [lang for _, lang, _ in CLEAR_EXAMPLES]
    assert backend.predict(texts, langs) == [
        backend.predict([t], [lang])[0] for t, lang in zip(texts, langs, strict=True)
    ]


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀", "!!!", "\x00", "\ud800 lone surrogate", "x" * 100_000, "好" * 100_000],
)
@pytest.mark.parametrize("lang", ["en", "zh", "ru", "und", "xx"])
def test_bad_input_never_crashes(backend, text, lang):
    [sentiment] = backend.predict([text], [lang])
    assert sentiment.label in LABELS
    assert -1.0 <= sentiment.score <= 1.0


def test_text_with_nothing_to_read_is_neutral(backend):
    assert backend.predict(["", "   "], ["en", "ru"]) == [Sentiment("neutral", 0.0, "")] * 2


def test_it_predicts_nothing_for_no_texts(backend):
    assert backend.predict([], []) == []


def test_it_wants_one_language_per_text(backend):
    with pytest.raises(ValueError):
        backend.predict(["one", "two"], ["en"])


@pytest.mark.parametrize("lang", ["en", "zh", "ru"])
def test_run_time_features_are_the_training_features(lang):
    # Run time caches each word's n-gram ids; the ids must be those of analyze(), which
    # the training script used.
    model = LinearModel(MODELS_DIR / f"sentiment-{lang}.npz")
    texts = [text for text, _, _ in CLEAR_EXAMPLES] + ["I don't like it, not good :( )))"] * 2
    for text in texts:
        expected = [model.vocab[f] for f in analyze(text, model.config) if f in model.vocab]
        assert Counter(model.feature_ids(text)) == Counter(expected)


def test_shipped_models_are_small_and_need_only_numpy():
    sizes = [path.stat().st_size for path in MODELS_DIR.glob("sentiment-*.npz")]
    assert len(sizes) == 3
    assert sum(sizes) < 25 * 1024 * 1024
    # A fresh interpreter: load and run every model, then check scikit-learn stayed out.
    code = (
        "import sys; from listening.nlp.linear import LinearBackend; "
        "print(LinearBackend().predict(['good', '好', 'хорошо'], ['en', 'zh', 'ru'])); "
        "assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True)


def test_the_default_backend_is_the_shipped_one():
    assert isinstance(get_backend(), LinearBackend)


class FixedBackend:
    """A backend that finds everything positive."""

    def predict(self, texts, langs):
        return [Sentiment("positive", 1.0, "fixed") for _ in texts]


@override_settings(SOCIALHUB_SENTIMENT_BACKEND="tests.listening.test_nlp_sentiment.FixedBackend")
def test_the_setting_chooses_the_backend():
    assert isinstance(get_backend(), FixedBackend)
    assert predict_sentiment(["awful"], ["en"]) == [Sentiment("positive", 1.0, "fixed")]


def test_phrase_rules_override_the_model(backend):
    texts = ["That camera is a killer feature", "Our store is a war zone today", "Awful."]
    results = predict_sentiment(
        texts,
        ["en"] * 3,
        rules=[("killer feature", "positive"), ("war zone", "neutral")],
        backend=backend,
    )
    assert results[0] == Sentiment("positive", 1.0, "rule")
    assert results[1] == Sentiment("neutral", 0.0, "rule")
    assert results[2].source == "en" and results[2].label == "negative"


def test_the_transformer_backend_says_when_no_directory_is_set(settings):
    settings.SOCIALHUB_SENTIMENT_TRANSFORMER_DIR = ""
    with pytest.raises(ImproperlyConfigured, match="SOCIALHUB_SENTIMENT_TRANSFORMER_DIR"):
        TransformerBackend()


def test_the_transformer_backend_says_when_the_directory_is_missing(tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(ImproperlyConfigured, match="no config.json"):
        TransformerBackend(missing)


def test_the_transformer_backend_says_when_the_library_is_missing(tmp_path, monkeypatch):
    (tmp_path / "config.json").write_text("{}")
    monkeypatch.setitem(sys.modules, "transformers", None)  # import fails as if not installed
    with pytest.raises(ImproperlyConfigured, match="pip install transformers torch"):
        TransformerBackend(tmp_path)


def test_transformer_labels_are_read_as_sentiment():
    assert sentiment_labels({0: "Negative", 1: "Neutral", 2: "Positive"}) == list(LABELS)
    assert sentiment_labels({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}) == list(LABELS)
    assert sentiment_labels({0: "NEG", 1: "POS"}) == ["negative", "positive"]
    assert sentiment_labels({i: f"{i + 1} stars" for i in range(1, 5)} | {0: "1 star"}) == [
        "negative",
        "negative",
        "neutral",
        "positive",
        "positive",
    ]
    with pytest.raises(ImproperlyConfigured):
        sentiment_labels({0: "joy", 1: "anger"})
