"""Publishing a post to Mastodon and Bluesky through the project's one HTTP client
(``listening.http.HttpClient``: SSRF guard, timeouts, size caps).

``publish(post, client)`` returns a :class:`Published` or raises :class:`Transient`
(timeouts, connection errors, 5xx, 429: try again later) or :class:`Permanent` (bad or
expired credentials, a refused post: a person must act).

A retry after a lost answer (a timeout after the server accepted the post, a worker killed
before our database write) must not post twice: Mastodon gets an Idempotency-Key; on
Bluesky the post's record key is derived from the post (:func:`post_record_key`) and
looked up before it is created.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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
BLUESKY_POST = "app.bsky.feed.post"
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
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


def encode_tid(timestamp_us: int, clock_id: int) -> str:
    """An atproto TID (https://atproto.com/specs/tid): the 64-bit integer made of a 0 bit,
    53 bits of microseconds since the Unix epoch and a 10-bit clock id, written as 13
    base32-sortable characters, most significant first (so TIDs sort in time order)."""
    if not 0 <= timestamp_us < 2**53 or not 0 <= clock_id < 2**10:
        raise ValueError(f"No TID for timestamp {timestamp_us} and clock id {clock_id}.")
    value = timestamp_us << 10 | clock_id
    return "".join(TID_ALPHABET[value >> shift & 31] for shift in range(60, -1, -5))


def post_record_key(post: ContentPost) -> str:
    """The Bluesky record key of ``post``: a TID from values that never change for a post
    (its ``created_at`` in microseconds, ``pk % 1024`` as the clock id), so every try of
    the same post writes to the same key and a retry finds what an earlier try created."""
    timestamp_us = (post.created_at - _EPOCH) // timedelta(microseconds=1)
    return encode_tid(timestamp_us, post.pk % 1024)


def _record_not_found(exc: HTTPStatusError) -> bool:
    if exc.error_name == "RecordNotFound":
        return True
    # PDS releases before the lexicon's RecordNotFound answer a generic InvalidRequest.
    return exc.error_name == "InvalidRequest" and "Could not locate record" in str(exc)


def _get_post_record(client: HttpClient, service: str, session: dict, rkey: str) -> dict | None:
    """com.atproto.repo.getRecord of the post at ``rkey``: its ``{uri, cid, value}``, or
    None when there is no such record."""
    try:
        found = client.get(
            f"{service}/xrpc/com.atproto.repo.getRecord",
            params={"repo": session["did"], "collection": BLUESKY_POST, "rkey": rkey},
            headers={"Authorization": f"Bearer {session['accessJwt']}"},
        ).json()
    except HTTPStatusError as exc:
        if _record_not_found(exc):
            return None
        raise _classify(exc, "Bluesky") from exc
    except FetchError as exc:
        raise _classify(exc, "Bluesky") from exc
    if not isinstance(found, dict) or not found.get("uri"):
        raise Permanent("Bluesky answered without the post's address.")
    return found


def publish_bluesky(
    post: ContentPost, client: HttpClient, now: datetime | None = None
) -> Published:
    """com.atproto.server.createSession with the app password, then
    com.atproto.repo.createRecord of an app.bsky.feed.post at the post's own record key
    (:func:`post_record_key`), unless com.atproto.repo.getRecord finds that an earlier try
    already created it: a retry after a lost answer does not post twice."""
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
    rkey = post_record_key(post)
    handle = session.get("handle") or session["did"]
    if found := _get_post_record(client, service, session, rkey):
        return _bluesky_published(found["uri"], handle)
    text = post_text(post)
    record = {
        "$type": BLUESKY_POST,
        "text": text,
        "createdAt": (now or datetime.now(UTC)).isoformat().replace("+00:00", "Z"),
    }
    if facets := link_facets(text):
        record["facets"] = facets
    try:
        created = client.post(
            f"{service}/xrpc/com.atproto.repo.createRecord",
            json={
                "repo": session["did"],
                "collection": BLUESKY_POST,
                "rkey": rkey,
                "record": record,
            },
            headers={"Authorization": f"Bearer {session['accessJwt']}"},
        ).json()
    except HTTPStatusError as exc:
        # Another try created it between our getRecord and createRecord. (The reference
        # PDS answers that with a 500 for now: a Transient, whose retry finds the record.)
        if exc.error_name != "RecordAlreadyExists":
            raise _classify(exc, "Bluesky") from exc
        found = _get_post_record(client, service, session, rkey)
        if found is None:
            raise Transient("Bluesky said the post exists but could not find it.") from exc
        return _bluesky_published(found["uri"], handle)
    except FetchError as exc:
        raise _classify(exc, "Bluesky") from exc
    uri = created.get("uri", "") if isinstance(created, dict) else ""
    return _bluesky_published(uri, handle)


def _bluesky_published(uri: str, handle: str) -> Published:
    if not uri.startswith("at://"):
        raise Permanent("Bluesky answered without the post's address.")
    rkey = uri.rsplit("/", 1)[-1]
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
