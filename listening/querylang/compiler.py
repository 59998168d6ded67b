"""Compile a syntax tree into a predicate over a ``Document``, and compute the literals the
``Matcher`` prefilters on.

Matching rules (the query editor's help text should say the same):

- A plain word equals a whole token: a word, a ``#hashtag``'s body or an ``@handle`` (full
  ``user@server`` or its local part ``user``). So ``acme`` hears "acme", "#acme", "@acme";
  ``#acme`` hears only the hashtag, ``@acme`` only the mention.
- ``prefix*`` hears any token starting with the prefix (``скидк*`` → скидка, скидки, скидкой).
- ``term~1`` / ``term~2``: optimal-string-alignment distance (Damerau-Levenshtein where each
  substring is edited once) ≤ n, applied only to terms of ≥ 4 characters for 1 and ≥ 7 for 2;
  shorter terms fall back to the distance their length allows (``ibm~1`` is exact).
- A plain term written in CJK script is a substring of a CJK run (``华为`` hears "华为手机").
- ``"a b c"``: consecutive tokens in order; an element may end with ``*``.
- ``x NEAR/n y``: an occurrence of ``x`` and one of ``y`` with at most ``n`` tokens between
  them, either order (``NEAR/nf``: ``x`` first). Phrases and OR-groups are allowed on each side
  and NEARs chain (the pair's span is what the next NEAR measures from). Occurrences in the
  same token (two CJK words in one run) are at distance 0.
- ``lang:zh`` hears ``zh``, ``zh-cn``, ``zh-hans``; ``platform:`` is exact; ``author:acme``
  hears ``acme`` and ``acme@any.server``.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Collection

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
from listening.querylang.parser import parse
from listening.querylang.text import (
    Document,
    MatchInput,
    analyze,
    handle_keys,
    lang_primary,
    osa_distance_within,
)
from listening.querylang.wordlists import is_common_word

Predicate = Callable[[Document], bool]
Span = tuple[int, int]
# A prefilter literal: ("word", text) | ("prefix", text) | ("fuzzy", text, distance)
# | ("cjk", text) | ("field", "l:en" / "p:reddit" / "a:handle").
Key = tuple


class CompiledQuery:
    """A parsed query ready to test posts: ``matches(post)``.

    ``required`` is a set of literals at least one of which every matching post contains,
    or ``None`` when the query can match without any (e.g. only NOT or field filters
    under an OR). The ``Matcher`` indexes queries by it."""

    __slots__ = ("source", "node", "required", "_predicate")

    def __init__(self, source: str, node: Node):
        self.source = source
        self.node = node
        self.required: frozenset[Key] | None = required_keys(node)
        self._predicate: Predicate = _compile(node)

    def matches(self, post: MatchInput | Document) -> bool:
        """True when the post matches. Pass a ``Document`` to reuse one tokenization."""
        return self._predicate(analyze(post))

    def __repr__(self) -> str:
        return f"CompiledQuery({self.source!r})"


def compile_query(query: str | Node) -> CompiledQuery:
    """Parse (if given a string) and compile; raises ``QuerySyntaxError`` when invalid."""
    if isinstance(query, str):
        return CompiledQuery(query, parse(query))
    return CompiledQuery(str(query), query)


# --- evaluation -------------------------------------------------------------------------------


def _memoized(d: Document, key: object, compute: Callable[[], object]):
    found = d.memo(key)
    if found is None:
        found = d.remember(key, compute())
    return found


def _key_test(term: Term) -> Callable[[str], bool]:
    """Does one token key satisfy ``term`` (ignoring its kind)?"""
    return _make_test(term.mode, term.text, term.distance)


def _make_test(mode: str, text: str, distance: int) -> Callable[[str], bool]:
    if mode == "cjk":
        return lambda key: text in key
    if mode == "prefix":
        return lambda key: key.startswith(text)
    if mode == "fuzzy":
        return lambda key: osa_distance_within(text, key, distance)
    return lambda key: key == text


class TokenTest:
    """A wildcard or fuzzy term's test, remembered per distinct token.

    Post vocabularies are Zipf-distributed, so nearly every token was seen before: whether
    a post has a match is then two set operations. One instance per distinct term
    (``token_test``), shared by every query using it; bounded, started afresh when full.
    Safe across threads: readers take one consistent (hits, seen) snapshot, and a token is
    added to ``seen`` only after its hit is recorded."""

    __slots__ = ("test", "state", "limit", "min_length", "max_length", "lock")

    def __init__(
        self,
        test: Callable[[str], bool],
        min_length: int = 0,
        max_length: int = 1 << 30,
        limit: int = 100_000,
    ):
        self.test = test
        self.state: tuple[set[str], set[str]] = (set(), set())
        self.limit = limit
        self.min_length = min_length
        self.max_length = max_length
        self.lock = threading.Lock()

    def __call__(self, key: str) -> bool:
        hits, seen = self.state
        if key in hits:
            return True
        if key in seen:
            return False
        return self._learn({key})

    def any_in(self, keys: Collection[str]) -> bool:
        hits, seen = self.state
        if not hits.isdisjoint(keys):
            return True
        unknown = keys - seen
        return self._learn(unknown) if unknown else False

    def _learn(self, keys: set[str]) -> bool:
        lo, hi, test = self.min_length, self.max_length, self.test
        found = {key for key in keys if lo <= len(key) <= hi and test(key)}
        with self.lock:
            hits, seen = self.state
            if len(seen) >= self.limit:
                hits, seen = set(), set()
                self.state = (hits, seen)
            hits |= found
            seen |= keys
        return bool(found)


def token_test(term: Term) -> TokenTest:
    """The shared remembered test for a wildcard or fuzzy term: equal terms, one cache."""
    return _token_test(term.mode, term.text, term.distance)


@functools.lru_cache(maxsize=4096)
def _token_test(mode: str, text: str, distance: int) -> TokenTest:
    test = _make_test(mode, text, distance)
    if mode == "fuzzy":
        return TokenTest(test, len(text) - distance, len(text) + distance)
    return TokenTest(test, len(text))


def _term_predicate(term: Term) -> Predicate:
    text = term.text
    kind = term.kind
    mode = term.mode
    if mode == "exact":
        if kind == "word":
            return lambda d: text in d.words
        return lambda d: text in d.keys_of_kind(kind)
    memo_key = ("has", term)
    if mode == "cjk":
        return lambda d: _memoized(d, memo_key, lambda: any(text in w for w in d.words))
    cached = token_test(term)
    return lambda d: _memoized(d, memo_key, lambda: cached.any_in(d.keys_of_kind(kind)))


def term_positions(d: Document, term: Term) -> list[int]:
    """Sorted token positions where ``term`` occurs in the document."""
    found = d.memo(term)
    if found is not None:
        return found  # type: ignore[return-value]
    index = d.positions_by_kind(term.kind)
    if term.mode == "exact":
        positions = index.get(term.text, [])
    else:
        test = _key_test(term) if term.mode == "cjk" else token_test(term)
        positions = sorted({p for key, ps in index.items() if test(key) for p in ps})
    d.remember(term, positions)
    return positions


def _spans(node: Node, d: Document) -> list[Span]:
    """Where a positional node (term, phrase, OR of them, NEAR) occurs: (first, last) token."""
    if isinstance(node, Term):
        return [(p, p) for p in term_positions(d, node)]
    if isinstance(node, Phrase):
        return _phrase_spans(node, d)
    if isinstance(node, Or):
        return [s for c in node.children for s in _spans(c, d)]
    if isinstance(node, Near):
        return _near_spans(node, d)
    return []  # Empty


def _phrase_spans(node: Phrase, d: Document) -> list[Span]:
    found = d.memo(node)
    if found is not None:
        return found  # type: ignore[return-value]
    first, *rest = node.elements
    heads = term_positions(d, first)
    following = [set(term_positions(d, e)) for e in rest]
    last = len(rest)
    spans = [(i, i + last) for i in heads if all(i + j + 1 in s for j, s in enumerate(following))]
    d.remember(node, spans)
    return spans


def _near_spans(node: Near, d: Document) -> list[Span]:
    left = _spans(node.left, d)
    right = _spans(node.right, d) if left else []
    n = node.distance
    out = []
    for ls, le in left:
        for rs, re_ in right:
            if node.forward and rs < ls:
                continue
            gap = rs - le - 1 if rs > le else ls - re_ - 1 if ls > re_ else 0
            if gap <= n:
                out.append((min(ls, rs), max(le, re_)))
    return out


def _compile(node: Node) -> Predicate:
    if isinstance(node, Term):
        return _term_predicate(node)
    if isinstance(node, Empty):
        return lambda d: False
    if isinstance(node, Phrase):
        present = [_term_predicate(e) for e in node.elements]
        return lambda d: all(p(d) for p in present) and bool(_phrase_spans(node, d))
    if isinstance(node, Near):
        left, right = _compile(node.left), _compile(node.right)
        return lambda d: left(d) and right(d) and bool(_near_spans(node, d))
    if isinstance(node, Not):
        child = _compile(node.child)
        return lambda d: not child(d)
    if isinstance(node, And):
        preds = [_compile(c) for c in _cheap_first(node.children)]
        if len(preds) == 2:
            a, b = preds
            return lambda d: a(d) and b(d)
        return lambda d: all(p(d) for p in preds)
    if isinstance(node, Or):
        preds = [_compile(c) for c in _cheap_first(node.children)]
        if len(preds) == 2:
            a, b = preds
            return lambda d: a(d) or b(d)
        return lambda d: any(p(d) for p in preds)
    if isinstance(node, FieldFilter):
        return _field_predicate(node)
    raise TypeError(f"not a query node: {node!r}")  # pragma: no cover


def _cheap_first(children: tuple[Node, ...]) -> list[Node]:
    """Exact words are set lookups; test them before anything that scans or needs positions."""

    def cost(node: Node) -> int:
        if isinstance(node, Term):
            return 0 if node.mode == "exact" else 2
        if isinstance(node, FieldFilter):
            return 1
        if isinstance(node, Not):
            return cost(node.child)
        return 3

    return sorted(children, key=cost)


def _field_predicate(node: FieldFilter) -> Predicate:
    value = node.value
    if node.name == "lang":
        dashed = value + "-"
        return lambda d: d.lang == value or d.lang.startswith(dashed)
    if node.name == "platform":
        return lambda d: d.platform == value
    return lambda d: bool(d.author) and value in handle_keys(d.author)


# --- prefilter literals -----------------------------------------------------------------------


def term_key(term: Term) -> Key:
    mode = term.mode
    if mode == "fuzzy":
        return ("fuzzy", term.text, term.distance)
    if mode == "exact":
        return ("word", term.text)
    return (mode, term.text)


def field_key(node: FieldFilter) -> Key:
    if node.name == "lang":
        return ("field", "l:" + lang_primary(node.value))
    return ("field", ("p:" if node.name == "platform" else "a:") + node.value)


def key_cost(key: Key) -> float:
    """How often a literal is expected to occur: the prefilter keeps the cheapest set."""
    kind, text = key[0], key[1]
    if kind == "field":
        return 100.0
    if kind == "word":
        return 1.0 + (20.0 if is_common_word(text) else 0.0) + (5.0 if len(text) <= 2 else 0.0)
    if kind == "prefix":
        return 2.0 + (30.0 if len(text) < 3 else 10.0 if len(text) == 3 else 0.0)
    if kind == "cjk":
        return 1.5 + (10.0 if len(text) == 1 else 0.0) + (20.0 if is_common_word(text) else 0.0)
    return 3.0  # fuzzy


def _set_cost(keys: frozenset[Key]) -> float:
    return sum(key_cost(k) for k in keys)


def required_keys(node: Node) -> frozenset[Key] | None:
    """Literals of which at least one must occur for ``node`` to match; ``None`` if it can
    match without any (NOT, or an OR with such a side). Only the positive part of the tree
    contributes: for AND/NEAR/phrases one child's set suffices, the cheapest is kept."""
    if isinstance(node, Term):
        return frozenset([term_key(node)])
    if isinstance(node, Empty):
        return frozenset()
    if isinstance(node, FieldFilter):
        return frozenset([field_key(node)])
    if isinstance(node, Phrase):
        return min((frozenset([term_key(e)]) for e in node.elements), key=_set_cost)
    if isinstance(node, Not):
        return None
    if isinstance(node, Or):
        union: set[Key] = set()
        for c in node.children:
            keys = required_keys(c)
            if keys is None:
                return None
            union |= keys
        return frozenset(union)
    children = node.children if isinstance(node, And) else (node.left, node.right)
    options = [k for k in (required_keys(c) for c in children) if k is not None]
    if not options:
        return None
    return min(options, key=_set_cost)
