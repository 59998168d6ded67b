"""Brand phrase rules: people correct machines.

A rule is a (phrase, label) pair: "killer feature" → positive, "war zone" → neutral. A
phrase matches case-insensitively as whole words (inside Chinese or Japanese text, where
words are not spaced, anywhere). When several rules match, the longest phrase wins, so
"killer feature" → positive beats "killer" → negative; between equally long phrases the
earlier rule wins.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from listening.nlp.sentiment import LABELS, NEGATIVE, POSITIVE, Sentiment

RULE_SOURCE = "rule"
SCORES = {NEGATIVE: -1.0, POSITIVE: 1.0}
# Scripts written without spaces between words: no word boundary is required there.
UNSPACED_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class PhraseRules:
    """Rules compiled once: one pattern that finds whether any phrase occurs, then the
    rules longest phrase first."""

    def __init__(self, rules: tuple[tuple[str, str], ...]):
        ordered = []
        for position, (phrase, label) in enumerate(rules):
            if label not in LABELS:
                raise ValueError(f"Unknown sentiment label {label!r} for phrase {phrase!r}")
            phrase = " ".join(phrase.split())
            if phrase:
                ordered.append((-len(phrase), position, _pattern(phrase), label))
        ordered.sort(key=lambda rule: rule[:2])
        self.rules = [(re.compile(pattern, re.IGNORECASE), label) for *_, pattern, label in ordered]
        self.any = re.compile("|".join(pattern for *_, pattern, _ in ordered), re.IGNORECASE)

    def apply(self, text: str) -> Sentiment | None:
        """The sentiment of the best matching rule, or None."""
        if not self.rules or not self.any.search(text):
            return None
        for pattern, label in self.rules:
            if pattern.search(text):
                return Sentiment(label, SCORES.get(label, 0.0), RULE_SOURCE)
        return None  # pragma: no cover - the combined pattern matched, so one rule does


def apply_phrase_rules(text: str, rules: Iterable[tuple[str, str]]) -> Sentiment | None:
    """The sentiment a brand's phrase rules give the text, or None when no rule matches."""
    return compile_phrase_rules(as_tuple(rules)).apply(text)


def as_tuple(rules: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Rules in the hashable form compile_phrase_rules() caches on."""
    return tuple((phrase, label) for phrase, label in rules)


@functools.lru_cache(maxsize=256)
def compile_phrase_rules(rules: tuple[tuple[str, str], ...]) -> PhraseRules:
    """Compiled rules, cached: a brand's rule set is compiled once, not per mention."""
    return PhraseRules(rules)


def _pattern(phrase: str) -> str:
    # Words of the phrase may be separated by any run of whitespace in the text.
    body = r"\s+".join(re.escape(word) for word in phrase.split(" "))
    start = r"(?<!\w)" if _needs_boundary(phrase[0]) else ""
    end = r"(?!\w)" if _needs_boundary(phrase[-1]) else ""
    return start + body + end


def _needs_boundary(char: str) -> bool:
    return char.isalnum() and not UNSPACED_RE.match(char)
