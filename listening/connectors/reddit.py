"""Reddit: a search (site-wide or in one subreddit) or a subreddit's newest posts.

- ``query`` only: ``/search.json?q=…&sort=new``; ``subreddit`` only: ``/r/<sub>/new.json``;
  both: ``/r/<sub>/search.json?q=…&restrict_sr=1&sort=new``. Always ``raw_json=1`` (no HTML
  entities in text) and ``limit=100``.
- With ``client_id`` and ``client_secret`` (an app of type "script"/"web" on
  reddit.com/prefs/apps), a client-credentials token is fetched from
  ``https://www.reddit.com/api/v1/access_token`` on every fetch (it is never stored) and the
  listing is read from ``https://oauth.reddit.com`` with ``Authorization: bearer …``, which has
  a far higher rate limit. Without them, the public ``https://www.reddit.com`` JSON is used
  (Reddit often refuses it to servers: a 401/403 then says to add app credentials).
- Cursor ``{"created_utc": …}``: the newest post time seen. Listings are newest first; pages
  (``after``) are followed until a post older than the cursor appears or ``max_pages``. Posts
  at exactly the cursor time are fetched again and deduped by the pipeline.
- Only ``t3`` (posts) are kept. Text = title + selftext (Markdown as written; "[removed]" and
  "[deleted]" bodies are dropped). likes = score, replies = num_comments, shares =
  num_crossposts, reach = the subreddit's subscribers when Reddit says.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.utils import timezone

from listening.http import FetchResponse, HttpClient, HTTPStatusError, basic_auth_header

from .base import (
    Connector,
    FetchResult,
    NormalizedPost,
    ParseError,
    build_post,
    max_pages,
    parse_timestamp,
)
from .text import join_parts

PUBLIC_BASE = "https://www.reddit.com"
OAUTH_BASE = "https://oauth.reddit.com"
TOKEN_URL = "https://www.reddit.com/api/v1/access_token"
PAGE_SIZE = 100
_SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}$")
_GONE = ("[removed]", "[deleted]")


class RedditConnector(Connector):
    kind = "reddit"
    platform = "reddit"

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, str] = {}
        query = str(config.get("query") or "").strip()
        subreddit = re.sub(r"^/?r/", "", str(config.get("subreddit") or "").strip()).strip("/")
        client_id = str(config.get("client_id") or "").strip()
        client_secret = str(config.get("client_secret") or "").strip()
        if not query and not subreddit:
            errors["query"] = "Enter what to search for, or a subreddit to follow."
        if len(query) > 512:
            errors["query"] = "Ensure the search has at most 512 characters."
        if subreddit and not _SUBREDDIT.match(subreddit):
            errors["subreddit"] = "Enter a subreddit name, e.g. r/python or python."
        if bool(client_id) != bool(client_secret):
            field = "client_secret" if client_id else "client_id"
            errors[field] = "Enter both the app's client id and its secret, or neither."
        pages = max_pages(config, errors)
        if errors:
            raise ValidationError(errors)
        cleaned: dict[str, Any] = {"max_pages": pages}
        for name, value in (
            ("query", query),
            ("subreddit", subreddit),
            ("client_id", client_id),
            ("client_secret", client_secret),
        ):
            if value:
                cleaned[name] = value
        return cleaned

    def fetch(
        self, config: dict[str, Any], cursor: dict[str, Any], client: HttpClient
    ) -> FetchResult:
        config = self.clean(config)
        headers = {"Accept": "application/json"}
        base = PUBLIC_BASE
        if config.get("client_id"):
            headers["Authorization"] = f"bearer {self._token(config, client)}"
            base = OAUTH_BASE
        url, params = listing_request(config, base)
        since = parse_timestamp(cursor.get("created_utc"))

        now = timezone.now()
        posts: list[NormalizedPost] = []
        skipped = 0
        newest = since
        seen: set[str] = set()
        warnings: list[str] = []
        for page_number in range(1, config["max_pages"] + 1):
            try:
                response = client.get(url, params=params, headers=headers)
            except HTTPStatusError as exc:
                if base == OAUTH_BASE or exc.status_code not in (401, 403):
                    raise
                raise HTTPStatusError(
                    f"Reddit refused the request without app credentials ({exc.status_code}); "
                    "add the client id and secret of a Reddit app to this source.",
                    url=exc.url,
                    status_code=exc.status_code,
                ) from exc
            children, after = _listing(response)
            reached_cursor = False
            for child in children:
                data = child.get("data") if child.get("kind") == "t3" else None
                if not isinstance(data, dict):
                    skipped += 1
                    continue
                created = parse_timestamp(data.get("created_utc"))
                if since and created and created < since:
                    reached_cursor = True
                    continue
                if created and (newest is None or created > newest):
                    newest = min(created, now)
                post = link_post(data, now=now)
                if post is None:
                    skipped += 1
                elif post.external_id not in seen:
                    seen.add(post.external_id)
                    posts.append(post)
            if reached_cursor or not after or not since:
                break  # caught up, the end, or a first fetch (newest page only)
            params["after"] = after
            if page_number == config["max_pages"]:
                warnings.append(
                    f"Stopped after {config['max_pages']} pages of new posts; "
                    "some posts between this fetch and the last may be missing."
                )
        cursor = {"created_utc": newest.timestamp()} if newest else {}
        return FetchResult(posts=posts, cursor=cursor, skipped=skipped, warnings=warnings)

    def _token(self, config: dict[str, Any], client: HttpClient) -> str:
        response = client.post(
            TOKEN_URL,
            data={"grant_type": "client_credentials"},
            headers={
                "Authorization": basic_auth_header(config["client_id"], config["client_secret"]),
                "Accept": "application/json",
            },
        )
        body = response.json()
        token = body.get("access_token") if isinstance(body, dict) else None
        if not token:
            reason = body.get("error") if isinstance(body, dict) else None
            raise ParseError(
                f"Reddit did not issue an access token ({reason or 'no token in the answer'}); "
                "check the client id and secret.",
                url=TOKEN_URL,
            )
        return str(token)


def listing_request(config: dict[str, Any], base: str = PUBLIC_BASE) -> tuple[str, dict[str, Any]]:
    """The listing URL and parameters for a config (``.json`` works on both hosts)."""
    params: dict[str, Any] = {"limit": PAGE_SIZE, "raw_json": 1}
    subreddit = config.get("subreddit")
    if config.get("query"):
        params.update(q=config["query"], sort="new")
        if subreddit:
            params["restrict_sr"] = 1
            return f"{base}/r/{quote(subreddit)}/search.json", params
        return f"{base}/search.json", params
    return f"{base}/r/{quote(subreddit)}/new.json", params


def link_post(data: dict[str, Any], now: datetime | None = None) -> NormalizedPost | None:
    """A ``t3`` (link or self post) as a post."""
    name = str(data.get("name") or (f"t3_{data['id']}" if data.get("id") else ""))
    if not name:
        return None
    selftext = str(data.get("selftext") or "")
    if selftext.strip() in _GONE:
        selftext = ""
    author = str(data.get("author") or "")
    if author in _GONE:
        author = ""
    permalink = str(data.get("permalink") or "").split("?", 1)[0]
    return build_post(
        platform="reddit",
        external_id=name,
        url=f"https://www.reddit.com{permalink}" if permalink.startswith("/") else "",
        text=join_parts(data.get("title"), selftext),
        published_at=parse_timestamp(data.get("created_utc")),
        author_handle=author,
        author_name=author,
        author_url=f"https://www.reddit.com/user/{quote(author)}" if author else "",
        likes=data.get("score"),
        shares=data.get("num_crossposts"),
        replies=data.get("num_comments"),
        reach=data.get("subreddit_subscribers"),
        raw=data,
        now=now,
    )


def _listing(response: FetchResponse) -> tuple[list[dict[str, Any]], str | None]:
    body = response.json()
    data = body.get("data") if isinstance(body, dict) and body.get("kind") == "Listing" else None
    if not isinstance(data, dict) or not isinstance(data.get("children"), list):
        raise ParseError(f"{response.url} did not answer with a Reddit listing.", url=response.url)
    children = [c for c in data["children"] if isinstance(c, dict)]
    return children, data.get("after") or None
