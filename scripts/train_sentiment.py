#!/usr/bin/env python
"""Train the shipped sentiment models: listening/nlp/models/sentiment-{en,zh,ru}.npz.

    .venv/bin/pip install scikit-learn==1.9.1     # training only; run time needs numpy
    .venv/bin/python scripts/train_sentiment.py   # about 3 minutes on one core

Reads the benchmark files of ../shared/data/sentiment (``--data`` or
$SOCIALHUB_SENTIMENT_DATA to change), described in that folder's README.md:

- en: trained on en-semeval2017-4a/train.csv (SemEval 2013-2016, TweetEval's tweets left
  out); measured on en-tweeteval/val.csv.
- zh: zh-weibo/dev.csv is split by the SHA-256 of each text: 40 % held out for
  measurement, 60 % trained on, together with all of zh-reviews/dev.csv.
- ru: ru-rusentitweet/dev.csv (3 classes) is split the same way: 20 % held out, 80 %
  trained on.
- en and zh also learn emoji from the emoji of the Russian training tweets (their own
  data has none).

The held-out parts are written to docs/eval/ so that
``manage.py evaluate_sentiment docs/eval/<file> --lang <xx>`` measures exactly them. The
result is the same on every run: the split is by hash, lbfgs is deterministic, and the
model files are written without timestamps.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import sys
import time
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from listening.nlp.features import EMOJI_RE, FeatureConfig, analyze  # noqa: E402
from listening.nlp.linear import FORMAT, LinearModel  # noqa: E402
from listening.nlp.metrics import evaluate  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "sentiment"
MODELS_DIR = ROOT / "listening" / "nlp" / "models"
EVAL_DIR = ROOT / "docs" / "eval"
THREE_CLASSES = ("negative", "neutral", "positive")
SEED = 0

EN_NEGATORS = frozenset(
    "not no never nothing nobody none nor neither nowhere cannot cant dont doesnt didnt "
    "isnt wasnt wont aint".split()
)
RU_NEGATORS = frozenset("не нет ни никогда ничего нельзя".split())


@dataclass
class Spec:
    """How one language's model is trained; the values were chosen on splits of the
    training data only (see docs/sentiment.md)."""

    config: FeatureConfig
    C: float  # inverse L2 strength of the logistic regression
    min_df: int  # features seen in fewer training texts are dropped
    neutral_band: float = 0.0  # two-class models only
    sources: list[str] = field(default_factory=list)


SPECS = {
    "en": Spec(FeatureConfig(negators=EN_NEGATORS), C=1.0, min_df=3),
    # Two classes. A neutral band of 0.2 (neither class at 0.6) would call 3 % of held-out
    # Weibo posts neutral, cost 1.3 points of accuracy, and still miss plain news posts.
    "zh": Spec(FeatureConfig(char_min=0, han_max=3, weibo=True), C=10.0, min_df=2),
    "ru": Spec(FeatureConfig(negators=RU_NEGATORS), C=3.0, min_df=2),
}
ZH_WEIBO_HELD_OUT = 40  # percent
ZH_WEIBO_WEIGHT = 20.0  # a Weibo post counts as much as this many reviews
RU_HELD_OUT = 20  # percent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, default=os.environ.get("SOCIALHUB_SENTIMENT_DATA", DEFAULT_DATA)
    )
    parser.add_argument("--out", type=Path, default=MODELS_DIR)
    parser.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    parser.add_argument("--lang", nargs="*", choices=sorted(SPECS), default=sorted(SPECS))
    args = parser.parse_args()
    np.random.seed(SEED)
    args.out.mkdir(parents=True, exist_ok=True)
    args.eval_dir.mkdir(parents=True, exist_ok=True)
    for lang in args.lang:
        train, weights, held_out = DATASETS[lang](args.data, args.eval_dir)
        path = args.out / f"sentiment-{lang}.npz"
        started = time.perf_counter()
        fit_and_save(lang, SPECS[lang], train, weights, path)
        print(f"{lang}: trained on {len(train)} texts in {time.perf_counter() - started:.0f} s")
        print(f"{lang}: wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1e6:.2f} MB)")
        model = LinearModel(path)
        for name, rows in held_out.items():
            texts = [r["text"] for r in rows]
            gold = [r["label"] for r in rows]
            report = evaluate(gold, [s.label for s in model.predict(texts, source=lang)])
            print(
                f"{lang}: {name} ({len(rows)} texts): macro_recall={report.macro_recall:.3f} "
                f"accuracy={report.accuracy:.3f} macro_f1={report.macro_f1:.3f}"
            )


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["text", "label"])
        writer.writerows([r["text"], r["label"]] for r in rows)
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def bucket(text: str) -> int:
    """0-99 from the SHA-256 of the text: the same text always lands in the same part."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) % 100


def english(data: Path, eval_dir: Path):
    train = read_csv(data / "en-semeval2017-4a" / "train.csv") + emoji_examples(data)
    return train, None, {"en-tweeteval/val.csv": read_csv(data / "en-tweeteval" / "val.csv")}


def chinese(data: Path, eval_dir: Path):
    weibo = read_csv(data / "zh-weibo" / "dev.csv")
    held_out = [r for r in weibo if bucket(r["text"]) < ZH_WEIBO_HELD_OUT]
    weibo_train = [r for r in weibo if bucket(r["text"]) >= ZH_WEIBO_HELD_OUT]
    # Two classes, as the Chinese sets have no neutral posts.
    emoji = emoji_examples(data, labels=("negative", "positive"))
    others = read_csv(data / "zh-reviews" / "dev.csv") + emoji
    write_csv(eval_dir / "zh-weibo-heldout.csv", held_out)
    weights = np.array([ZH_WEIBO_WEIGHT] * len(weibo_train) + [1.0] * len(others))
    return weibo_train + others, weights, {"zh-weibo held out": held_out}


def russian(data: Path, eval_dir: Path):
    rows = read_csv(data / "ru-rusentitweet" / "dev.csv")
    held_out = [r for r in rows if bucket(r["text"]) < RU_HELD_OUT]
    train = [r for r in rows if bucket(r["text"]) >= RU_HELD_OUT]
    write_csv(eval_dir / "ru-rusentitweet-heldout.csv", held_out)
    return train, None, {"ru-rusentitweet held out": held_out}


def emoji_examples(data: Path, labels=THREE_CLASSES) -> list[dict[str, str]]:
    """The emoji of each Russian training tweet that has some, as an emoji-only text with
    the tweet's label: the English and Chinese sets have no emoji, and emoji mean much
    the same in every language. Held-out Russian tweets are not used."""
    rows = read_csv(data / "ru-rusentitweet" / "dev.csv")
    examples = []
    for row in rows:
        emoji = EMOJI_RE.findall(row["text"])
        if emoji and row["label"] in labels and bucket(row["text"]) >= RU_HELD_OUT:
            examples.append({"text": " ".join(emoji), "label": row["label"]})
    return examples


DATASETS = {"en": english, "zh": chinese, "ru": russian}


def fit_and_save(lang: str, spec: Spec, rows, weights, path: Path) -> None:
    """Fit tf-idf + class-balanced logistic regression and write the numpy model file."""
    import sklearn
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    config = spec.config
    vectorizer = TfidfVectorizer(
        analyzer=lambda text: analyze(text, config),
        sublinear_tf=True,
        min_df=spec.min_df,
        dtype=np.float32,
    )
    x = vectorizer.fit_transform([r["text"] for r in rows])
    y = [r["label"] for r in rows]
    classifier = LogisticRegression(
        C=spec.C, class_weight="balanced", max_iter=3000, random_state=SEED
    )
    classifier.fit(x, y, sample_weight=weights)

    classes = [str(c) for c in classifier.classes_]
    coef = classifier.coef_.T.astype(np.float64)
    intercept = classifier.intercept_.astype(np.float64)
    if len(classes) == 2:  # sigmoid(z) == softmax([-z/2, z/2])
        coef = np.hstack([-coef / 2, coef / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    features = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    assert not any("\n" in f for f in features)
    meta = {
        "format": FORMAT,
        "language": lang,
        "classes": classes,
        "features": {**asdict(config), "negators": sorted(config.negators)},
        "neutral_band": spec.neutral_band,
        "training": {
            "rows": len(rows),
            "labels": {c: y.count(c) for c in classes},
            "C": spec.C,
            "min_df": spec.min_df,
            "scikit_learn": sklearn.__version__,
        },
    }
    write_npz(
        path,
        meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), np.uint8),
        vocab=np.frombuffer("\n".join(features).encode("utf-8"), np.uint8),
        idf=vectorizer.idf_.astype(np.float16),
        coef=coef.astype(np.float16),
        intercept=intercept.astype(np.float32),
    )


def write_npz(path: Path, **arrays: np.ndarray) -> None:
    """np.savez_compressed without the time stamps, so a rerun gives the same bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue(), compresslevel=9)


if __name__ == "__main__":
    main()
