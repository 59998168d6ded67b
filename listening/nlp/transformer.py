"""Optional sentiment backend: a Hugging Face transformer read from a local directory.

    SOCIALHUB_SENTIMENT_BACKEND = "listening.nlp.transformer.TransformerBackend"
    SOCIALHUB_SENTIMENT_TRANSFORMER_DIR = "/srv/models/twitter-xlm-roberta-base-sentiment"

The directory is one a sequence-classification model was saved to with
``save_pretrained()`` (config.json, weights, tokenizer files). Nothing is downloaded
(``local_files_only``). The project does not install ``transformers`` or ``torch``:
whoever picks this backend installs them. The model reads every language itself, so the
language of each text is not used.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from listening.nlp.sentiment import (
    LABELS,
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    Sentiment,
    check_lengths,
)

SOURCE = "transformer"
# Label names models use, lower-cased, beyond negative / neutral / positive.
ALIASES = {
    "neg": NEGATIVE,
    "neu": NEUTRAL,
    "pos": POSITIVE,
    "1 star": NEGATIVE,
    "2 stars": NEGATIVE,
    "3 stars": NEUTRAL,
    "4 stars": POSITIVE,
    "5 stars": POSITIVE,
}
# Unnamed labels (LABEL_0, …) in the order sentiment models publish them.
BY_COUNT = {2: [NEGATIVE, POSITIVE], 3: [NEGATIVE, NEUTRAL, POSITIVE]}


def sentiment_labels(id2label: dict[int, str]) -> list[str]:
    """negative / neutral / positive for each of a model's output ids."""
    names = [str(id2label[i]).strip().lower() for i in range(len(id2label))]
    labels = [name if name in LABELS else ALIASES.get(name) for name in names]
    if all(labels):
        return labels  # type: ignore[return-value]
    if all(name.startswith("label_") for name in names) and len(names) in BY_COUNT:
        return BY_COUNT[len(names)]
    raise ImproperlyConfigured(f"Cannot read the model's labels as sentiment: {names}")


class TransformerBackend:
    """A sequence-classification transformer from SOCIALHUB_SENTIMENT_TRANSFORMER_DIR."""

    def __init__(
        self, model_dir: str | Path | None = None, batch_size: int = 32, max_length: int = 128
    ):
        if model_dir is None:
            model_dir = getattr(settings, "SOCIALHUB_SENTIMENT_TRANSFORMER_DIR", "")
        if not model_dir:
            raise ImproperlyConfigured(
                "TransformerBackend needs SOCIALHUB_SENTIMENT_TRANSFORMER_DIR: the local "
                "directory of a saved sequence-classification model."
            )
        path = Path(model_dir)
        if not (path / "config.json").is_file():
            raise ImproperlyConfigured(
                f"SOCIALHUB_SENTIMENT_TRANSFORMER_DIR={path}: no config.json there; it must "
                "be a directory a model was saved to with save_pretrained()."
            )
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as e:
            raise ImproperlyConfigured(
                "TransformerBackend needs the transformers and torch packages, which "
                f"SocialHub does not install: pip install transformers torch ({e})"
            ) from e
        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model = AutoModelForSequenceClassification.from_pretrained(path, local_files_only=True)
        self.model.eval()
        self.labels = sentiment_labels(self.model.config.id2label)
        self.batch_size = batch_size
        self.max_length = max_length

    def predict(self, texts: list[str], langs: list[str]) -> list[Sentiment]:
        """One Sentiment per text; score = P(positive) - P(negative)."""
        check_lengths(texts, langs)
        results = []
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            encoded = self.tokenizer(
                batch,
                padding=True,
                truncation=True,
                max_length=self.max_length,
                return_tensors="pt",
            )
            with self.torch.no_grad():
                probs = self.model(**encoded).logits.softmax(dim=-1).tolist()
            for row in probs:
                by_label = dict.fromkeys(LABELS, 0.0)
                for label, p in zip(self.labels, row, strict=True):
                    by_label[label] += p
                label = max(LABELS, key=by_label.__getitem__)
                score = round(by_label[POSITIVE] - by_label[NEGATIVE], 4)
                results.append(Sentiment(label, score, SOURCE))
        return results
