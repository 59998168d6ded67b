"""The brand's iCalendar feed (RFC 5545), written with the standard library: escaped
text values, CRLF line ends, lines folded at 75 octets without splitting a character."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from campaigns.models import ContentPost
from socialhub.models import Brand

PRODID = "-//SocialHub//Content calendar//EN"
EVENT_LENGTH = timedelta(minutes=15)


def escape(value: str) -> str:
    """RFC 5545 TEXT: backslash, semicolon, comma escaped; newlines as \\n."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets (continuations start with a
    space, which counts), never inside a UTF-8 character."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for ch in line:
        width = len(ch.encode())
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += width
    out.append(current)
    return "\r\n".join(out)


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(post: ContentPost, host: str, now: datetime, detail_url: str) -> list[str]:
    start = post.published_at if post.status == ContentPost.Status.PUBLISHED else None
    start = start or post.scheduled_at
    summary = f"[{post.account.get_platform_display()}] {post.text.splitlines()[0][:80]}"
    description = post.text
    if post.published_url:
        description += f"\n\nPublished: {post.published_url}"
    lines = [
        "BEGIN:VEVENT",
        f"UID:post-{post.pk}@{host}",
        f"DTSTAMP:{_stamp(now)}",
        f"DTSTART:{_stamp(start)}",
        f"DTEND:{_stamp(start + EVENT_LENGTH)}",
        f"SUMMARY:{escape(summary)}",
        f"DESCRIPTION:{escape(description)}",
        f"STATUS:{'CONFIRMED' if post.status == ContentPost.Status.PUBLISHED else 'TENTATIVE'}",
        f"CATEGORIES:{escape(post.get_status_display())}",
        f"URL:{post.published_url or detail_url}",
        "END:VEVENT",
    ]
    return lines


def render(
    brand: Brand,
    posts: Iterable[ContentPost],
    *,
    host: str,
    url_for=lambda post: "",
    now: datetime | None = None,
) -> str:
    """The VCALENDAR text of ``posts``."""
    now = now or datetime.now(UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(f'{brand.name} content calendar')}",
        f"X-WR-TIMEZONE:{brand.timezone}",
    ]
    for post in posts:
        lines += _event(post, host, now, url_for(post))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
