"""The default sentiment backend: one linear model per language, numpy only.

Each model is a file ``listening/nlp/models/sentiment-<lang>.npz`` written by
``scripts/train_sentiment.py``: a vocabulary of feature strings (see features.py), their
idf, the logistic-regression weights (float16) and a JSON header. A text's features are
weighted as scikit-learn's TfidfVectorizer(sublinear_tf=True) does — (1 + ln tf) · idf,
then L2-normalised — and the class probabilities are the softmax of the linear scores.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np

from listening.nlp.features import FeatureConfig, char_ngrams, text_features
from listening.nlp.sentiment import (
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    UNJUDGED,
    Sentiment,
    check_lengths,
)

MODELS_DIR = Path(__file__).resolve().parent / "models"
FORMAT = "socialhub-linear-sentiment/1"
# Words whose character n-gram ids are remembered (a few MB at most); then the memory
# starts over. Longer "words" (hashes, links without a scheme) seldom come back.
WORD_CACHE_SIZE = 50_000
CACHED_WORD_LENGTH = 20


class LinearModel:
    """One language's model, loaded from its .npz file."""

    def __init__(self, path: Path):
        with np.load(path, allow_pickle=False) as data:
            self.meta = json.loads(data["meta"].tobytes().decode("utf-8"))
            if self.meta.get("format") != FORMAT:
                raise ValueError(f"{path} is not a {FORMAT} model")
            features = data["vocab"].tobytes().decode("utf-8").split("\n")
            self.idf = data["idf"].astype(np.float32)
            self.coef = data["coef"].astype(np.float32)
            self.intercept = data["intercept"].astype(np.float32)
        self.vocab = {feature: i for i, feature in enumerate(features)}
        self.classes: list[str] = self.meta["classes"]
        self.config = FeatureConfig(
            **{**self.meta["features"], "negators": frozenset(self.meta["features"]["negators"])}
        )
        # A two-class model (no neutral examples to learn from) calls a text neutral
        # when P(positive) - P(negative) falls within this band.
        self.neutral_band = float(self.meta.get("neutral_band", 0.0))
        self._word_ids: dict[str, list[int]] = {}

    def feature_ids(self, text: str) -> list[int]:
        """Vocabulary ids of the text's features: the ids of analyze(text), made faster
        by remembering each word's character n-gram ids."""
        get = self.vocab.get
        feats, words = text_features(text, self.config)
        ids = [i for i in map(get, feats) if i is not None]
        cache = self._word_ids
        for word in words:
            word_ids = cache.get(word)
            if word_ids is None:
                word_ids = [i for i in map(get, char_ngrams(word, self.config)) if i is not None]
                if len(word) <= CACHED_WORD_LENGTH:
                    if len(cache) >= WORD_CACHE_SIZE:
                        cache.clear()
                    cache[word] = word_ids
            ids += word_ids
        return ids

    def probabilities(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(class probabilities, whether any known feature was seen), one row per text."""
        ids: list[int] = []
        lengths = []
        for text in texts:
            found = self.feature_ids(text)
            ids += found
            lengths.append(len(found))
        n = len(texts)
        size = len(self.vocab)
        rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
        keys, counts = np.unique(rows * size + np.asarray(ids, dtype=np.int64), return_counts=True)
        rows, cols = np.divmod(keys, size)
        values = (1.0 + np.log(counts)) * self.idf[cols]
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=n))
        values /= np.where(norms > 0, norms, 1.0)[rows]
        logits = np.empty((n, len(self.classes)), dtype=np.float64)
        for c in range(len(self.classes)):
            logits[:, c] = np.bincount(rows, weights=values * self.coef[cols, c], minlength=n)
        logits += self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        return probs, np.asarray(lengths) > 0

    def predict(self, texts: list[str], source: str) -> list[Sentiment]:
        """Sentiment of each text; a text with no known feature is neutral, 0.0."""
        if not texts:
            return []
        probs, seen = self.probabilities(texts)
        pos = self.classes.index(POSITIVE)
        neg = self.classes.index(NEGATIVE)
        scores = probs[:, pos] - probs[:, neg]
        three_class = NEUTRAL in self.classes
        results = []
        for row, score, known in zip(probs, scores.tolist(), seen.tolist(), strict=True):
            if not known:
                results.append(UNJUDGED)
                continue
            if three_class:
                label = self.classes[int(row.argmax())]
            elif score > self.neutral_band:
                label = POSITIVE
            elif score < -self.neutral_band:
                label = NEGATIVE
            else:
                label = NEUTRAL
            results.append(Sentiment(label, round(score, 4), source))
        return results


class LinearBackend:
    """Linear models for English, Chinese and Russian, shipped with the project.

    Mentions in other languages are not judged (neutral, 0.0, source ""), except "und"
    (too short to tell, emoji only), which the English model reads: it knows emoji and
    emoticons.
    """

    LANGUAGE_MODELS = {"en": "en", "zh": "zh", "ru": "ru", "und": "en"}

    def __init__(self, models_dir: Path | str = MODELS_DIR):
        self.models_dir = Path(models_dir)
        self._models: dict[str, LinearModel] = {}
        self._lock = threading.Lock()

    def model(self, name: str) -> LinearModel:
        """The model of one language, loaded on first use."""
        if name not in self._models:
            with self._lock:
                if name not in self._models:
                    self._models[name] = LinearModel(self.models_dir / f"sentiment-{name}.npz")
        return self._models[name]

    def predict(self, texts: list[str], langs: list[str]) -> list[Sentiment]:
        """One Sentiment per text, each read by the model of its language."""
        check_lengths(texts, langs)
        results = [UNJUDGED] * len(texts)
        groups: dict[str, list[int]] = {}
        for i, lang in enumerate(langs):
            name = self.LANGUAGE_MODELS.get(lang)
            if name is not None:
                groups.setdefault(name, []).append(i)
        for name, indexes in groups.items():
            predicted = self.model(name).predict([texts[i] for i in indexes], source=name)
            for i, sentiment in zip(indexes, predicted, strict=True):
                results[i] = sentiment
        return results
