"""Mastodon (any instance): a public hashtag timeline, or a status search with a token.

- ``tag``: ``GET /api/v1/timelines/tag/:tag`` (public, no token needed).
- ``query``: ``GET /api/v2/search?type=statuses`` with the ``access_token`` of an account on the
  instance (Mastodon only searches statuses for signed-in users, and only where the instance
  has full-text search).
- Cursor ``{"since_id": …}``: the newest status id seen. A hashtag fetch asks for
  ``since_id`` and walks back through the ``Link: rel="next"`` pages (only its ``max_id`` is
  used: a Link header never decides which host is fetched) until the timeline is exhausted or
  ``max_pages`` is reached. A search asks for ``min_id`` (one page of what came after).
- External id is the status ``uri`` (its ActivityPub id), the same whichever instance shows it,
  so a status heard through two instances is one post. A boost counts as the boosted status.
- Text: content warning + content, HTML stripped. Engagement: favourites / reblogs / replies;
  ``author_followers`` and ``reach`` are the account's ``followers_count``.
- Handles are ``user@instance`` (a local account's ``acct`` has no instance, it is added).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from django.core.exceptions import ValidationError
from django.utils import timezone

from listening.http import FetchError, FetchResponse, HttpClient, allowed_hosts_setting, check_url

from .base import (
    Connector,
    FetchResult,
    NormalizedPost,
    ParseError,
    build_post,
    max_pages,
    parse_timestamp,
)
from .text import html_to_text, join_parts

PAGE_SIZE = 40
_TAG = re.compile(r"^\w+$")
_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?([^";]+)"?')


class MastodonConnector(Connector):
    kind = "mastodon"
    platform = "mastodon"

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, str] = {}
        instance = str(config.get("instance") or "").strip().rstrip("/")
        if instance and "://" not in instance:
            instance = "https://" + instance
        parts = urlsplit(instance)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
            errors["instance"] = "Enter the instance's address, e.g. mastodon.social."
        else:
            try:
                check_url(instance, allowed_hosts_setting())
            except FetchError as exc:
                errors["instance"] = str(exc)
        tag = str(config.get("tag") or "").strip().lstrip("#")
        query = str(config.get("query") or "").strip()
        token = str(config.get("access_token") or "").strip()
        if tag and query:
            errors["query"] = "Use either a hashtag or a search, not both."
        elif not tag and not query:
            errors["tag"] = "Enter a hashtag to follow (or a search, with an access token)."
        elif tag and not _TAG.match(tag):
            errors["tag"] = "Enter a hashtag: letters, digits and underscores, e.g. #coffee."
        elif query and not token:
            errors["access_token"] = (
                "Searching posts needs the access token of an account on the instance; "
                "follow a hashtag instead, or add a token."
            )
        pages = max_pages(config, errors)
        if errors:
            raise ValidationError(errors)
        cleaned: dict[str, Any] = {"instance": instance, "max_pages": pages}
        if tag:
            cleaned["tag"] = tag
        if query:
            cleaned["query"] = query
        if token:
            cleaned["access_token"] = token
        return cleaned

    def fetch(
        self, config: dict[str, Any], cursor: dict[str, Any], client: HttpClient
    ) -> FetchResult:
        config = self.clean(config)
        since_id = str(cursor.get("since_id") or "")
        headers = {"Accept": "application/json"}
        if config.get("access_token"):
            headers["Authorization"] = f"Bearer {config['access_token']}"
        warnings: list[str] = []
        if "tag" in config:
            statuses = self._tag_timeline(config, since_id, headers, client, warnings)
        else:
            statuses = self._search(config, since_id, headers, client)

        now = timezone.now()
        host = urlsplit(config["instance"]).hostname or ""
        posts: list[NormalizedPost] = []
        skipped = 0
        newest = since_id
        seen: set[str] = set()
        for status in statuses:
            status_id = str(status.get("id") or "")
            if since_id and not _newer(status_id, since_id):
                continue
            if _newer(status_id, newest):
                newest = status_id
            post = status_post(status, host, now=now)
            if post is None:
                skipped += 1
            elif post.external_id not in seen:
                seen.add(post.external_id)
                posts.append(post)
        cursor = {"since_id": newest} if newest else {}
        return FetchResult(posts=posts, cursor=cursor, skipped=skipped, warnings=warnings)

    def _tag_timeline(
        self,
        config: dict[str, Any],
        since_id: str,
        headers: dict[str, str],
        client: HttpClient,
        warnings: list[str],
    ) -> list[dict[str, Any]]:
        url = f"{config['instance']}/api/v1/timelines/tag/{quote(config['tag'], safe='')}"
        statuses: list[dict[str, Any]] = []
        max_id = ""
        for page_number in range(1, config["max_pages"] + 1):
            params: dict[str, Any] = {"limit": PAGE_SIZE}
            if since_id:
                params["since_id"] = since_id
            if max_id:
                params["max_id"] = max_id
            response = client.get(url, params=params, headers=headers)
            page = _json_list(response)
            statuses.extend(page)
            if not page or not since_id:
                break  # the end, or a first fetch (newest page only)
            if any(not _newer(str(s.get("id") or ""), since_id) for s in page):
                break  # reached what the last fetch saw (a server that ignored since_id)
            next_max = _link_param(response.headers.get("link", ""), "next", "max_id") or min(
                (str(s.get("id")) for s in page), key=_id_key
            )
            if not next_max or next_max == max_id:
                break
            max_id = next_max
            if page_number == config["max_pages"]:
                warnings.append(
                    f"Stopped after {config['max_pages']} pages of new posts; "
                    "some posts between this fetch and the last may be missing."
                )
        return statuses

    def _search(
        self, config: dict[str, Any], since_id: str, headers: dict[str, str], client: HttpClient
    ) -> list[dict[str, Any]]:
        params: dict[str, Any] = {
            "q": config["query"],
            "type": "statuses",
            "limit": PAGE_SIZE,
            "resolve": "false",
        }
        if since_id:
            params["min_id"] = since_id
        response = client.get(f"{config['instance']}/api/v2/search", params=params, headers=headers)
        body = response.json()
        if not isinstance(body, dict) or not isinstance(body.get("statuses", []), list):
            raise ParseError(
                f"{response.url} did not answer with search results.", url=response.url
            )
        return [s for s in body.get("statuses", []) if isinstance(s, dict)]


def status_post(
    status: dict[str, Any], instance_host: str, now: datetime | None = None
) -> NormalizedPost | None:
    """A Mastodon status (API entity) as a post; a boost becomes the boosted status."""
    if isinstance(status.get("reblog"), dict):
        status = status["reblog"]
    account = status.get("account") or {}
    acct = str(account.get("acct") or account.get("username") or "")
    if acct and "@" not in acct:
        acct = f"{acct}@{instance_host}"
    followers = account.get("followers_count")
    return build_post(
        platform="mastodon",
        external_id=str(status.get("uri") or status.get("url") or status.get("id") or ""),
        url=status.get("url") or status.get("uri") or "",
        text=join_parts(status.get("spoiler_text"), html_to_text(status.get("content"))),
        published_at=parse_timestamp(status.get("created_at")),
        author_handle=acct,
        author_name=account.get("display_name") or account.get("username") or "",
        author_url=account.get("url") or "",
        author_followers=followers,
        lang=status.get("language"),
        likes=status.get("favourites_count"),
        shares=status.get("reblogs_count"),
        replies=status.get("replies_count"),
        reach=followers or 0,
        raw=status,
        now=now,
    )


def _json_list(response: FetchResponse) -> list[dict[str, Any]]:
    body = response.json()
    if not isinstance(body, list):
        raise ParseError(
            f"{response.url} did not answer with a list of statuses.", url=response.url
        )
    return [s for s in body if isinstance(s, dict)]


def _link_param(header: str, rel: str, param: str) -> str:
    """A query parameter of the ``Link`` header's URL for ``rel`` ("" if none)."""
    for target, relation in _LINK.findall(header):
        if rel in relation.split():
            return (parse_qs(urlsplit(target).query).get(param) or [""])[0]
    return ""


def _id_key(status_id: str) -> tuple[int, str]:
    # Mastodon ids are numeric strings (snowflakes) that sort as numbers, not as text.
    return (int(status_id), "") if status_id.isdigit() else (-1, status_id)


def _newer(status_id: str, than: str) -> bool:
    if not than:
        return bool(status_id)
    return _id_key(status_id) > _id_key(than)
