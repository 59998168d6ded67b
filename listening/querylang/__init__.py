"""The listening query language: Brandwatch/Talkwalker-style boolean queries.

    from listening.querylang import MatchInput, Matcher, compile_query, lint

    q = compile_query('(acme OR #acme OR "acme corp") AND NOT (job OR hiring) AND lang:en')
    q.matches(MatchInput("Loving my new #Acme phone", lang="en"))  # True
    lint("the OR acme")  # [LintWarning(code="common-word", ...)]
    Matcher({1: "acme", 2: "华为 OR huawei"}).match(MatchInput("华为手机"))  # [2]

Pure Python, no Django: used by the ingest pipeline and the query editor. See ``compiler``
for the matching rules, ``parser`` for the grammar, ``matcher`` for the prefilter, ``lint``
for the editor's warnings.

Decisions worth knowing:

- Typo tolerance (``term~1``, ``term~2``) is optimal-string-alignment distance, applied to
  terms of ≥ 4 characters for ~1 and ≥ 7 for ~2; shorter terms use what their length allows
  (``ibm~1`` is exact, ``acme~2`` is ~1) and the lint says so. ``acme~1`` does hear "acne":
  that is what one edit means. The prefilter keys fuzzy terms by their deletion
  neighbourhood (SymSpell), which finds every token within the distance, verified exactly.
- Russian inflection is reached by wildcard (``скидк*``). Lemma matching is not built in:
  pymorphy3 would add several MB of dictionaries and a per-token analysis; with the Matcher's
  per-token cache it could be added as extra keys in ``Document.words`` if wildcards prove
  not enough.
- Chinese, Japanese and Korean terms match as substrings of CJK runs; NEAR between two CJK
  terms in the same run counts as distance 0.
- Matching state (per-token caches) is per process and bounded; Matchers are immutable and
  rebuilt when queries change.
"""

from listening.querylang.compiler import CompiledQuery, compile_query, required_keys
from listening.querylang.lint import LintWarning, lint
from listening.querylang.matcher import Matcher
from listening.querylang.nodes import (
    And,
    Empty,
    FieldFilter,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Term,
)
from listening.querylang.parser import QuerySyntaxError, parse
from listening.querylang.text import Document, MatchInput, analyze, fold, tokenize

__all__ = [
    "And",
    "CompiledQuery",
    "Document",
    "Empty",
    "FieldFilter",
    "LintWarning",
    "MatchInput",
    "Matcher",
    "Near",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "QuerySyntaxError",
    "Term",
    "analyze",
    "compile_query",
    "fold",
    "lint",
    "parse",
    "required_keys",
    "tokenize",
]
