"""RSS 0.9x/1.0/2.0, Atom and JSON Feed, through feedparser.

- Conditional GET: ``etag``/``last_modified`` in the cursor; a 304 is ``not_modified``.
- Encodings: the HTTP charset, the XML declaration, the BOM, then charset detection (chardet),
  so GB2312 or KOI8-R feeds that declare nothing still decode.
- Safety: feedparser gets bytes in a stream (a plain string could make it open a file or a
  URL), drops DOCTYPE entity declarations that are not plain text and turns off external
  entities in its XML parser, so an XXE or entity-expansion feed fetches and expands nothing.
  HTML is sanitized by feedparser and reduced to text here; links that are not http(s) are
  dropped.
- Malformed XML: when feedparser's lenient parser still finds entries, they are kept and a
  warning says the feed is broken and how many entries were recovered; when it finds no feed
  at all the fetch fails with a :class:`ParseError` naming the XML error.
- One post per entry: id from the entry's id/guid, else its link, else a hash of its content
  (ids that are not absolute URIs are prefixed with the feed address, since guids like "42" are
  only unique within a feed); text = title + content (or summary); the author is the site
  (handle = its host name, name = the feed title), the entry's own author stays in ``raw``.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.sax import SAXParseException

import feedparser
from django.core.exceptions import ValidationError
from django.utils import timezone

from listening.http import FetchError, FetchResponse, HttpClient, allowed_hosts_setting, check_url

from .base import (
    Connector,
    FetchResult,
    NormalizedPost,
    ParseError,
    build_post,
    http_url,
    parse_timestamp,
)
from .text import html_to_text, join_parts

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
# bozo reasons that are about labels, not content: feedparser handled them.
_HARMLESS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


class RSSConnector(Connector):
    kind = "rss"
    platform = "rss"

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        url = str(config.get("url") or "").strip()
        parts = urlsplit(url) if url else None
        if not parts or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ValidationError({"url": "Enter an http(s) feed address."})
        try:
            check_url(url, allowed_hosts_setting())
        except FetchError as exc:
            raise ValidationError({"url": str(exc)}) from exc
        return {"url": url}

    def fetch(
        self, config: dict[str, Any], cursor: dict[str, Any], client: HttpClient
    ) -> FetchResult:
        config = self.clean(config)
        headers = {"Accept": ACCEPT}
        if cursor.get("etag"):
            headers["If-None-Match"] = cursor["etag"]
        if cursor.get("last_modified"):
            headers["If-Modified-Since"] = cursor["last_modified"]
        response = client.get(config["url"], headers=headers)
        if response.not_modified:
            return FetchResult(posts=[], cursor=dict(cursor), not_modified=True)
        result = parse_feed(response)
        result.cursor = {
            key: response.headers[header]
            for key, header in (("etag", "etag"), ("last_modified", "last-modified"))
            if response.headers.get(header)
        }
        return result


def parse_feed(response: FetchResponse, now: datetime | None = None) -> FetchResult:
    """The posts of a fetched feed (XML or JSON Feed); ``cursor`` is left empty."""
    now = now or timezone.now()
    content_type = response.headers.get("content-type", "")
    if not response.content.strip():
        raise ParseError(f"{response.url} answered with an empty body.", url=response.url)
    if "json" in content_type or response.content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return _parse_json_feed(response, now)

    headers = {
        # Without a Content-Type feedparser assumes ISO-8859-1; "application/xml" lets it use
        # the XML declaration, the BOM and charset detection instead.
        "content-type": content_type or "application/xml",
        "content-location": response.url,
    }
    if response.headers.get("content-language"):
        headers["content-language"] = response.headers["content-language"]
    parsed = feedparser.parse(io.BytesIO(response.content), response_headers=headers)

    warnings = []
    error = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(error, _HARMLESS):
        if not parsed.entries and not parsed.get("version"):
            raise ParseError(
                f"{response.url} is not a readable RSS or Atom feed ({_describe(error)}).",
                url=response.url,
            )
        if isinstance(error, feedparser.CharacterEncodingUnknown):
            warnings.append(
                "The feed's character encoding could not be determined; "
                "some characters may be wrong."
            )
        else:
            warnings.append(
                f"The feed is not well-formed XML ({_describe(error)}); "
                f"{len(parsed.entries)} entries were recovered by the lenient parser."
            )
    elif not parsed.get("version") and not parsed.entries:
        raise ParseError(
            f"{response.url} does not look like an RSS or Atom feed "
            f"({content_type or 'no content type'}).",
            url=response.url,
        )

    feed = parsed.get("feed", {})
    site = http_url(urljoin(response.url, feed.get("link") or "")) or response.url
    site_name = feed.get("title") or urlsplit(site).hostname or ""
    feed_lang = feed.get("language") or headers.get("content-language")
    posts: list[NormalizedPost] = []
    skipped = 0
    for entry in parsed.entries:
        post = _entry_post(entry, response.url, site, site_name, feed_lang, now)
        if post is None:
            skipped += 1
        else:
            posts.append(post)
    return FetchResult(posts=posts, cursor={}, skipped=skipped, warnings=warnings)


def _entry_post(
    entry: Any, feed_url: str, site: str, site_name: str, feed_lang: str | None, now: datetime
) -> NormalizedPost | None:
    link = http_url(urljoin(feed_url, entry["link"])) if entry.get("link") else ""
    title = _detail_text(entry.get("title_detail"), entry.get("title"))
    body = ""
    if entry.get("content"):
        body = _detail_text(entry["content"][0], entry["content"][0].get("value"))
    if not body:
        body = _detail_text(entry.get("summary_detail"), entry.get("summary"))
    text = join_parts(title, body)

    raw_id = entry.get("id") or entry.get("link") or ""
    if not raw_id:
        raw_id = "sha1:" + hashlib.sha1(f"{title}\n{body}".encode()).hexdigest()
    external_id = raw_id if _SCHEME.match(raw_id) else f"{feed_url}#{raw_id}"

    parsed_time = (
        entry.get("published_parsed") or entry.get("updated_parsed") or entry.get("created_parsed")
    )
    published = datetime(*parsed_time[:6], tzinfo=UTC) if parsed_time else None
    lang = (entry.get("title_detail") or {}).get("language") or feed_lang
    raw = {
        "id": entry.get("id"),
        "link": entry.get("link"),
        "title": entry.get("title"),
        "author": entry.get("author"),
        "published": entry.get("published"),
        "updated": dict.get(entry, "updated"),  # .get() would fall back to "published"
        "tags": [t.get("term") for t in entry.get("tags", []) if t.get("term")],
        "enclosures": [e.get("href") for e in entry.get("enclosures", []) if e.get("href")],
        "feed": feed_url,
    }
    return build_post(
        platform="rss",
        external_id=external_id,
        url=link,
        text=text,
        published_at=published,
        author_handle=urlsplit(site).hostname or "",
        author_name=site_name,
        author_url=site,
        lang=lang,
        raw=raw,
        now=now,
    )


def _detail_text(detail: Any, value: str | None) -> str:
    """Plain text of a feedparser text construct (HTML, XHTML or plain)."""
    if not value:
        return ""
    kind = (detail or {}).get("type", "text/html")
    return html_to_text(value) if "html" in kind else value


def _describe(error: Any) -> str:
    if isinstance(error, SAXParseException):
        line, column = error.getLineNumber(), error.getColumnNumber()
        return f"{error.getMessage()} at line {line}, column {column}"
    return str(error) or type(error).__name__


def _parse_json_feed(response: FetchResponse, now: datetime) -> FetchResult:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1)."""
    try:
        feed = json.loads(response.content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(f"{response.url} is not a readable JSON Feed ({exc}).") from exc
    if not isinstance(feed, dict) or "jsonfeed.org" not in str(feed.get("version", "")):
        raise ParseError(f"{response.url} is JSON but not a JSON Feed.", url=response.url)
    site = http_url(feed.get("home_page_url")) or response.url
    site_name = feed.get("title") or urlsplit(site).hostname or ""
    posts: list[NormalizedPost] = []
    skipped = 0
    for item in feed.get("items") or []:
        if not isinstance(item, dict):
            skipped += 1
            continue
        body = item.get("content_text") or html_to_text(item.get("content_html"))
        text = join_parts(item.get("title"), body or item.get("summary"))
        raw_id = str(item.get("id") or item.get("url") or "")
        link = http_url(urljoin(response.url, item["url"])) if item.get("url") else ""
        post = None
        if raw_id:
            post = build_post(
                platform="rss",
                external_id=raw_id if _SCHEME.match(raw_id) else f"{response.url}#{raw_id}",
                url=link,
                text=text,
                published_at=parse_timestamp(
                    item.get("date_published") or item.get("date_modified")
                ),
                author_handle=urlsplit(site).hostname or "",
                author_name=site_name,
                author_url=site,
                lang=item.get("language") or feed.get("language"),
                raw={k: v for k, v in item.items() if k not in ("content_html", "content_text")},
                now=now,
            )
        if post is None:
            skipped += 1
        else:
            posts.append(post)
    return FetchResult(posts=posts, cursor={}, skipped=skipped)
