"""The query syntax tree.

Nodes are frozen dataclasses. ``pos`` (0-based offset in the query string) is left out of
equality and hashing, so two occurrences of the same term compare equal: the lint uses that
to spot ``a AND NOT a``, and documents memoize per-term work by node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from listening.querylang.text import has_cjk

TermKind = Literal["word", "hashtag", "mention"]

# Typo tolerance is only applied to words long enough that one or two edits still leave
# mostly the same word: ``acme~1`` hears "acne" and "amce", ``ibm~1`` stays exact.
FUZZY_MIN_LENGTH = {1: 4, 2: 7}


def effective_fuzz(text: str, fuzz: int) -> int:
    """The edit distance actually allowed for ``text~fuzz``: 2 needs ≥ 7 characters,
    1 needs ≥ 4; shorter terms fall back to a smaller distance or to exact matching.
    CJK terms are always matched exactly (as substrings)."""
    if fuzz <= 0 or has_cjk(text):
        return 0
    n = len(text)
    while fuzz > 0 and n < FUZZY_MIN_LENGTH[fuzz]:
        fuzz -= 1
    return fuzz


@dataclass(frozen=True, slots=True)
class Term:
    """One word, ``#hashtag`` or ``@handle`` (folded), optionally ``prefix*`` or ``term~n``.

    A plain word made of CJK characters matches as a substring of CJK runs."""

    text: str
    kind: TermKind = "word"
    prefix: bool = False
    fuzz: int = 0
    pos: int = field(default=0, compare=False)

    @property
    def cjk(self) -> bool:
        return self.kind == "word" and has_cjk(self.text)

    @property
    def distance(self) -> int:
        return effective_fuzz(self.text, self.fuzz)

    @property
    def mode(self) -> Literal["exact", "prefix", "fuzzy", "cjk"]:
        if self.cjk:
            return "cjk"
        if self.prefix:
            return "prefix"
        if self.distance:
            return "fuzzy"
        return "exact"

    def __str__(self) -> str:
        sigil = {"word": "", "hashtag": "#", "mention": "@"}[self.kind]
        suffix = "*" if self.prefix else (f"~{self.fuzz}" if self.fuzz else "")
        return f"{sigil}{self.text}{suffix}"


@dataclass(frozen=True, slots=True)
class Phrase:
    """Consecutive tokens, in order (``"acme customer service"``)."""

    elements: tuple[Term, ...]
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return '"' + " ".join(str(e) for e in self.elements) + '"'


@dataclass(frozen=True, slots=True)
class Empty:
    """A phrase with no words in it (``""``): matches nothing."""

    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return '""'


@dataclass(frozen=True, slots=True)
class FieldFilter:
    """``lang:xx``, ``platform:name`` or ``author:handle`` (value folded)."""

    name: Literal["lang", "platform", "author"]
    value: str
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        value = self.value
        if not value or any(c.isspace() or c in '()"' for c in value):
            value = '"' + value + '"'
        return f"{self.name}:{value}"


@dataclass(frozen=True, slots=True)
class Not:
    child: Node
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return f"NOT {_wrap(self.child, self)}"


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return " AND ".join(_wrap(c, self) for c in self.children)


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return " OR ".join(_wrap(c, self) for c in self.children)


@dataclass(frozen=True, slots=True)
class Near:
    """``left NEAR/n right``: at most ``n`` tokens between the two; ``NEAR/nf`` also
    requires ``left`` to come first."""

    left: Node
    right: Node
    distance: int
    forward: bool = False
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        op = f"NEAR/{self.distance}{'f' if self.forward else ''}"
        return f"{_wrap(self.left, self)} {op} {_wrap(self.right, self)}"


Node = Term | Phrase | Empty | FieldFilter | Not | And | Or | Near

# Higher binds tighter; used only to print the minimal parentheses.
_PRECEDENCE = {Or: 1, And: 2, Not: 3, Near: 4}


def _wrap(child: Node, parent: Node) -> str:
    child_rank = _PRECEDENCE.get(type(child), 5)
    parent_rank = _PRECEDENCE[type(parent)]
    if child_rank < parent_rank or (child_rank == parent_rank and isinstance(child, Near)):
        return f"({child})"
    return str(child)


def walk(node: Node):
    """Every node of the tree, depth first."""
    yield node
    if isinstance(node, Not):
        yield from walk(node.child)
    elif isinstance(node, And | Or):
        for c in node.children:
            yield from walk(c)
    elif isinstance(node, Near):
        yield from walk(node.left)
        yield from walk(node.right)
    elif isinstance(node, Phrase):
        yield from node.elements
