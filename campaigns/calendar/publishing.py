"""Publishing a post to Mastodon and Bluesky through the project's one HTTP client
(``listening.http.HttpClient``: SSRF guard, timeouts, size caps).

``publish(post, client)`` returns a :class:`Published` or raises :class:`Transient`
(timeouts, connection errors, 5xx, 429: try again later) or :class:`Permanent` (bad or
expired credentials, a refused post: a person must act).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from campaigns.models import ContentPost, SocialAccount
from listening.http import (
    BlockedAddress,
    FetchError,
    HttpClient,
    HTTPStatusError,
    InvalidResponse,
    InvalidURL,
)

TRANSIENT_STATUSES = {408, 425, 429, 500, 502, 503, 504}
BLUESKY_SERVICE = "https://bsky.social"
_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Published:
    url: str
    external_id: str


class PublishError(Exception):
    """Publishing did not happen; ``str()`` is a sentence for a person."""

    retry_after: int | None = None


class Transient(PublishError):
    """Worth another try later."""

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Permanent(PublishError):
    """Not worth another try until someone fixes something."""


def _classify(exc: FetchError, what: str) -> PublishError:
    if isinstance(exc, HTTPStatusError):
        if exc.status_code in TRANSIENT_STATUSES:
            return Transient(f"{what}: {exc}", retry_after=exc.retry_after)
        if exc.status_code in (401, 403):
            return Permanent(
                f"{what}: the credentials were refused ({exc}). Update the channel's "
                "access token or app password."
            )
        return Permanent(f"{what}: {exc}")
    if isinstance(exc, (InvalidURL, BlockedAddress, InvalidResponse)):
        return Permanent(f"{what}: {exc}")
    return Transient(f"{what}: {exc}")  # timeouts, connection failures


def post_text(post: ContentPost) -> str:
    """The text as published: the post's text, then its link if the text lacks it."""
    text = post.text
    if post.link and post.link not in text:
        text = f"{text}\n\n{post.link}"
    return text


def check_credentials(account: SocialAccount, now: datetime | None = None) -> None:
    """Refuse at once what cannot work: no credentials, or expired ones."""
    now = now or datetime.now(UTC)
    if not account.credentials:
        raise Permanent(f"{account} has no publishing credentials; add them on the channel.")
    if account.credentials_expire_at and account.credentials_expire_at <= now:
        raise Permanent(
            f"The publishing credentials of {account} expired on "
            f"{account.credentials_expire_at:%Y-%m-%d %H:%M} UTC; renew them on the channel."
        )


# -- Mastodon --------------------------------------------------------------------------


def publish_mastodon(post: ContentPost, client: HttpClient) -> Published:
    """POST /api/v1/statuses with an Idempotency-Key (the post id), so a retry after a
    lost answer does not post twice; the answer is the Status entity."""
    creds = post.account.credentials
    instance = creds.get("instance", "").rstrip("/")
    try:
        response = client.post(
            f"{instance}/api/v1/statuses",
            json={"status": post_text(post), "visibility": "public"},
            headers={
                "Authorization": f"Bearer {creds.get('access_token', '')}",
                "Idempotency-Key": f"socialhub-post-{post.pk}",
            },
        )
        status = response.json()
    except FetchError as exc:
        raise _classify(exc, "Mastodon") from exc
    if not isinstance(status, dict) or not status.get("id"):
        raise Permanent("Mastodon answered without a status; the post may not be published.")
    url = status.get("url") or status.get("uri") or ""
    return Published(url=url, external_id=str(status.get("uri") or status["id"]))


# -- Bluesky ---------------------------------------------------------------------------


def link_facets(text: str) -> list[dict]:
    """Facets that make the links in ``text`` clickable (byte offsets in UTF-8)."""
    facets = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".,;:!?)")
        start = len(text[: match.start()].encode())
        facets.append(
            {
                "index": {"byteStart": start, "byteEnd": start + len(url.encode())},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}],
            }
        )
    return facets


def publish_bluesky(
    post: ContentPost, client: HttpClient, now: datetime | None = None
) -> Published:
    """com.atproto.server.createSession with the app password, then
    com.atproto.repo.createRecord of an app.bsky.feed.post."""
    creds = post.account.credentials
    service = (creds.get("service") or BLUESKY_SERVICE).rstrip("/")
    try:
        session = client.post(
            f"{service}/xrpc/com.atproto.server.createSession",
            json={
                "identifier": creds.get("identifier", ""),
                "password": creds.get("app_password", ""),
            },
        ).json()
    except FetchError as exc:
        raise _classify(exc, "Bluesky sign-in") from exc
    if not isinstance(session, dict) or not session.get("accessJwt") or not session.get("did"):
        raise Permanent("Bluesky sign-in answered without a session.")
    text = post_text(post)
    record = {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": (now or datetime.now(UTC)).isoformat().replace("+00:00", "Z"),
    }
    if facets := link_facets(text):
        record["facets"] = facets
    try:
        created = client.post(
            f"{service}/xrpc/com.atproto.repo.createRecord",
            json={"repo": session["did"], "collection": "app.bsky.feed.post", "record": record},
            headers={"Authorization": f"Bearer {session['accessJwt']}"},
        ).json()
    except FetchError as exc:
        raise _classify(exc, "Bluesky") from exc
    uri = created.get("uri", "") if isinstance(created, dict) else ""
    if not uri.startswith("at://"):
        raise Permanent("Bluesky answered without the new post's address.")
    rkey = uri.rsplit("/", 1)[-1]
    handle = session.get("handle") or session["did"]
    return Published(url=f"https://bsky.app/profile/{handle}/post/{rkey}", external_id=uri)


PUBLISHERS = {
    SocialAccount.Platform.MASTODON: publish_mastodon,
    SocialAccount.Platform.BLUESKY: publish_bluesky,
}


def publish(post: ContentPost, client: HttpClient) -> Published:
    """Publish ``post`` to its channel."""
    publisher = PUBLISHERS.get(post.account.platform)
    if publisher is None:
        raise Permanent(f"SocialHub does not publish to {post.account.get_platform_display()}.")
    check_credentials(post.account)
    return publisher(post, client)
