"""Bluesky: ``app.bsky.feed.searchPosts`` (public AppView, or an account's PDS), and Jetstream.

- Without an account: ``GET https://public.api.bsky.app/xrpc/app.bsky.feed.searchPosts?q=…
  &sort=latest``, first page only (the public AppView refuses ``cursor`` without a session,
  and at times refuses unauthenticated search altogether: a 401/403 then says to add an
  account).
- With ``handle`` + ``app_password`` (an app password, never the account password): a session
  is opened on ``service`` (default ``https://bsky.social``) with
  ``com.atproto.server.createSession``, its access token is kept in the Django cache (never in
  the database) for 90 minutes, and the search goes through the PDS with
  ``Authorization: Bearer``, pages followed by the response's ``cursor``. An expired token is
  renewed once.
- Cursor ``{"since": …}``: the newest ``sortAt`` (the earlier of createdAt and indexedAt) seen,
  sent back as ``since`` (inclusive; the pipeline dedupes the overlap).
- External id is the ``at://`` URI; the post URL is ``https://bsky.app/profile/<handle>/post/
  <rkey>`` (the DID when the handle is invalid). Text is the record's text (link cards, images
  and quotes are in ``raw``). ``createdAt`` is set by the poster's client, so a future one is
  clamped. Engagement: likes / reposts + quotes / replies. A post view carries no follower
  count, so ``author_followers`` is None and ``reach`` 0.
- :func:`normalize_jetstream_event` turns one Jetstream (firehose) commit into a post, for the
  consumer that listens to it.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from listening.http import (
    FetchError,
    FetchResponse,
    HttpClient,
    HTTPStatusError,
    allowed_hosts_setting,
    check_url,
)

from .base import (
    Connector,
    FetchResult,
    NormalizedPost,
    ParseError,
    build_post,
    clamp_to_now,
    max_pages,
    normalize_lang,
    parse_timestamp,
)

APPVIEW = "https://public.api.bsky.app"
DEFAULT_SERVICE = "https://bsky.social"
SEARCH_PATH = "/xrpc/app.bsky.feed.searchPosts"
SESSION_PATH = "/xrpc/com.atproto.server.createSession"
SESSION_SECONDS = 90 * 60  # access tokens live about two hours
PAGE_SIZE = 100
POST_COLLECTION = "app.bsky.feed.post"
_AT_URI = re.compile(r"^at://([^/]+)/([^/]+)/([^/?#]+)$")


class BlueskyConnector(Connector):
    kind = "bluesky"
    platform = "bluesky"

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, str] = {}
        query = str(config.get("query") or "").strip()
        if not query:
            errors["query"] = "Enter what to search for, e.g. redistricting or #coffee."
        elif len(query) > 500:
            errors["query"] = "Ensure the search has at most 500 characters."
        lang = config.get("lang") or None
        if lang is not None and normalize_lang(lang) is None:
            errors["lang"] = "Enter a language code such as en, or leave it empty."
        handle = str(config.get("handle") or "").strip().lstrip("@")
        app_password = str(config.get("app_password") or "").strip()
        if bool(handle) != bool(app_password):
            field = "app_password" if handle else "handle"
            errors[field] = "Enter both the account's handle and an app password, or neither."
        service = str(config.get("service") or DEFAULT_SERVICE).strip().rstrip("/")
        parts = urlsplit(service)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
            errors["service"] = "Enter the account's server, e.g. https://bsky.social."
        else:
            try:
                check_url(service, allowed_hosts_setting())
            except FetchError as exc:
                errors["service"] = str(exc)
        pages = max_pages(config, errors)
        if errors:
            raise ValidationError(errors)
        cleaned: dict[str, Any] = {"query": query, "max_pages": pages}
        if lang:
            cleaned["lang"] = normalize_lang(lang)
        if handle:
            cleaned.update(handle=handle, app_password=app_password, service=service)
        return cleaned

    def fetch(
        self, config: dict[str, Any], cursor: dict[str, Any], client: HttpClient
    ) -> FetchResult:
        config = self.clean(config)
        since = str(cursor.get("since") or "")
        params: dict[str, Any] = {"q": config["query"], "sort": "latest", "limit": PAGE_SIZE}
        if config.get("lang"):
            params["lang"] = config["lang"]
        if since:
            params["since"] = since

        now = timezone.now()
        posts: list[NormalizedPost] = []
        skipped = 0
        newest = parse_timestamp(since)
        seen: set[str] = set()
        warnings: list[str] = []
        signed_in = "handle" in config
        for page_number in range(1, config["max_pages"] + 1):
            response = _search(config, params, client)
            body = response.json()
            if not isinstance(body, dict) or not isinstance(body.get("posts"), list):
                raise ParseError(f"{response.url} did not answer with posts.", url=response.url)
            for view in body["posts"]:
                if not isinstance(view, dict):
                    skipped += 1
                    continue
                post = post_view_post(view, now=now)
                sort_at = _sort_at(view, now)
                if sort_at and (newest is None or sort_at > newest):
                    newest = sort_at
                if post is None:
                    skipped += 1
                elif post.external_id not in seen:
                    seen.add(post.external_id)
                    posts.append(post)
            next_cursor = body.get("cursor")
            if not body["posts"] or not next_cursor or not since:
                break  # the end, or a first fetch (newest page only)
            if not signed_in:
                warnings.append(
                    "Without an account Bluesky serves only the first page of results; "
                    "add a handle and an app password to read further."
                )
                break
            params["cursor"] = next_cursor
            if page_number == config["max_pages"]:
                warnings.append(
                    f"Stopped after {config['max_pages']} pages of new posts; "
                    "some posts between this fetch and the last may be missing."
                )
        cursor = {"since": _iso(newest)} if newest else {}
        return FetchResult(posts=posts, cursor=cursor, skipped=skipped, warnings=warnings)


def _search(config: dict[str, Any], params: dict[str, Any], client: HttpClient) -> FetchResponse:
    headers = {"Accept": "application/json"}
    if "handle" not in config:
        try:
            return client.get(APPVIEW + SEARCH_PATH, params=params, headers=headers)
        except HTTPStatusError as exc:
            if exc.status_code not in (401, 403):
                raise
            raise HTTPStatusError(
                f"Bluesky refused the search without an account ({exc.status_code}); add a "
                "handle and an app password to this source.",
                url=exc.url,
                status_code=exc.status_code,
            ) from exc
    for fresh in (False, True):
        headers["Authorization"] = f"Bearer {_access_token(config, client, fresh=fresh)}"
        try:
            return client.get(config["service"] + SEARCH_PATH, params=params, headers=headers)
        except HTTPStatusError as exc:
            if exc.status_code != 401 or fresh:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _access_token(config: dict[str, Any], client: HttpClient, *, fresh: bool) -> str:
    """A session's access token, from the cache unless ``fresh``."""
    secret = f"{config['service']}|{config['handle']}|{config['app_password']}".encode()
    key = "listening:bluesky-session:" + hashlib.sha256(secret).hexdigest()
    token = None if fresh else cache.get(key)
    if token:
        return str(token)
    response = client.post(
        config["service"] + SESSION_PATH,
        json={"identifier": config["handle"], "password": config["app_password"]},
        headers={"Accept": "application/json"},
    )
    body = response.json()
    token = body.get("accessJwt") if isinstance(body, dict) else None
    if not token:
        raise ParseError(
            f"{config['service']} did not open a Bluesky session for {config['handle']}.",
            url=response.url,
        )
    cache.set(key, token, SESSION_SECONDS)
    return str(token)


def post_url(handle_or_did: str, rkey: str) -> str:
    return f"https://bsky.app/profile/{handle_or_did}/post/{rkey}"


def post_view_post(view: dict[str, Any], now: datetime | None = None) -> NormalizedPost | None:
    """An ``app.bsky.feed.defs#postView`` as a post (None without text or a post URI)."""
    match = _AT_URI.match(str(view.get("uri") or ""))
    record = view.get("record") or {}
    if not match or not isinstance(record, dict):
        return None
    did, _, rkey = match.groups()
    author = view.get("author") or {}
    handle = str(author.get("handle") or "")
    if not handle or handle == "handle.invalid":
        handle = str(author.get("did") or did)
    langs = record.get("langs") or []
    return build_post(
        platform="bluesky",
        external_id=view["uri"],
        url=post_url(handle, rkey),
        text=str(record.get("text") or ""),
        published_at=parse_timestamp(record.get("createdAt") or view.get("indexedAt")),
        author_handle=handle,
        author_name=author.get("displayName") or "",
        author_url=f"https://bsky.app/profile/{handle}",
        lang=langs[0] if isinstance(langs, list) and langs else None,
        likes=view.get("likeCount"),
        shares=(view.get("repostCount") or 0) + (view.get("quoteCount") or 0),
        replies=view.get("replyCount"),
        raw=view,
        now=now,
    )


def normalize_jetstream_event(
    event: dict[str, Any], now: datetime | None = None
) -> NormalizedPost | None:
    """A Jetstream event as a post, or None when it is not a new post with text.

    Shape: ``{"did", "time_us", "kind": "commit", "commit": {"operation": "create",
    "collection": "app.bsky.feed.post", "rkey", "cid", "record": {...}}}``. Events carry a DID,
    not a handle, so the DID is the handle here (bsky.app URLs accept it); the consumer may
    resolve handles later. Deletes, updates, likes, follows, identity and account events give
    None. Counters start at 0.
    """
    if not isinstance(event, dict) or event.get("kind") != "commit":
        return None
    commit = event.get("commit") or {}
    if commit.get("operation") != "create" or commit.get("collection") != POST_COLLECTION:
        return None
    did, rkey, record = event.get("did"), commit.get("rkey"), commit.get("record")
    if not did or not rkey or not isinstance(record, dict):
        return None
    langs = record.get("langs") or []
    published = parse_timestamp(record.get("createdAt"))
    if published is None and isinstance(event.get("time_us"), int):
        published = parse_timestamp(event["time_us"] / 1_000_000)
    return build_post(
        platform="bluesky",
        external_id=f"at://{did}/{POST_COLLECTION}/{rkey}",
        url=post_url(did, rkey),
        text=str(record.get("text") or ""),
        published_at=published,
        author_handle=did,
        author_url=f"https://bsky.app/profile/{did}",
        lang=langs[0] if isinstance(langs, list) and langs else None,
        raw=event,
        now=now,
    )


def _sort_at(view: dict[str, Any], now: datetime) -> datetime | None:
    record = view.get("record")
    created = record.get("createdAt") if isinstance(record, dict) else None
    times = [
        t
        for t in (parse_timestamp(created), parse_timestamp(view.get("indexedAt")))
        if t is not None
    ]
    return clamp_to_now(min(times), now) if times else None


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")
