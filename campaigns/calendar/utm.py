"""The UTM builder: a link plus source / medium / campaign / content parameters."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

UTM_FIELDS = ("source", "medium", "campaign", "content")


def build_utm_url(
    url: str, *, source: str = "", medium: str = "", campaign: str = "", content: str = ""
) -> str:
    """``url`` with the given ``utm_*`` parameters set (replacing any already there);
    blank values are left out, other query parameters and the fragment are kept."""
    if not url:
        return ""
    parts = urlsplit(url)
    values = {"source": source, "medium": medium, "campaign": campaign, "content": content}
    wanted = {f"utm_{k}": v.strip() for k, v in values.items() if v and v.strip()}
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in wanted]
    query += list(wanted.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def utm_values(url: str) -> dict[str, str]:
    """The ``utm_*`` values already in ``url`` (to fill the builder's fields)."""
    if not url:
        return {}
    pairs = dict(parse_qsl(urlsplit(url).query))
    return {k: pairs[f"utm_{k}"] for k in UTM_FIELDS if f"utm_{k}" in pairs}
