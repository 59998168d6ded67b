"""Measure a sentiment backend on a labelled CSV (text,label): used by evaluate_sentiment."""

from __future__ import annotations

import csv
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from listening.nlp.language import detect_languages
from listening.nlp.metrics import Report, evaluate
from listening.nlp.sentiment import LABELS, SentimentBackend

BATCH_SIZE = 1000


@dataclass
class Evaluation:
    """A backend's scores on one file, and how fast it read it."""

    report: Report
    rows: int
    languages: Counter[str]
    cpu_seconds: float  # sentiment only, language detection excluded
    detect_cpu_seconds: float | None  # None when the language was given

    @property
    def texts_per_second(self) -> float:
        return self.rows / max(self.cpu_seconds, 1e-9)


def read_labelled_csv(path: Path | str) -> tuple[list[str], list[str], int]:
    """(texts, labels, skipped) from a CSV with text and label columns."""
    texts, labels, skipped = [], [], 0
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = {"text", "label"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: no column {', '.join(sorted(missing))}")
        for row in reader:
            label = (row["label"] or "").strip().lower()
            if label in LABELS:
                texts.append(row["text"] or "")
                labels.append(label)
            else:
                skipped += 1
    return texts, labels, skipped


def evaluate_backend(
    backend: SentimentBackend, texts: list[str], gold: list[str], lang: str | None = None
) -> Evaluation:
    """Predict every text (one process, in batches) and score the labels.

    Time is CPU time of this process, so other work on a shared machine does not slow
    the figure down; on an idle core it equals wall-clock time.
    """
    detect_cpu = None
    if lang:
        langs = [lang] * len(texts)
    else:
        start = time.process_time()
        langs = detect_languages(texts)
        detect_cpu = time.process_time() - start
    # Models load on first use: load each language's before the clock starts.
    one_per_language = {lang: text for text, lang in zip(texts, langs, strict=True)}
    backend.predict(list(one_per_language.values()), list(one_per_language))
    predicted: list[str] = []
    start = time.process_time()
    for i in range(0, len(texts), BATCH_SIZE):
        batch = backend.predict(texts[i : i + BATCH_SIZE], langs[i : i + BATCH_SIZE])
        predicted += [sentiment.label for sentiment in batch]
    cpu = time.process_time() - start
    return Evaluation(
        report=evaluate(gold, predicted),
        rows=len(texts),
        languages=Counter(langs),
        cpu_seconds=cpu,
        detect_cpu_seconds=detect_cpu,
    )
