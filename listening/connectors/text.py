"""Turning what platforms send (HTML, odd whitespace, control characters) into plain post text."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

# A post's text is cut here; the platform's payload in ``raw`` keeps its own (capped) copy.
MAX_TEXT_CHARS = 20_000

# Elements whose end is a line break in the text.
_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 "
    "h6 header hr li main nav ol p pre section summary table td th tr ul".split()
)
# Elements whose content is never text a person reads.
_SKIP_TAGS = frozenset("script style template head title svg math iframe object".split())
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*(\n\s*)+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, blocks on their own lines.

    Never evaluates or fetches anything; script and style contents are dropped. Link targets
    are not kept (Mastodon and most feeds also show the URL as link text).
    """
    if not html:
        return ""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return clean_text("".join(parser.parts))


def clean_text(text: str | None) -> str:
    """NFC, no control characters (PostgreSQL refuses NUL), single spaces, one blank line max."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def cap_text(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """The first ``limit`` characters (a 100 KB post keeps its first 20,000)."""
    return text if len(text) <= limit else text[:limit]


def join_parts(title: str | None, body: str | None) -> str:
    """Title and body as one text, blank-line separated; a body that repeats the title wins."""
    title, body = clean_text(title), clean_text(body)
    # A title that is the body's opening words, maybe with an ellipsis, adds nothing.
    if not title or body.startswith(re.sub(r"[.…\s]+$", "", title)):
        return body or title
    if not body:
        return title
    return f"{title}\n\n{body}"
