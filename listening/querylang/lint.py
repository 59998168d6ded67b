"""Warnings for the query editor: valid queries that are probably not what was meant."""

from __future__ import annotations

from dataclasses import dataclass

from listening.querylang.compiler import required_keys
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
    walk,
)
from listening.querylang.parser import parse
from listening.querylang.wordlists import is_common_word

SHORT_WILDCARD = 3  # a prefix shorter than this matches far too many words


@dataclass(frozen=True, slots=True)
class LintWarning:
    """``code`` is stable (for tests and UI), ``message`` is for people, ``position`` is the
    0-based offset in the query of the part the warning is about."""

    code: str
    message: str
    position: int


def lint(query: str | Node) -> list[LintWarning]:
    """Warnings for a valid query, sorted by position. Raises ``QuerySyntaxError`` when the
    query does not parse (the editor shows that error instead).

    Codes: ``common-word``, ``short-wildcard``, ``empty-or-side``, ``empty-phrase``,
    ``only-not``, ``or-not``, ``only-filters``, ``contradiction``, ``fuzzy-reduced``,
    ``lowercase-operator``."""
    node = parse(query) if isinstance(query, str) else query
    warnings: list[LintWarning] = []
    for term in _broad_terms(node):
        warnings.append(
            LintWarning(
                "common-word",
                f'"{term}" is a very common word: on its own it matches a large share of all '
                "posts. Combine it with AND, use a phrase or a more specific word.",
                term.pos,
            )
        )
    warnings += _positive_warnings(node)
    or_sides: set[int] = set()
    for n in walk(node):
        if isinstance(n, Or):
            for c in n.children:
                if isinstance(c, Empty) or _contradiction(c):
                    or_sides.add(id(c))
                    warnings.append(
                        LintWarning(
                            "empty-or-side",
                            "This side of OR can never match anything; remove it or fill it in.",
                            c.pos,
                        )
                    )
    for n in walk(node):
        if isinstance(n, Empty) and id(n) not in or_sides:
            warnings.append(
                LintWarning("empty-phrase", "This phrase has no words and matches nothing.", n.pos)
            )
        elif isinstance(n, And) and (bad := _contradiction(n)):
            warnings.append(
                LintWarning(
                    "contradiction",
                    f"{bad} excludes what the rest of this AND requires: this part can never "
                    "match.",
                    bad.pos,
                )
            )
        elif isinstance(n, Term):
            warnings += _term_warnings(n)
    return sorted(set(warnings), key=lambda w: (w.position, w.code))


def _term_warnings(term: Term) -> list[LintWarning]:
    out = []
    if term.prefix and not term.cjk and len(term.text) < SHORT_WILDCARD:
        out.append(
            LintWarning(
                "short-wildcard",
                f'"{term}" has a very short prefix and matches a huge number of words; use at '
                f"least {SHORT_WILDCARD} letters before *.",
                term.pos,
            )
        )
    if term.fuzz and term.distance < term.fuzz:
        allowed = f"~{term.distance}" if term.distance else "exact matching"
        out.append(
            LintWarning(
                "fuzzy-reduced",
                f'"{term}": typo tolerance needs at least 4 characters for ~1 and 7 for ~2; '
                f"this term uses {allowed}.",
                term.pos,
            )
        )
    if term.kind == "word" and term.mode == "exact" and term.text in ("and", "or", "not"):
        out.append(
            LintWarning(
                "lowercase-operator",
                f'"{term.text}" is searched as a word; write {term.text.upper()} in capitals '
                "to use the operator.",
                term.pos,
            )
        )
    return out


def _broad_terms(node: Node) -> list[Term]:
    """Common words that would make the query match on their own."""
    if isinstance(node, Term):
        return [node] if node.mode in ("exact", "cjk") and is_common_word(node.text) else []
    if isinstance(node, Or):
        return [t for c in node.children for t in _broad_terms(c)]
    if isinstance(node, And):
        positive = [c for c in node.children if not isinstance(c, Not | FieldFilter)]
        return _broad_terms(positive[0]) if len(positive) == 1 else []
    return []


def _has_positive_term(node: Node) -> bool:
    if isinstance(node, Term | Phrase | Near):
        return True
    if isinstance(node, And | Or):
        return any(_has_positive_term(c) for c in node.children)
    return False


def _positive_warnings(node: Node) -> list[LintWarning]:
    if not _has_positive_term(node):
        if any(isinstance(n, Not) for n in walk(node)):
            return [
                LintWarning(
                    "only-not",
                    "The query has only NOT (and filters): it matches every post that does "
                    "not contain the excluded terms. Add the terms you want to hear.",
                    node.pos,
                )
            ]
        if isinstance(node, Empty):
            return []
        return [
            LintWarning(
                "only-filters",
                "The query has only field filters: it matches every post they allow.",
                node.pos,
            )
        ]
    if required_keys(node) is None:
        return [
            LintWarning(
                "or-not",
                "Part of this query matches posts without any of its terms (an OR with a "
                "side that is only NOT): it will match most posts.",
                node.pos,
            )
        ]
    return []


def _contradiction(node: Node) -> Not | None:
    """The ``NOT x`` in an AND that also requires ``x`` (or something ``x`` includes)."""
    if not isinstance(node, And):
        return None
    positive = [c for c in node.children if not isinstance(c, Not)]
    for c in node.children:
        if isinstance(c, Not):
            excluded = c.child.children if isinstance(c.child, Or) else (c.child,)
            if any(p == e for p in positive for e in excluded):
                return c
    return None
