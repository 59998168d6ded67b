"""Lexer and recursive-descent parser for the boolean query language.

Grammar (NEAR binds tightest, then NOT, AND, OR; adjacent operands are an implicit AND)::

    query   := or EOF
    or      := and ("OR" and)*
    and     := not (["AND"] not)*
    not     := "NOT" not | near
    near    := primary ("NEAR/n" ["f"] primary)*
    primary := "(" or ")" | TERM | "PHRASE" | FIELD ":" VALUE

Operators are upper case only (``and``/``or``/``not`` are searched as words, as in
Brandwatch). Every error is a ``QuerySyntaxError`` carrying the 0-based offset in the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    TermKind,
)
from listening.querylang.text import (
    HANDLE_RE,
    HASHTAG_BODY_RE,
    TOKEN_RE,
    WORD_RE,
    fold,
)

FIELDS = ("author", "lang", "platform")
OPEN_QUOTES = '"“”„«'
CLOSE_QUOTES = {'"': '"“”', "“": '"”“', "”": '"”“', "„": '"“”', "«": '»"'}
_STOP = set(OPEN_QUOTES) | set("()»")
_FIELD_RE = re.compile(r"([A-Za-z]+):")
EMPTY_QUERY = 'Expected a term or "(" at position 0, found an empty query'
_NEAR_RE = re.compile(r"NEAR/(\d+)(f?)")


class QuerySyntaxError(ValueError):
    """An invalid query. ``position`` is the 0-based character offset of the problem."""

    def __init__(self, message: str, position: int):
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "(" ")" AND OR NOT NEAR TERM PHRASE FIELD EOF
    text: str
    pos: int
    value: str = ""  # phrase content, field value, NEAR distance
    field_name: str = ""
    forward: bool = False

    def describe(self) -> str:
        if self.kind == "EOF":
            return "end of query"
        if self.kind in ("AND", "OR", "NOT", "NEAR"):
            return self.text
        return f'"{self.text}"' if self.kind != "PHRASE" else self.text


def _expected(what: str, token: Token) -> QuerySyntaxError:
    return QuerySyntaxError(
        f"Expected {what} at position {token.pos}, found {token.describe()}", token.pos
    )


def tokenize_query(query: str) -> list[Token]:
    """Split a query into tokens; raises ``QuerySyntaxError`` on unbalanced quotes,
    malformed NEAR, unknown fields and fields without a value."""
    tokens: list[Token] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
            continue
        if c in "()":
            tokens.append(Token(c, c, i))
            i += 1
            continue
        if c in OPEN_QUOTES:
            content, end = _read_quoted(query, i)
            tokens.append(Token("PHRASE", query[i:end], i, value=content))
            i = end
            continue
        start = i
        while i < n and not query[i].isspace() and query[i] not in _STOP:
            i += 1
        if i == start:  # a lone closing guillemet
            raise QuerySyntaxError(
                f'Expected a term or "(" at position {start}, found "{c}"', start
            )
        word = query[start:i]
        if word in ("AND", "OR", "NOT"):
            tokens.append(Token(word, word, start))
        elif word.startswith("NEAR/") or word == "NEAR":
            m = _NEAR_RE.fullmatch(word)
            if not m:
                at = start + min(len(word), 5)
                found = f'"{word[5:]}"' if len(word) > 5 else "nothing"
                raise QuerySyntaxError(
                    "Expected a whole number after NEAR/ (e.g. NEAR/3) "
                    f"at position {at}, found {found}",
                    at,
                )
            tokens.append(Token("NEAR", word, start, value=m.group(1), forward=bool(m.group(2))))
        elif m := _FIELD_RE.match(word):
            name = m.group(1).lower()
            if name not in FIELDS:
                raise QuerySyntaxError(
                    "Expected a field name (author:, lang: or platform:) "
                    f'at position {start}, found "{m.group(0)}"',
                    start,
                )
            value = word[m.end() :]
            value_at = start + m.end()
            if not value and i < n and query[i] in OPEN_QUOTES:
                value, i = _read_quoted(query, i)
            value = value.strip()
            if not value:
                found = "end of query" if value_at >= n else f'"{query[value_at]}"'
                raise QuerySyntaxError(
                    f'Expected a value after "{m.group(0)}" at position {value_at}, found {found}',
                    value_at,
                )
            tokens.append(Token("FIELD", query[start:i], start, value=value, field_name=name))
        else:
            tokens.append(Token("TERM", word, start))
    tokens.append(Token("EOF", "", n))
    return tokens


def _read_quoted(query: str, start: int) -> tuple[str, int]:
    closers = CLOSE_QUOTES[query[start]]
    for j in range(start + 1, len(query)):
        if query[j] in closers:
            return query[start + 1 : j], j + 1
    raise QuerySyntaxError(
        f"Expected a closing quote for the quote at position {start}, found end of query",
        start,
    )


class _Parser:
    def __init__(self, query: str):
        self.query = query
        self.tokens = tokenize_query(query)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        if self.tok.kind == "EOF":
            raise QuerySyntaxError(EMPTY_QUERY, 0)
        node = self.parse_or()
        tok = self.tok
        if tok.kind == ")":
            raise QuerySyntaxError(
                f'Expected an operator or end of query at position {tok.pos}, found ")" '
                'with no "(" to close',
                tok.pos,
            )
        if tok.kind != "EOF":  # pragma: no cover - every other token continues an expression
            raise _expected("an operator or end of query", tok)
        return node

    def parse_or(self) -> Node:
        start = self.tok.pos
        children = [self.parse_and()]
        while self.tok.kind == "OR":
            self.advance()
            children.append(self.parse_and())
        return _flat(Or, children, start)

    def parse_and(self) -> Node:
        start = self.tok.pos
        children = [self.parse_not()]
        while True:
            kind = self.tok.kind
            if kind == "AND":
                self.advance()
            elif kind not in ("TERM", "PHRASE", "FIELD", "(", "NOT"):
                break
            children.append(self.parse_not())
        return _flat(And, children, start)

    def parse_not(self) -> Node:
        if self.tok.kind == "NOT":
            start = self.advance().pos
            return Not(self.parse_not(), pos=start)
        return self.parse_near()

    def parse_near(self) -> Node:
        left = self.parse_primary()
        while self.tok.kind == "NEAR":
            op = self.advance()
            right = self.parse_primary()
            for side in (left, right):
                _check_near_operand(side, op)
            left = Near(left, right, int(op.value), op.forward, pos=left.pos)
        return left

    def parse_primary(self) -> Node:
        tok = self.tok
        if tok.kind == "(":
            self.advance()
            if self.tok.kind == ")":
                raise _expected('a term or "("', self.tok)
            node = self.parse_or()
            if self.tok.kind != ")":
                close = self.tok
                raise QuerySyntaxError(
                    f'Expected ")" at position {close.pos} to close the "(" at position '
                    f"{tok.pos}, found {close.describe()}",
                    close.pos,
                )
            self.advance()
            return node
        if tok.kind == "TERM":
            self.advance()
            return parse_term(tok.text, tok.pos)
        if tok.kind == "PHRASE":
            self.advance()
            return parse_phrase(tok.value, tok.pos)
        if tok.kind == "FIELD":
            self.advance()
            return _field(tok)
        raise _expected('a term or "("', tok)


def _flat(cls: type[And] | type[Or], children: list[Node], pos: int) -> Node:
    if len(children) == 1:
        return children[0]
    flat: list[Node] = []
    for c in children:
        flat.extend(c.children if isinstance(c, cls) else (c,))
    return cls(tuple(flat), pos=pos)


def _positional(node: Node) -> bool:
    if isinstance(node, Term | Phrase | Empty | Near):
        return True
    return isinstance(node, Or) and all(_positional(c) for c in node.children)


def _check_near_operand(node: Node, op: Token) -> None:
    if not _positional(node):
        raise QuerySyntaxError(
            f"Expected a word, phrase or OR-group on each side of {op.text} "
            f"at position {node.pos}, found {_describe_node(node)}",
            node.pos,
        )


def _describe_node(node: Node) -> str:
    if isinstance(node, FieldFilter):
        return "a field filter"
    if isinstance(node, Not):
        return "NOT"
    if isinstance(node, And):
        return "an AND-group"
    return "an OR-group containing AND, NOT or a field filter"


def _field(tok: Token) -> FieldFilter:
    value = fold(tok.value)
    if tok.field_name == "author":
        value = value.lstrip("@")
    elif tok.field_name == "lang":
        value = value.replace("_", "-")
    if not value:
        at = tok.pos + len(tok.field_name) + 1
        raise QuerySyntaxError(f'Expected a value after "{tok.field_name}:" at position {at}', at)
    return FieldFilter(tok.field_name, value, pos=tok.pos)  # type: ignore[arg-type]


def parse_term(raw: str, pos: int) -> Node:
    """A bare term: ``word``, ``#tag``, ``@handle``, with ``*`` or ``~1``/``~2`` at the end.

    A word that folds into several tokens (``coca-cola``, ``acme.com``) becomes a phrase."""
    body, at = raw, pos
    kind: TermKind = "word"
    if raw[0] == "-" and len(raw) > 1:
        raise QuerySyntaxError(
            f'Expected a term at position {pos}, found "{raw}" (use NOT to exclude a term)', pos
        )
    if body[0] in "#@":
        kind = "hashtag" if body[0] == "#" else "mention"
        body, at = body[1:], at + 1
    fuzz = 0
    prefix = False
    if "~" in body:
        t = body.index("~")
        suffix = body[t + 1 :]
        if suffix not in ("1", "2"):
            found = f'"{suffix}"' if suffix else "nothing"
            raise QuerySyntaxError(
                f'Expected 1 or 2 after "~" at position {at + t + 1}, found {found}', at + t + 1
            )
        fuzz = int(suffix)
        body = body[:t]
    if "*" in body:
        s = body.index("*")
        if s != len(body) - 1:
            raise QuerySyntaxError(
                f'Expected "*" only at the end of a term at position {at + s}, found "{raw}"',
                at + s,
            )
        if fuzz:
            raise QuerySyntaxError(
                f'Expected either "*" or "~" on a term at position {at + s}, found both', at + s
            )
        prefix = True
        body = body[:-1]
    folded = fold(body)
    if kind == "hashtag":
        if not HASHTAG_BODY_RE.fullmatch(folded):
            raise QuerySyntaxError(
                f'Expected letters, digits or "_" after "#" at position {at}, found "{raw}"', at
            )
        return Term(folded, "hashtag", prefix, fuzz, pos=pos)
    if kind == "mention":
        if not HANDLE_RE.fullmatch(folded):
            raise QuerySyntaxError(
                f'Expected a handle after "@" at position {at}, found "{raw}"', at
            )
        return Term(folded, "mention", prefix, fuzz, pos=pos)
    words = WORD_RE.findall(folded)
    if not words:
        raise QuerySyntaxError(
            f'Expected a term with letters or digits at position {pos}, found "{raw}"', pos
        )
    if len(words) == 1:
        return Term(words[0], "word", prefix, fuzz, pos=pos)
    if fuzz:
        raise QuerySyntaxError(
            f'Expected a single word before "~" at position {pos}, found "{raw}"', pos
        )
    elements = [Term(w, pos=pos) for w in words]
    if prefix:
        elements[-1] = Term(words[-1], prefix=True, pos=pos)
    return Phrase(tuple(elements), pos=pos)


def parse_phrase(content: str, pos: int) -> Node:
    """``"exact phrase"``: tokens in order; a token may end in ``*``. No words → ``Empty``."""
    folded = fold(content)
    elements = []
    for m in TOKEN_RE.finditer(folded):
        t = m.group(0)
        prefix = folded[m.end() : m.end() + 1] == "*"
        if t[0] == "#":
            elements.append(Term(t[1:], "hashtag", prefix, pos=pos))
        elif t[0] == "@":
            elements.append(Term(t[1:], "mention", prefix, pos=pos))
        else:
            elements.append(Term(t, "word", prefix, pos=pos))
    if not elements:
        return Empty(pos=pos)
    if len(elements) == 1:
        return elements[0]
    return Phrase(tuple(elements), pos=pos)


def parse(query: str) -> Node:
    """Parse ``query`` into a syntax tree, or raise ``QuerySyntaxError``."""
    if not query or not query.strip():
        raise QuerySyntaxError(EMPTY_QUERY, 0)
    return _Parser(query).parse()
