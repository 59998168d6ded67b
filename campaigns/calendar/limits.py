"""Per-platform text limits of the calendar's posts, counted the way each platform counts.

Bluesky counts graphemes (what a reader sees as one character); the others count
characters. Mastodon and X count every link as 23 characters, but a longer text is refused
here anyway, so the plain count is the safe side of that rule.
"""

from __future__ import annotations

import unicodedata

# platform → (limit, unit)
LIMITS: dict[str, tuple[int, str]] = {
    "mastodon": (500, "characters"),
    "bluesky": (300, "graphemes"),
    "x": (280, "characters"),
    "threads": (500, "characters"),
    "linkedin": (3000, "characters"),
    "instagram": (2200, "characters"),
    "facebook": (63206, "characters"),
    "tiktok": (2200, "characters"),
    "youtube": (5000, "characters"),
}

_ZWJ = "\u200d"


def _extends(ch: str) -> bool:
    """Does ``ch`` join the grapheme before it (combining mark, variation selector,
    skin-tone modifier, tag)?"""
    code = ord(ch)
    return (
        unicodedata.combining(ch) != 0
        or unicodedata.category(ch) in ("Mn", "Me")
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # tags (subdivision flags)
    )


def _is_regional_indicator(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def grapheme_count(text: str) -> int:
    """How many graphemes ``text`` has: an approximation of Unicode's extended grapheme
    clusters that covers accents, emoji with modifiers, ZWJ sequences and flags."""
    count = 0
    joined = False  # the previous character was a ZWJ
    pending_flag = False  # an unpaired regional indicator was counted
    for ch in text:
        if ch == _ZWJ:
            joined = True
            continue
        if joined or (count and _extends(ch)):
            joined = False
            continue
        if _is_regional_indicator(ch):
            if pending_flag:
                pending_flag = False
                continue
            pending_flag = True
        else:
            pending_flag = False
        count += 1
    return count


def text_length(platform: str, text: str) -> int:
    """The length of ``text`` as ``platform`` counts it."""
    unit = LIMITS.get(platform, (0, "characters"))[1]
    return grapheme_count(text) if unit == "graphemes" else len(text)


def limit_error(platform: str, text: str) -> str | None:
    """A sentence saying by how much ``text`` is over the platform's limit, or None."""
    if platform not in LIMITS:
        return None
    limit, unit = LIMITS[platform]
    length = text_length(platform, text)
    if length <= limit:
        return None
    return (
        f"{length} {unit}: {length - limit} over the {limit}-{unit.rstrip('s')} limit of "
        f"{platform.capitalize() if platform != 'x' else 'X'}."
    )
