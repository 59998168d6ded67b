"""Text folding and tokenization shared by queries and posts.

Both sides go through the same two steps, so a query term and the text it should hear are
always compared in the same form:

1. ``fold``: NFKD, drop combining diacritics (é→e, ё→е, й→и), casefold, then NFC so that
   Japanese kana (が) and Hangul syllables come back composed.
2. ``TOKEN_RE``: ``#hashtag``, ``@handle`` (``@user``, ``@user.bsky.social``,
   ``@user@mastodon.social``), runs of CJK characters, and plain words (letters, digits, ``_``).
   Chinese, Japanese and Korean have no reliable word boundaries, so a whole run is one token
   and a CJK term matches anywhere inside a run (substring).

A ``Document`` is a post tokenized once; every query evaluated against the post reuses it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

# Hiragana, Katakana (without the non-word ・ and ゠), CJK ideographs and extensions, Hangul.
CJK_CHARS = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u3005-\u3007"  # 々 〆 〇
    "\u3041-\u3096\u309d-\u309f"  # Hiragana
    "\u30a1-\u30fa\u30fc-\u30ff"  # Katakana
    "\u3131-\u318e"  # Hangul compatibility Jamo
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7a3"  # Hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U00020000-\U0002fa1f"  # CJK extensions B-F, compatibility supplement
)
CJK_RE = re.compile(f"[{CJK_CHARS}]")

_HASHTAG = r"(?<!\w)#\w+"
_MENTION = r"(?<!\w)@\w+(?:[.@-]\w+)*"
_CJK_RUN = rf"(?:(?=\w)[{CJK_CHARS}])+"  # word characters only, as in tokenize()
_WORD = rf"[^\W{CJK_CHARS}]+"

# The reference definition of a token (``tokenize`` is a faster equivalent for posts).
TOKEN_RE = re.compile(f"{_HASHTAG}|{_MENTION}|{_CJK_RUN}|{_WORD}")
WORD_RE = re.compile(f"{_CJK_RUN}|{_WORD}")
CJK_RUN_RE = re.compile(_CJK_RUN)
_W_RE = re.compile(r"\w+")
_SIGIL_OR_W_RE = re.compile(r"(?<!\w)[#@]\w+(?:[.@-]\w+)*|\w+")
# ASCII fast path: lower-case letters, keep digits and "_", everything else separates words.
_ASCII_TABLE = bytes(
    (c + 32 if 65 <= c <= 90 else c) if chr(c).isalnum() or c == 95 else 32 for c in range(128)
) + bytes(128)
HASHTAG_BODY_RE = re.compile(r"\w+")
HANDLE_RE = re.compile(r"\w+(?:[.@-]\w+)*")

# Combining diacritical marks (and their supplements); kana voicing marks (U+3099, U+309A)
# are deliberately not in here, NFC puts them back onto their kana.
_MARKS_RE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text`` (see module docstring)."""
    if text.isascii():
        return text.lower()
    text = _MARKS_RE.sub("", unicodedata.normalize("NFKD", text))
    return unicodedata.normalize("NFC", text.casefold())


def tokenize(text: str) -> list[str]:
    """Folded tokens of a raw text: the same as ``TOKEN_RE.findall(fold(text))``, faster."""
    return split_text(text)[0]


def split_text(text: str) -> tuple[list[str], set[str]]:
    """Tokens of a raw text (as ``tokenize``) and the set of keys a plain term can equal:
    words, CJK runs, hashtag bodies, handles and their local part.

    Plain ASCII text (most posts) is folded and split in one ``bytes.translate``; otherwise
    ``\\w+`` runs are found first and only runs containing CJK are split further."""
    sigils = "#" in text or "@" in text
    if text.isascii():
        if not sigils:
            tokens = text.encode().translate(_ASCII_TABLE).decode().split()
            return tokens, set(tokens)
        text = text.lower()
        cjk = False
    else:
        text = fold(text)
        cjk = bool(text) and max(text) >= "\u1100" and CJK_RE.search(text) is not None
    if not sigils:
        tokens = _W_RE.findall(text)
        if cjk:
            tokens = _split_cjk(tokens)
        return tokens, set(tokens)
    tokens = []
    keys = []
    for t in _SIGIL_OR_W_RE.findall(text):
        first = t[0]
        if first == "#":
            end = _W_RE.match(t, 1).end()  # type: ignore[union-attr]
            if end == len(t):
                tokens.append(t)
                keys.append(t[1:])
            else:  # "#tag.more": the hashtag stops at the first non-word character
                tokens.append(t[:end])
                keys.append(t[1:end])
                rest = _W_RE.findall(t, end)
                if cjk:
                    rest = _split_cjk(rest)
                tokens.extend(rest)
                keys.extend(rest)
        elif first == "@":
            tokens.append(t)
            keys.append(t[1:])
            if "@" in t[1:]:
                keys.append(t[1:].split("@", 1)[0])
        elif cjk:
            parts = _split_cjk([t])
            tokens.extend(parts)
            keys.extend(parts)
        else:
            tokens.append(t)
            keys.append(t)
    return tokens, set(keys)


def _split_cjk(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for t in tokens:
        if t.isascii() or CJK_RE.search(t) is None:
            out.append(t)
        else:
            out.extend(WORD_RE.findall(t))
    return out


def has_cjk(text: str) -> bool:
    return CJK_RE.search(text) is not None


def handle_keys(handle: str) -> tuple[str, ...]:
    """A folded handle and, for ``user@server`` handles, the local part too."""
    if "@" in handle:
        return (handle, handle.split("@", 1)[0])
    return (handle,)


def lang_primary(lang: str) -> str:
    """``zh-hans-cn`` → ``zh``: language filters match on the primary subtag."""
    return lang.replace("_", "-").split("-", 1)[0]


@functools.lru_cache(maxsize=1 << 17)
def osa_distance_within(a: str, b: str, limit: int) -> bool:
    """True when the optimal-string-alignment distance (Levenshtein plus adjacent
    transpositions, each substring edited at most once) between ``a`` and ``b`` is ≤ limit.

    Cached: the words of posts repeat (Zipf), and so do the fuzzy terms asked about."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > limit:
        return False
    if limit <= 0:
        return False
    if limit == 1:
        return _within_one(a, b, la, lb)
    prev2: list[int] = []
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        ca = a[i - 1]
        row_min = i
        for j in range(1, lb + 1):
            cb = b[j - 1]
            cost = 0 if ca == cb else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            if v < row_min:
                row_min = v
        if row_min > limit:
            return False
        prev2, prev = prev, cur
    return prev[lb] <= limit


def _within_one(a: str, b: str, la: int, lb: int) -> bool:
    """OSA distance ≤ 1 for two different strings, in linear time: one substitution,
    insertion, deletion or adjacent transposition."""
    if la < lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < lb and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1 :] == b[i + 1 :] or (
            i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
        )
    return a[i + 1 :] == b[i:]  # one character more in ``a``


def deletions(word: str, depth: int) -> set[str]:
    """``word`` and every string made by deleting up to ``depth`` characters from it.

    Two strings within OSA distance k always share an element of their depth-k deletion
    sets (each substitution, insertion or transposition costs at most one deletion per
    side), so this is a complete prefilter for fuzzy terms (the SymSpell idea)."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        nxt = set()
        for w in frontier:
            for i in range(len(w)):
                nxt.add(w[:i] + w[i + 1 :])
        found |= nxt
        frontier = nxt
    return found


@dataclass(frozen=True, slots=True)
class MatchInput:
    """What the matcher needs from a post: its text and the values field filters test.

    ``lang`` is a BCP-47-ish code (``en``, ``zh-CN``), ``platform`` a connector name
    (``mastodon``), ``author`` the author's handle (with or without a leading ``@``)."""

    text: str
    lang: str = ""
    platform: str = ""
    author: str = ""


class Document:
    """A post folded and tokenized once, with lazily built indexes for queries that need
    positions (phrases, NEAR) or scans (wildcards, fuzzy terms, CJK substrings).

    ``words`` holds every key a plain term can equal: words, CJK runs, hashtag bodies,
    handles (and their local part). Memoized lookups are keyed by AST node, so many
    queries sharing a term pay for it once per post."""

    __slots__ = (
        "tokens",
        "words",
        "lang",
        "platform",
        "author",
        "_sigils",
        "_plain",
        "_tags",
        "_handles",
        "_memo",
    )

    def __init__(self, post: MatchInput):
        self.tokens, self.words = split_text(post.text)
        self.lang = _fold_field(post.lang).replace("_", "-")
        self.platform = _fold_field(post.platform)
        self.author = _fold_field(post.author).lstrip("@")
        self._sigils: tuple[frozenset[str], frozenset[str]] | None = (
            None if "#" in post.text or "@" in post.text else _NO_SIGILS
        )
        self._plain: dict[str, list[int]] | None = None
        self._tags: dict[str, list[int]] | None = None
        self._handles: dict[str, list[int]] | None = None
        self._memo: dict[object, object] = {}

    @property
    def field_keys(self) -> list[str]:
        """Keys the Matcher's prefilter looks field filters up by (``l:en``, ``p:reddit``,
        ``a:handle``, ``a:local-part``)."""
        keys = []
        if self.lang:
            keys.append("l:" + lang_primary(self.lang))
        if self.platform:
            keys.append("p:" + self.platform)
        if self.author:
            keys.extend("a:" + k for k in handle_keys(self.author))
        return keys

    def _index(self) -> None:
        plain: dict[str, list[int]] = {}
        tags: dict[str, list[int]] = {}
        handles: dict[str, list[int]] = {}
        for i, t in enumerate(self.tokens):
            first = t[0]
            if first == "#":
                body = t[1:]
                plain.setdefault(body, []).append(i)
                tags.setdefault(body, []).append(i)
            elif first == "@":
                for key in handle_keys(t[1:]):
                    plain.setdefault(key, []).append(i)
                    handles.setdefault(key, []).append(i)
            else:
                plain.setdefault(t, []).append(i)
        self._plain, self._tags, self._handles = plain, tags, handles

    def keys_of_kind(self, kind: str) -> Collection[str]:
        """What a term of this kind is compared with: ``words``, hashtag bodies or handles
        (full and local part)."""
        if kind == "word":
            return self.words
        if self._sigils is None:
            tags = set()
            handles = set()
            for t in self.tokens:
                if t[0] == "#":
                    tags.add(t[1:])
                elif t[0] == "@":
                    handles.update(handle_keys(t[1:]))
            self._sigils = (frozenset(tags), frozenset(handles))
        return self._sigils[0] if kind == "hashtag" else self._sigils[1]

    def positions_by_kind(self, kind: str) -> dict[str, list[int]]:
        """Token positions by key: ``word`` (every token), ``hashtag`` or ``mention``."""
        if self._plain is None:
            self._index()
        if kind == "hashtag":
            return self._tags  # type: ignore[return-value]
        if kind == "mention":
            return self._handles  # type: ignore[return-value]
        return self._plain

    def memo(self, key: object) -> object:
        return self._memo.get(key)

    def remember(self, key: object, value: object) -> object:
        self._memo[key] = value
        return value


_NO_SIGILS: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


@functools.lru_cache(maxsize=8192)
def _fold_field(value: str) -> str:
    """Folded lang/platform/author value; few distinct values, so cached."""
    if not value:
        return ""
    return fold(value)


def analyze(post: MatchInput | Document) -> Document:
    """Tokenize a post once; a ``Document`` passes through unchanged."""
    if isinstance(post, Document):
        return post
    return Document(post)
