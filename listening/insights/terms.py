"""Terms of a brand's mentions: the tokenizer that feeds ``TermDay`` and the emerging
terms detector the dashboard and the alerts read.

Detector: a smoothed log-ratio of a term's share of all term occurrences in the period
against its share in the baseline period,

    score = log2( ((c + 1) / (C + 1)) / ((b + 1) / (B + 1)) )

where c, b are the term's counts in the period and the baseline and C, B the totals of
every term. The +1 keeps a term unseen in the baseline finite, and a term must reach
``min_count`` in the period (a single odd word is not a trend) and at least double its
share (score ≥ 1). Counts are per UTC day (``TermDay``): datetimes given are read as
their UTC dates.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db.models import Q, Sum

# TermDay's row for this "term" holds the day's total of every term (the detector's
# denominator), so the counts and the totals are one read.
TOTAL = ""
MIN_COUNT = 5
MIN_SCORE = 1.0
MAX_TERM = 40

# Words of three letters or more (any script), and hashtags.
_TOKEN = re.compile(r"#\w+|\w{3,}", re.UNICODE)
STOPWORDS = frozenset(
    """the and for are but not you your with this that have has had was were will would
    can could just they them their there then than what when where which who why how all
    any our out its it's from about into over after more most some such very also been
    being get got one two new now only other same see too use via via just like really
    http https www com amp rt""".split()
)


@dataclass(frozen=True)
class EmergingTerm:
    """A term whose share of the conversation rose against the baseline."""

    term: str
    count: int
    baseline_count: int
    score: float


def extract_terms(text: str) -> set[str]:
    """The distinct terms of a text: lowercased words (3+ letters, no stopwords, not
    only digits) and hashtags (kept with their ``#``)."""
    terms = set()
    for token in _TOKEN.findall(text.lower()):
        if len(token) > MAX_TERM or token in STOPWORDS or token.lstrip("#").isdigit():
            continue
        if token.startswith("#") and len(token) < 3:
            continue
        terms.add(token)
    return terms


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return value.astimezone(UTC).date() if value.tzinfo else value.date()
    return value


def score(count: int, total: int, baseline_count: int, baseline_total: int) -> float:
    """The smoothed log2 ratio of shares (see the module docstring)."""
    return math.log2(((count + 1) / (total + 1)) / ((baseline_count + 1) / (baseline_total + 1)))


def term_counts(
    brand_id: int,
    *,
    start: date | datetime,
    end: date | datetime,
    baseline_start: date | datetime,
    baseline_end: date | datetime,
    min_count: int = 1,
) -> tuple[list[tuple[str, int, int]], int, int]:
    """Per term (term, count, baseline count) for terms counted at least ``min_count``
    times in the period, and the totals of every term in both periods (one query)."""
    from listening.insights.models import TermDay

    start, end = _as_date(start), _as_date(end)
    baseline_start, baseline_end = _as_date(baseline_start), _as_date(baseline_end)
    current = Q(day__gte=start, day__lte=end)
    baseline = Q(day__gte=baseline_start, day__lte=baseline_end)
    rows = (
        TermDay.objects.filter(Q(brand_id=brand_id) & (current | baseline))
        .values("term")
        .annotate(cur=Sum("count", filter=current), base=Sum("count", filter=baseline))
        .filter(Q(cur__gte=max(min_count, 1)) | Q(term=TOTAL))
        .values_list("term", "cur", "base")
        .order_by()
    )
    table, total, baseline_total = [], 0, 0
    for term, cur, base in rows:
        if term == TOTAL:
            total, baseline_total = cur or 0, base or 0
        else:
            table.append((term, cur or 0, base or 0))
    return table, total, baseline_total


def detect_emerging(
    table: list[tuple[str, int, int]],
    total: int,
    baseline_total: int,
    *,
    limit: int = 10,
    min_count: int = MIN_COUNT,
    min_score: float = MIN_SCORE,
) -> list[EmergingTerm]:
    """The detector on counts already read: highest score first."""
    found = [
        EmergingTerm(term, cur, base, round(score(cur, total, base, baseline_total), 3))
        for term, cur, base in table
        if cur >= min_count
    ]
    found = [t for t in found if t.score >= min_score]
    found.sort(key=lambda t: (-t.score, -t.count, t.term))
    return found[:limit]


def emerging_terms(
    brand_id: int,
    *,
    start: date | datetime,
    end: date | datetime,
    baseline_start: date | datetime,
    baseline_end: date | datetime,
    limit: int = 10,
) -> list[EmergingTerm]:
    """Words and hashtags whose share of the brand's mentions rose most in
    [start, end] against [baseline_start, baseline_end] (inclusive UTC days)."""
    table, total, baseline_total = term_counts(
        brand_id,
        start=start,
        end=end,
        baseline_start=baseline_start,
        baseline_end=baseline_end,
        min_count=MIN_COUNT,
    )
    return detect_emerging(table, total, baseline_total, limit=limit)
