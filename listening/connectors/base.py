"""What every connector shares: the normalized post, the fetch result, the connector interface,
and the rules that turn a platform's item into a post.

Rules every connector follows (and :func:`normalize_item` for file import and the push API):

- **No text, no post.** An item whose text is empty once HTML and whitespace are stripped (a
  photo without caption, a deleted body) is skipped and counted in ``FetchResult.skipped``:
  there is nothing to match a query against or to score. An emoji-only post is text and kept.
- **Long text is cut** to ``MAX_TEXT_CHARS`` (20,000) characters; so is every string in ``raw``.
- **Time is aware UTC.** A timestamp in the future (a wrong clock, a scheduled item) is clamped
  to the fetch time; ``raw`` keeps what the platform said. A naive timestamp is taken as UTC.
- **lang** is the platform's own language tag reduced to its primary subtag ("pt-BR" → "pt"),
  or None: language detection happens later in the pipeline.
- **Incremental fetches.** With an empty cursor a connector reads only the newest page; with a
  cursor it walks back until it reaches what it saw last time, at most ``max_pages`` pages, and
  says so in ``warnings`` when it had to stop short (a gap is possible).
- **Errors.** ``fetch`` raises :class:`listening.http.FetchError` subclasses only (network,
  :class:`ParseError` for a payload it cannot read, :class:`ConfigError` for stored settings it
  cannot use); ``str(error)`` is the sentence to store on the Source. Problems it got past
  (a malformed feed it could still read) are in ``FetchResult.warnings``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from listening.http import FetchError, HttpClient
from listening.models import Platform

from .text import MAX_TEXT_CHARS, cap_text, clean_text

# Model column sizes (listening.models): values longer than these cannot be stored.
MAX_EXTERNAL_ID = 255
MAX_HANDLE = 255
MAX_NAME = 255
MAX_URL = 1000
MAX_AUTHOR_URL = 500
DEFAULT_MAX_PAGES = 5
MAX_PAGES_LIMIT = 20

_LANG = re.compile(r"^[a-z]{2,3}$")
_FRACTION = re.compile(r"(\.\d{6})\d+")


@dataclass
class NormalizedPost:
    """One post as the pipeline ingests it, whatever platform it came from."""

    platform: str
    external_id: str
    url: str
    text: str
    published_at: datetime
    author_handle: str = ""
    author_name: str = ""
    author_url: str = ""
    author_followers: int | None = None
    lang: str | None = None
    likes: int = 0
    shares: int = 0
    replies: int = 0
    reach: int = 0
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class FetchResult:
    """Posts of one fetch, where the next one starts, and what went wrong without stopping it."""

    posts: list[NormalizedPost]
    cursor: dict[str, Any]
    not_modified: bool = False
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)


class ParseError(FetchError):
    """The response arrived but is not what the platform should send (or cannot be read)."""


class ConfigError(FetchError):
    """The Source's stored settings are not usable (they were changed outside the form)."""


class Connector:
    """A platform behind one interface. Subclasses set ``kind``/``platform`` and implement
    :meth:`validate_config` and :meth:`fetch`."""

    kind: ClassVar[str]
    platform: ClassVar[str]

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        """The cleaned config, or a ``ValidationError`` keyed by field for the Source form."""
        raise NotImplementedError

    def fetch(
        self, config: dict[str, Any], cursor: dict[str, Any], client: HttpClient
    ) -> FetchResult:
        """New posts since ``cursor``, and the cursor for next time."""
        raise NotImplementedError

    def clean(self, config: dict[str, Any]) -> dict[str, Any]:
        """:meth:`validate_config` for ``fetch``: a stored config that fails is a ConfigError."""
        try:
            return self.validate_config(config)
        except ValidationError as exc:
            details = "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
            )
            raise ConfigError(f"The source settings are not valid ({details}).") from exc


# --- shared helpers ---------------------------------------------------------------------------


def parse_timestamp(value: Any) -> datetime | None:
    """An aware datetime from ISO 8601 text, epoch seconds or a datetime; None if unreadable.

    Naive values are UTC; fractions beyond microseconds (some clients send nanoseconds) are cut.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(value, str):
        text = _FRACTION.sub(r"\1", value.strip())
        try:
            parsed = parse_datetime(text)
        except ValueError:
            return None
        if parsed is None:
            return None
    else:
        return None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def clamp_to_now(published: datetime, now: datetime | None = None) -> datetime:
    """A timestamp in the future becomes now (posts cannot come from the future)."""
    now = now or timezone.now()
    return min(published, now)


def normalize_lang(value: Any) -> str | None:
    """ "pt-BR" → "pt", "EN" → "en"; None for missing, "und" or anything that is not a tag."""
    if not isinstance(value, str):
        return None
    primary = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
    if not _LANG.match(primary) or primary == "und":
        return None
    return primary


def count(value: Any) -> int:
    """A non-negative int from a platform counter (None, negatives and junk are 0)."""
    if isinstance(value, bool):
        return 0
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def http_url(value: Any, limit: int = MAX_URL) -> str:
    """The value if it is an absolute http(s) URL that fits the column, else "" (so no
    ``javascript:`` link ever reaches a page)."""
    if not isinstance(value, str):
        return ""
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or len(value) > limit:
        return ""
    return value


def fit_id(value: str) -> str:
    """An external id that fits the column: longer ones become a stable hash."""
    if len(value) <= MAX_EXTERNAL_ID:
        return value
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def cap_raw(value: Any, limit: int = MAX_TEXT_CHARS) -> Any:
    """``raw`` safe to store as JSON: long strings cut, NUL characters (refused by PostgreSQL)
    dropped, datetimes as ISO 8601, anything else that JSON cannot hold as its ``str()``."""
    if isinstance(value, str):
        return value[:limit].replace("\x00", "")
    if isinstance(value, dict):
        return {str(k): cap_raw(v, limit) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [cap_raw(v, limit) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:limit]


def max_pages(config: dict[str, Any], errors: dict[str, str]) -> int:
    """The ``max_pages`` setting (1–20, default 5), recording a field error if it is wrong."""
    value = config.get("max_pages", DEFAULT_MAX_PAGES)
    if (
        isinstance(value, bool)
        or not str(value).isdigit()
        or not 1 <= int(value) <= MAX_PAGES_LIMIT
    ):
        errors["max_pages"] = f"Enter a whole number of pages from 1 to {MAX_PAGES_LIMIT}."
        return DEFAULT_MAX_PAGES
    return int(value)


def build_post(
    *,
    platform: str,
    external_id: str,
    text: str,
    published_at: datetime | None,
    url: str = "",
    author_handle: str = "",
    author_name: str = "",
    author_url: str = "",
    author_followers: Any = None,
    lang: Any = None,
    likes: Any = 0,
    shares: Any = 0,
    replies: Any = 0,
    reach: Any = 0,
    raw: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> NormalizedPost | None:
    """A post following the rules above, or None when it has no text (skip it)."""
    text = cap_text(clean_text(text))
    if not text:
        return None
    now = now or timezone.now()
    return NormalizedPost(
        platform=platform,
        external_id=fit_id(str(external_id)),
        url=http_url(url),
        text=text,
        published_at=clamp_to_now(published_at or now, now),
        author_handle=clean_text(author_handle)[:MAX_HANDLE],
        author_name=clean_text(author_name)[:MAX_NAME],
        author_url=http_url(author_url, MAX_AUTHOR_URL),
        author_followers=None if author_followers is None else count(author_followers),
        lang=normalize_lang(lang),
        likes=count(likes),
        shares=count(shares),
        replies=count(replies),
        reach=count(reach),
        raw=cap_raw(raw or {}),
    )


# --- the generic normalized shape (file import, push API) -------------------------------------

_COUNTERS = ("likes", "shares", "replies", "reach")
_TEXT_FIELDS = {"author_handle": MAX_HANDLE, "author_name": MAX_NAME}


def normalize_item(item: dict[str, Any], *, platform: str | None = None) -> NormalizedPost:
    """One item of the generic shape (the fields of :class:`NormalizedPost`) as a post.

    ``platform`` is used when the item has none. Required: ``external_id``, ``text``,
    ``published_at`` (ISO 8601 or epoch seconds). ``raw`` defaults to the item itself. Raises a
    ``ValidationError`` keyed by field with every problem at once; a future ``published_at`` is
    clamped, a text over 20,000 characters is cut (both are not errors).
    """
    if not isinstance(item, dict):
        raise ValidationError({"item": "Each item must be an object with the post's fields."})
    errors: dict[str, str] = {}
    now = timezone.now()

    platform_value = item.get("platform") or platform
    if platform_value not in Platform.values:
        errors["platform"] = "Choose one of: " + ", ".join(Platform.values) + "."

    external_id = item.get("external_id")
    if isinstance(external_id, int) and not isinstance(external_id, bool):
        external_id = str(external_id)
    if not isinstance(external_id, str) or not external_id.strip():
        errors["external_id"] = "This field is required: the post's id on its platform."
    elif len(external_id.strip()) > MAX_EXTERNAL_ID:
        errors["external_id"] = f"Ensure this value has at most {MAX_EXTERNAL_ID} characters."

    text = item.get("text")
    if not isinstance(text, str) or not clean_text(text):
        errors["text"] = "This field is required: the post's text."

    published_at = parse_timestamp(item.get("published_at"))
    if item.get("published_at") in (None, ""):
        errors["published_at"] = "This field is required."
    elif published_at is None:
        errors["published_at"] = "Enter a date and time in ISO 8601, e.g. 2025-05-19T17:10:09Z."

    for name, limit in (("url", MAX_URL), ("author_url", MAX_AUTHOR_URL)):
        value = item.get(name)
        if value not in (None, "") and not http_url(value, limit):
            errors[name] = f"Enter an absolute http(s) address of at most {limit} characters."

    for name, limit in _TEXT_FIELDS.items():
        value = item.get(name)
        if value is not None and not isinstance(value, str):
            errors[name] = "Enter text."
        elif value and len(value) > limit:
            errors[name] = f"Ensure this value has at most {limit} characters."

    for name in (*_COUNTERS, "author_followers"):
        value = item.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
            errors[name] = "Enter a whole number, 0 or more."

    lang = item.get("lang")
    if lang not in (None, "") and normalize_lang(lang) is None and lang != "und":
        errors["lang"] = "Enter a language code such as en or pt-BR."

    raw = item.get("raw")
    if raw is not None and not isinstance(raw, dict):
        errors["raw"] = "Enter an object."

    if errors:
        raise ValidationError(errors)
    post = build_post(
        platform=str(platform_value),
        external_id=str(external_id).strip(),
        text=str(text),
        published_at=published_at,
        url=item.get("url") or "",
        author_handle=item.get("author_handle") or "",
        author_name=item.get("author_name") or "",
        author_url=item.get("author_url") or "",
        author_followers=item.get("author_followers"),
        lang=lang,
        raw=raw if raw is not None else {k: v for k, v in item.items() if k != "raw"},
        now=now,
        **{name: item.get(name) or 0 for name in _COUNTERS},
    )
    assert post is not None  # text was checked above
    return post
