"""Hacker News through the Algolia HN Search API.

- ``GET https://hn.algolia.com/api/v1/search_by_date?query=…&tags=(story,comment)`` (newest
  first), ``hitsPerPage=100``, pages by ``page`` up to ``nbPages`` or ``max_pages``.
- Cursor ``{"created_at_i": …}``: the newest hit time seen, sent back as
  ``numericFilters=created_at_i>…`` so only newer hits come.
- Text: a story's title + its text, a comment's text, HTML stripped. URL:
  ``https://news.ycombinator.com/item?id=<objectID>``. likes = points, replies =
  num_comments. HN has no languages or follower counts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from listening.http import HttpClient

from .base import (
    Connector,
    FetchResult,
    NormalizedPost,
    ParseError,
    build_post,
    count,
    max_pages,
    parse_timestamp,
)
from .text import html_to_text, join_parts

SEARCH_URL = "https://hn.algolia.com/api/v1/search_by_date"
PAGE_SIZE = 100
TAGS = ("story", "comment", "ask_hn", "show_hn", "poll")


class HackerNewsConnector(Connector):
    kind = "hackernews"
    platform = "hackernews"

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, str] = {}
        query = str(config.get("query") or "").strip()
        if not query:
            errors["query"] = "Enter what to search for, e.g. a brand or product name."
        tags = config.get("tags") or ["story", "comment"]
        if isinstance(tags, str):
            tags = [t for t in tags.strip("()").replace(" ", "").split(",") if t]
        if not isinstance(tags, list) or not tags or not set(tags) <= set(TAGS):
            errors["tags"] = "Choose among: " + ", ".join(TAGS) + "."
        pages = max_pages(config, errors)
        if errors:
            raise ValidationError(errors)
        return {"query": query, "tags": list(dict.fromkeys(tags)), "max_pages": pages}

    def fetch(
        self, config: dict[str, Any], cursor: dict[str, Any], client: HttpClient
    ) -> FetchResult:
        config = self.clean(config)
        since = count(cursor.get("created_at_i")) or None
        params: dict[str, Any] = {
            "query": config["query"],
            "tags": "(" + ",".join(config["tags"]) + ")",
            "hitsPerPage": PAGE_SIZE,
        }
        if since:
            params["numericFilters"] = f"created_at_i>{since}"

        now = timezone.now()
        posts: list[NormalizedPost] = []
        skipped = 0
        newest = since
        seen: set[str] = set()
        warnings: list[str] = []
        for page in range(config["max_pages"]):
            params["page"] = page
            response = client.get(SEARCH_URL, params=params, headers={"Accept": "application/json"})
            body = response.json()
            if not isinstance(body, dict) or not isinstance(body.get("hits"), list):
                raise ParseError(
                    f"{response.url} did not answer with search hits.", url=response.url
                )
            for hit in body["hits"]:
                post = hit_post(hit, now=now) if isinstance(hit, dict) else None
                if post is None:
                    skipped += 1
                    continue
                created = count(hit.get("created_at_i"))
                if created and (newest is None or created > newest):
                    newest = min(created, int(now.timestamp()))
                if post.external_id not in seen:
                    seen.add(post.external_id)
                    posts.append(post)
            more = page + 1 < count(body.get("nbPages"))
            if not body["hits"] or not more or not since:
                break  # the end, or a first fetch (newest page only)
            if page + 1 == config["max_pages"]:
                warnings.append(
                    f"Stopped after {config['max_pages']} pages of new posts; "
                    "some posts between this fetch and the last may be missing."
                )
        cursor = {"created_at_i": newest} if newest else {}
        return FetchResult(posts=posts, cursor=cursor, skipped=skipped, warnings=warnings)


def item_url(object_id: str) -> str:
    return f"https://news.ycombinator.com/item?id={object_id}"


def hit_post(hit: dict[str, Any], now: datetime | None = None) -> NormalizedPost | None:
    """An Algolia hit (story, comment, poll …) as a post."""
    object_id = str(hit.get("objectID") or "")
    if not object_id:
        return None
    if hit.get("comment_text"):
        text = html_to_text(hit["comment_text"])
    else:
        text = join_parts(hit.get("title"), html_to_text(hit.get("story_text")))
    author = str(hit.get("author") or "")
    return build_post(
        platform="hackernews",
        external_id=object_id,
        url=item_url(object_id),
        text=text,
        published_at=parse_timestamp(hit.get("created_at_i") or hit.get("created_at")),
        author_handle=author,
        author_name=author,
        author_url=f"https://news.ycombinator.com/user?id={author}" if author else "",
        likes=hit.get("points"),
        replies=hit.get("num_comments"),
        raw={k: v for k, v in hit.items() if k != "_highlightResult"},
        now=now,
    )
