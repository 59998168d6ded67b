"""Measure the configured sentiment backend on a labelled CSV (columns text,label).

    python manage.py evaluate_sentiment docs/eval/zh-weibo-heldout.csv --lang zh

Ends with one line for scripts: ``macro_recall=0.xxx accuracy=0.xxx texts_per_s=NNNN``.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from listening.nlp.evaluation import evaluate_backend, read_labelled_csv
from listening.nlp.sentiment import get_backend


class Command(BaseCommand):
    help = "Accuracy, macro-recall, macro-F1 and speed of the sentiment backend on a CSV."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="CSV with columns text,label (negative|neutral|positive)")
        parser.add_argument("--lang", help="ISO 639-1 code of every row; detected when left out")

    def handle(self, *args, **options) -> None:
        try:
            texts, gold, skipped = read_labelled_csv(options["file"])
        except (OSError, ValueError, UnicodeDecodeError) as e:
            raise CommandError(str(e)) from e
        if not texts:
            raise CommandError(f"{options['file']}: no row labelled negative, neutral or positive")
        backend = get_backend()
        result = evaluate_backend(backend, texts, gold, lang=options["lang"])
        report = result.report
        out = self.stdout.write

        out(f"File: {options['file']}")
        out(f"Rows: {len(texts)} scored, {skipped} skipped (label not negative|neutral|positive)")
        out(f"Backend: {type(backend).__module__}.{type(backend).__qualname__}")
        languages = ", ".join(f"{lang} {n}" for lang, n in result.languages.most_common(8))
        given = "given" if options["lang"] else "detected"
        out(f"Languages ({given}): {languages}")
        out("")
        out("Confusion matrix (rows: gold, columns: predicted)")
        width = max(10, *(len(label) + 2 for label in report.labels))
        out(" " * width + "".join(f"{label:>{width}}" for label in report.labels))
        for label, row in zip(report.labels, report.confusion, strict=True):
            out(f"{label:<{width}}" + "".join(f"{n:>{width}}" for n in row))
        out("")
        out(f"{'class':<{width}}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}")
        for label in report.labels:
            out(
                f"{label:<{width}}{report.precision[label]:>10.3f}{report.recall[label]:>10.3f}"
                f"{report.f1[label]:>10.3f}{report.support[label]:>10}"
            )
        out("")
        out(f"Accuracy:     {report.accuracy:.3f}")
        classes = ", ".join(report.classes)
        out(f"Macro-recall: {report.macro_recall:.3f} (over the gold classes: {classes})")
        out(f"Macro-F1:     {report.macro_f1:.3f}")
        out(
            f"Speed: {result.rows} texts in {result.cpu_seconds:.3f} s of CPU, one process "
            f"on one core: {result.texts_per_second:.0f} texts/s"
        )
        if result.detect_cpu_seconds is not None:
            per_text = result.detect_cpu_seconds / result.rows * 1e6
            out(f"Language detection (not in the speed above): {per_text:.1f} µs/text")
        out(
            f"macro_recall={report.macro_recall:.3f} accuracy={report.accuracy:.3f} "
            f"texts_per_s={result.texts_per_second:.0f}"
        )
