"""evaluate_sentiment and its metrics, checked against a confusion matrix worked by hand."""

from __future__ import annotations

import csv
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from listening.nlp.metrics import evaluate
from listening.nlp.sentiment import Sentiment

# 13 rows copied from shared/data/sentiment (TweetEval val, RuSentiTweet): 11 labelled
# negative|neutral|positive, one "skip" and one "speech". Column stub_prediction holds
# what StubBackend answers for each text.
SAMPLE = Path(__file__).parent / "data" / "evaluate_sample.csv"


def stub_predictions() -> dict[str, str]:
    with open(SAMPLE, newline="", encoding="utf-8") as f:
        return {row["text"]: row["stub_prediction"] for row in csv.DictReader(f)}


class StubBackend:
    """Answers the fixture's stub_prediction column."""

    seen_langs: list[str] = []

    def __init__(self):
        self.predictions = stub_predictions()

    def predict(self, texts, langs):
        StubBackend.seen_langs += langs
        return [Sentiment(self.predictions[text], 0.0, "stub") for text in texts]


STUB = "tests.listening.test_nlp_evaluate.StubBackend"

# By hand, from the fixture (rows: gold, columns: predicted; negative, neutral, positive):
#   negative  2 0 1      recall 2/3   precision 2/4   F1 4/7
#   neutral   2 2 0      recall 2/4   precision 2/2   F1 2/3
#   positive  0 0 4      recall 4/4   precision 4/5   F1 8/9
# accuracy 8/11 = 0.727; macro-recall (2/3 + 1/2 + 1)/3 = 0.722;
# macro-F1 (4/7 + 2/3 + 8/9)/3 = 0.709.
CONFUSION = [[2, 0, 1], [2, 2, 0], [0, 0, 4]]


def run(*args: str) -> str:
    out = StringIO()
    call_command("evaluate_sentiment", *args, stdout=out)
    return out.getvalue()


@override_settings(SOCIALHUB_SENTIMENT_BACKEND=STUB)
def test_it_prints_the_hand_computed_metrics():
    output = run(str(SAMPLE), "--lang", "en")
    lines = output.strip().splitlines()

    assert "Rows: 11 scored, 2 skipped" in output
    assert f"Backend: {STUB}" in output
    matrix_start = lines.index("Confusion matrix (rows: gold, columns: predicted)")
    header, *rows = lines[matrix_start + 1 : matrix_start + 5]
    assert header.split() == ["negative", "neutral", "positive"]
    assert [[int(n) for n in row.split()[1:]] for row in rows] == CONFUSION
    assert [row.split()[0] for row in rows] == ["negative", "neutral", "positive"]
    assert re.search(r"^negative\s+0\.500\s+0\.667\s+0\.571\s+3$", output, re.M)
    assert re.search(r"^neutral\s+1\.000\s+0\.500\s+0\.667\s+4$", output, re.M)
    assert re.search(r"^positive\s+0\.800\s+1\.000\s+0\.889\s+4$", output, re.M)
    assert "Accuracy:     0.727" in output
    assert "Macro-recall: 0.722" in output
    assert "Macro-F1:     0.709" in output
    assert re.fullmatch(r"macro_recall=0\.722 accuracy=0\.727 texts_per_s=\d+", lines[-1])


@override_settings(SOCIALHUB_SENTIMENT_BACKEND=STUB)
def test_it_detects_languages_unless_one_is_given():
    StubBackend.seen_langs = []
    output = run(str(SAMPLE))
    assert "Languages (detected): " in output
    assert {"en", "ru"} <= set(StubBackend.seen_langs)

    StubBackend.seen_langs = []
    run(str(SAMPLE), "--lang", "ru")
    assert set(StubBackend.seen_langs) == {"ru"}


def test_it_runs_the_shipped_models_on_the_sample():
    last = run(str(SAMPLE)).strip().splitlines()[-1]
    assert re.fullmatch(r"macro_recall=[01]\.\d{3} accuracy=[01]\.\d{3} texts_per_s=\d+", last)


def test_it_refuses_a_file_without_a_label_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("text,sentiment\nhello,positive\n")
    with pytest.raises(CommandError, match="no column label"):
        run(str(path))


def test_it_refuses_a_file_with_no_usable_row(tmp_path):
    path = tmp_path / "skips.csv"
    path.write_text("text,label\nhello,skip\n")
    with pytest.raises(CommandError, match="no row labelled"):
        run(str(path))


def test_it_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError):
        run(str(tmp_path / "nowhere.csv"))


def test_macro_averages_run_over_the_gold_classes():
    # Two-class gold (as Weibo): a neutral answer is wrong but neutral is no class of its own.
    report = evaluate(
        ["positive", "positive", "negative", "negative"],
        ["positive", "neutral", "negative", "positive"],
    )
    assert report.labels == ["negative", "neutral", "positive"]
    assert report.classes == ["negative", "positive"]
    assert report.confusion == [[1, 0, 1], [0, 0, 0], [0, 1, 1]]
    assert report.accuracy == 0.5
    assert report.macro_recall == 0.5
    # negative: precision 1/1, recall 1/2, F1 2/3; positive: precision 1/2, recall 1/2.
    assert report.macro_f1 == pytest.approx((2 / 3 + 1 / 2) / 2)
