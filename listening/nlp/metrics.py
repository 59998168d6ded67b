"""Classification metrics for evaluate_sentiment and the training script (no scikit-learn)."""

from __future__ import annotations

from dataclasses import dataclass, field

from listening.nlp.sentiment import LABELS


@dataclass
class Report:
    """Scores of predicted labels against gold labels.

    Macro averages run over the classes present in the gold labels (SemEval's "AvgRec"
    for three classes); a class the model predicts but the gold data lacks (neutral on a
    two-class set) still costs accuracy and the other classes' recall.
    """

    labels: list[str]  # rows and columns of the confusion matrix
    classes: list[str]  # classes present in the gold labels
    confusion: list[list[int]]  # confusion[gold][predicted]
    precision: dict[str, float] = field(default_factory=dict)
    recall: dict[str, float] = field(default_factory=dict)
    f1: dict[str, float] = field(default_factory=dict)
    support: dict[str, int] = field(default_factory=dict)
    accuracy: float = 0.0
    macro_recall: float = 0.0
    macro_f1: float = 0.0


def evaluate(gold: list[str], predicted: list[str]) -> Report:
    """Confusion matrix, accuracy, per-class and macro-averaged recall and F1."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    labels = [label for label in LABELS if label in set(gold) | set(predicted)]
    labels += sorted((set(gold) | set(predicted)) - set(labels))
    index = {label: i for i, label in enumerate(labels)}
    confusion = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        confusion[index[g]][index[p]] += 1
    classes = [label for label in labels if label in set(gold)]
    report = Report(labels=labels, classes=classes, confusion=confusion)
    for label in labels:
        i = index[label]
        true_positives = confusion[i][i]
        gold_count = sum(confusion[i])
        predicted_count = sum(row[i] for row in confusion)
        precision = true_positives / predicted_count if predicted_count else 0.0
        recall = true_positives / gold_count if gold_count else 0.0
        both = precision + recall
        report.precision[label] = precision
        report.recall[label] = recall
        report.f1[label] = 2 * precision * recall / both if both else 0.0
        report.support[label] = gold_count
    if gold:
        report.accuracy = sum(confusion[i][i] for i in range(len(labels))) / len(gold)
        report.macro_recall = sum(report.recall[c] for c in classes) / len(classes)
        report.macro_f1 = sum(report.f1[c] for c in classes) / len(classes)
    return report
