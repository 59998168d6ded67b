"""Sentiment of mentions: one interface, the backend named by a setting.

``get_backend().predict(texts, langs)`` gives one ``Sentiment`` per text. The backend is
``settings.SOCIALHUB_SENTIMENT_BACKEND`` (a dotted path to a class taking no arguments),
by default the linear models shipped in ``listening/nlp/models/``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

NEGATIVE = "negative"
NEUTRAL = "neutral"
POSITIVE = "positive"
LABELS = (NEGATIVE, NEUTRAL, POSITIVE)

DEFAULT_BACKEND = "listening.nlp.linear.LinearBackend"


@dataclass(frozen=True, slots=True)
class Sentiment:
    """A label and a score in [-1, 1] (P(positive) - P(negative) for the models).

    ``source`` says who decided: a model's language ("en", "zh", "ru"), "rule" for a
    brand's phrase rule, or "" when nothing could judge the text (then neutral, 0.0).
    """

    label: str
    score: float
    source: str = ""


UNJUDGED = Sentiment(NEUTRAL, 0.0, "")


class SentimentBackend(Protocol):
    """What a backend offers; ``langs`` holds ISO 639-1 codes (or "und"), one per text."""

    def predict(self, texts: list[str], langs: list[str]) -> list[Sentiment]: ...


def get_backend() -> SentimentBackend:
    """The configured backend, built once per process (models load on first use)."""
    return _backend(getattr(settings, "SOCIALHUB_SENTIMENT_BACKEND", DEFAULT_BACKEND))


@functools.cache
def _backend(path: str) -> SentimentBackend:
    return import_string(path)()


def predict_sentiment(
    texts: list[str],
    langs: list[str],
    rules: Iterable[tuple[str, str]] = (),
    backend: SentimentBackend | None = None,
) -> list[Sentiment]:
    """Sentiment of each text: a matching phrase rule wins over the model."""
    from listening.nlp.rules import as_tuple, compile_phrase_rules

    compiled = compile_phrase_rules(as_tuple(rules))
    results: list[Sentiment | None] = [compiled.apply(text) for text in texts]
    todo = [i for i, found in enumerate(results) if found is None]
    if todo:
        backend = backend or get_backend()
        predicted = backend.predict([texts[i] for i in todo], [langs[i] for i in todo])
        for i, sentiment in zip(todo, predicted, strict=True):
            results[i] = sentiment
    return results  # type: ignore[return-value]


def check_lengths(texts: Sequence[str], langs: Sequence[str]) -> None:
    """Backends take one language per text."""
    if len(texts) != len(langs):
        raise ValueError(f"{len(texts)} texts but {len(langs)} languages")
