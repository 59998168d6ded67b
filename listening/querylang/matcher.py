"""Match one post against thousands of queries at once.

Each query is indexed by its required literals (``CompiledQuery.required``): a post is fully
evaluated only against queries one of whose literals it contains, plus the few queries that
can match without any literal (``always_evaluated``).

The prefilter works per distinct token, not per query, so its cost per post does not grow
with the number of queries:

- a post's tokens (``Document.words``) are looked up in a cache *token → query indexes*;
- a token not seen before is resolved once: exact words by dict lookup; ``prefix*`` terms by
  looking up the token's own prefixes of every length some wildcard uses; ``term~n`` terms
  through a deletion-neighbourhood table (SymSpell: a token within distance n of a term
  shares a string with it after ≤ n deletions on each side), verified with the real
  distance; CJK terms with one Aho-Corasick automaton (pyahocorasick) run over the token;
- field filters (``lang:``, ``platform:``, ``author:``) are literals too, looked up directly.

The cache is bounded (``max_cached_tokens``) and simply started afresh when full. A Matcher
may be shared by threads (the cache is updated under a lock, read from one snapshot).
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable, Mapping

import ahocorasick

from listening.querylang.compiler import CompiledQuery, compile_query
from listening.querylang.text import (
    CJK_RE,
    CJK_RUN_RE,
    Document,
    MatchInput,
    analyze,
    deletions,
    has_cjk,
    osa_distance_within,
)

QueryId = Hashable
QuerySource = str | CompiledQuery
# Chinese and Japanese runs are whole clauses, rarely seen twice: resolving them again
# (one automaton pass) is cheaper than letting them crowd the cache.
CACHE_CJK_RUNS_UP_TO = 6


class Matcher:
    """Many compiled queries behind one shared prefilter.

    ``Matcher({"acme": "acme OR #acme", 7: compile_query("lang:ru AND скидк*")})`` — ids are
    any hashable; queries are strings (compiled here, raising ``QuerySyntaxError``) or
    ``CompiledQuery`` objects. ``match`` returns ids in the order the queries were given.
    Immutable: build a new Matcher when the set of queries changes."""

    def __init__(
        self,
        queries: Mapping[QueryId, str | CompiledQuery]
        | Iterable[tuple[QueryId, str | CompiledQuery]],
        *,
        max_cached_tokens: int = 200_000,
    ):
        items = queries.items() if isinstance(queries, Mapping) else queries
        self.ids: list[QueryId] = []
        self.queries: list[CompiledQuery] = []
        for query_id, query in items:
            compiled = query if isinstance(query, CompiledQuery) else compile_query(query)
            self.ids.append(query_id)
            self.queries.append(compiled)
        self._predicates = [q._predicate for q in self.queries]
        self.max_cached_tokens = max_cached_tokens

        self._always: list[int] = []
        exact: dict[str, set[int]] = {}
        prefix: dict[str, set[int]] = {}
        fuzzy: dict[tuple[str, int], set[int]] = {}
        cjk: dict[str, set[int]] = {}
        field: dict[str, set[int]] = {}
        tables = {"word": exact, "prefix": prefix, "cjk": cjk, "field": field}
        for index, query in enumerate(self.queries):
            if query.required is None:
                self._always.append(index)
                continue
            for key in query.required:
                if key[0] == "fuzzy":
                    fuzzy.setdefault((key[1], key[2]), set()).add(index)
                else:
                    tables[key[0]].setdefault(key[1], set()).add(index)

        self._exact = {k: tuple(sorted(v)) for k, v in exact.items()}
        self._prefix = {k: tuple(sorted(v)) for k, v in prefix.items()}
        self._prefix_lengths = sorted({len(k) for k in prefix})
        self._field = {k: tuple(sorted(v)) for k, v in field.items()}
        self._cjk = {k: tuple(sorted(v)) for k, v in cjk.items()}
        self._automaton = None
        if cjk:
            self._automaton = ahocorasick.Automaton()
            for literal in cjk:
                self._automaton.add_word(literal, literal)
            self._automaton.make_automaton()
        # distance → (deletion variant → fuzzy terms), and the token lengths worth trying.
        self._fuzzy_queries = {k: tuple(sorted(v)) for k, v in fuzzy.items()}
        self._fuzzy_tables: dict[int, dict[str, list[str]]] = {}
        self._fuzzy_lengths: dict[int, tuple[int, int]] = {}
        for text, distance in fuzzy:
            table = self._fuzzy_tables.setdefault(distance, {})
            for variant in deletions(text, distance):
                table.setdefault(variant, []).append(text)
            lo, hi = self._fuzzy_lengths.get(distance, (len(text), len(text)))
            self._fuzzy_lengths[distance] = (min(lo, len(text)), max(hi, len(text)))

        # (token → query indexes, tokens with any, tokens resolved): replaced as a whole when
        # full, so a reader always sees one consistent snapshot.
        self._cache: tuple[dict[str, tuple[int, ...]], set[str], set[str]] = ({}, set(), set())
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def always_evaluated(self) -> list[QueryId]:
        """Ids of queries with no required literal: evaluated against every post."""
        return [self.ids[i] for i in self._always]

    def match(self, post: MatchInput | Document) -> list[QueryId]:
        """Ids of the queries the post matches, in the order the queries were given."""
        d = analyze(post)
        candidates = self._candidates(d)
        if not candidates:
            return []
        predicates = self._predicates
        ids = self.ids
        return [ids[i] for i in sorted(candidates) if predicates[i](d)]

    def match_many(self, posts: Iterable[MatchInput | Document]) -> list[list[QueryId]]:
        """``match`` for each post, in order."""
        return [self.match(post) for post in posts]

    def candidates(self, post: MatchInput | Document) -> set[QueryId]:
        """Ids the prefilter lets through to full evaluation (for tests and tuning)."""
        return {self.ids[i] for i in self._candidates(analyze(post))}

    def _candidates(self, d: Document) -> set[int]:
        candidates = set(self._always)
        words = d.words
        resolved, hit_tokens, seen_tokens = self._cache
        missing = words - seen_tokens
        if missing:
            found_now = {token: self._resolve(token) for token in missing}
            with self._lock:
                resolved, hit_tokens, seen_tokens = self._cache
                if len(seen_tokens) + len(missing) > self.max_cached_tokens:
                    resolved, hit_tokens, seen_tokens = self._cache = ({}, set(), set())
                    for token in words - found_now.keys():
                        found_now[token] = self._resolve(token)
                for token, found in found_now.items():
                    if len(token) > CACHE_CJK_RUNS_UP_TO and not token.isascii() and has_cjk(token):
                        candidates.update(found)
                        continue
                    if found:
                        resolved[token] = found
                        hit_tokens.add(token)
                    seen_tokens.add(token)
        for token in words & hit_tokens:
            candidates.update(resolved[token])
        if self._field:
            for key in d.field_keys:
                found = self._field.get(key)
                if found:
                    candidates.update(found)
        return candidates

    def _resolve(self, token: str) -> tuple[int, ...]:
        """Indexes of the queries one of whose literals this token satisfies."""
        found: set[int] = set()
        exact = self._exact.get(token)
        if exact:
            found.update(exact)
        if self._prefix_lengths:
            size = len(token)
            for length in self._prefix_lengths:
                if length > size:
                    break
                hit = self._prefix.get(token[:length])
                if hit:
                    found.update(hit)
        pure_cjk = not token.isascii() and CJK_RUN_RE.fullmatch(token) is not None
        # Fuzzy terms never contain CJK (those match exactly), so a CJK run is ≥ 4 edits away.
        for distance, table in () if pure_cjk else self._fuzzy_tables.items():
            lo, hi = self._fuzzy_lengths[distance]
            if not lo - distance <= len(token) <= hi + distance:
                continue
            tried: set[str] = set()
            for variant in deletions(token, distance):
                for text in table.get(variant, ()):
                    if text not in tried:
                        tried.add(text)
                        if osa_distance_within(text, token, distance):
                            found.update(self._fuzzy_queries[(text, distance)])
        if self._automaton is not None and CJK_RE.search(token):
            for _end, literal in self._automaton.iter(token):
                found.update(self._cjk[literal])
        return tuple(sorted(found)) if found else ()
