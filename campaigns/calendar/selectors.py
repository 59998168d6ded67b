"""Reads of the content calendar: the month/week/list grids in the brand's time zone,
the gap and double-booking warnings, a post's history, tokens (approval links, the
iCalendar feed), due posts and the mention matches."""

from __future__ import annotations

import calendar as pycalendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet

from campaigns.models import (
    ApprovalLink,
    CalendarFeed,
    Campaign,
    ContentPost,
    PostComment,
    PostEvent,
    PostMedia,
    SocialAccount,
)
from socialhub.models import Brand, User

Status = ContentPost.Status
DOUBLE_BOOKING = timedelta(minutes=30)
# Posts that still count on the calendar (a cancelled or failed post leaves a gap).
LIVE_STATUSES = tuple(s for s in Status.values if s not in (Status.CANCELLED, Status.FAILED))


def gap_days() -> int:
    """N of "no post on an active channel for N days" (setting CALENDAR_GAP_DAYS)."""
    return int(getattr(settings, "CALENDAR_GAP_DAYS", 3))


def brand_tz(brand: Brand) -> ZoneInfo:
    return ZoneInfo(brand.timezone or "UTC")


def brand_people(brand: Brand) -> QuerySet[User]:
    """Everyone who works on the brand: its members and its agency's admins."""
    return (
        User.objects.filter(
            Q(brand_memberships__brand=brand)
            | Q(agency_memberships__agency_id=brand.agency_id, agency_memberships__is_admin=True)
        )
        .distinct()
        .order_by("email")
    )


def social_accounts(brand: Brand, *, active_only: bool = False) -> QuerySet[SocialAccount]:
    """The brand's channels."""
    qs = SocialAccount.objects.filter(brand=brand)
    return qs.filter(is_active=True) if active_only else qs


def brand_campaigns(brand: Brand) -> QuerySet[Campaign]:
    """The brand's campaigns (for the post form and the filters)."""
    return Campaign.objects.filter(brand=brand).order_by("-start_date", "name")


def filter_posts(qs: QuerySet[ContentPost], filters: dict[str, Any]) -> QuerySet[ContentPost]:
    """Narrow already-scoped posts by channel, campaign and status."""
    if filters.get("account"):
        qs = qs.filter(account=filters["account"])
    if filters.get("campaign"):
        qs = qs.filter(campaign=filters["campaign"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs.select_related("account", "campaign")


def local_range(brand: Brand, first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC instants that bound local days ``first``..``last`` (inclusive)."""
    tz = brand_tz(brand)
    start = datetime.combine(first, time.min, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
    return start, end


@dataclass
class Day:
    date: date
    in_month: bool = True
    is_today: bool = False
    posts: list[ContentPost] = field(default_factory=list)


@dataclass
class Warning:
    kind: str  # "gap" | "double"
    message: str
    account_id: int | None = None


def _grid(
    brand: Brand, posts: QuerySet[ContentPost], first: date, last: date, month: int | None
) -> tuple[list[Day], list[ContentPost]]:
    tz = brand_tz(brand)
    start, end = local_range(brand, first, last)
    rows = list(
        posts.filter(scheduled_at__gte=start, scheduled_at__lt=end).order_by("scheduled_at", "id")
    )
    today = datetime.now(UTC).astimezone(tz).date()
    by_day: dict[date, list[ContentPost]] = defaultdict(list)
    for post in rows:
        post.local_at = post.scheduled_at.astimezone(tz)
        by_day[post.local_at.date()].append(post)
    days = []
    day = first
    while day <= last:
        days.append(
            Day(
                date=day,
                in_month=month is None or day.month == month,
                is_today=day == today,
                posts=by_day.get(day, []),
            )
        )
        day += timedelta(days=1)
    return days, rows


def posts_between(
    brand: Brand, posts: QuerySet[ContentPost], first: date, last: date
) -> list[ContentPost]:
    """The posts on local days ``first``..``last``, in time order."""
    start, end = local_range(brand, first, last)
    return list(
        posts.filter(scheduled_at__gte=start, scheduled_at__lt=end).order_by("scheduled_at", "id")
    )


def calendar_month(
    brand: Brand, posts: QuerySet[ContentPost], year: int, month: int
) -> tuple[list[list[Day]], list[ContentPost]]:
    """The month's weeks (Monday first, padded to whole weeks) with each day's posts in
    the brand's time zone; and the posts shown. One query."""
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    days, rows = _grid(brand, posts, weeks[0][0], weeks[-1][-1], month)
    return [days[i : i + 7] for i in range(0, len(days), 7)], rows


def calendar_week(
    brand: Brand, posts: QuerySet[ContentPost], monday: date
) -> tuple[list[Day], list[ContentPost]]:
    """The seven days from ``monday`` with their posts. One query."""
    return _grid(brand, posts, monday, monday + timedelta(days=6), None)


def calendar_warnings(
    brand: Brand,
    posts: list[ContentPost],
    accounts: list[SocialAccount],
    first: date,
    last: date,
) -> list[Warning]:
    """Gaps (an active channel with no live post for N days or more inside the range)
    and double-booking (two live posts on one channel within 30 minutes)."""
    warnings: list[Warning] = []
    n = gap_days()
    live = [p for p in posts if p.status in LIVE_STATUSES and p.scheduled_at]
    tz = brand_tz(brand)
    by_account: dict[int, list[ContentPost]] = defaultdict(list)
    for post in live:
        by_account[post.account_id].append(post)
    for account in accounts:
        if not account.is_active:
            continue
        mine = sorted(by_account.get(account.pk, []), key=lambda p: p.scheduled_at)
        days = sorted({p.scheduled_at.astimezone(tz).date() for p in mine})
        # Runs of empty days: before the first post, between posts, after the last.
        edges = [first - timedelta(days=1), *days, last + timedelta(days=1)]
        gaps = []
        for before, after in zip(edges, edges[1:], strict=False):
            empty = (after - before).days - 1
            if empty >= n:
                start, end = before + timedelta(days=1), after - timedelta(days=1)
                gaps.append(f"{empty} days ({start:%a %d %b} – {end:%a %d %b})")
        if gaps:
            # One line per channel, however many gaps it has.
            warnings.append(
                Warning("gap", f"No post on {account} for {'; '.join(gaps)}.", account.pk)
            )
        for a, b in zip(mine, mine[1:], strict=False):
            if b.scheduled_at - a.scheduled_at < DOUBLE_BOOKING:
                warnings.append(
                    Warning(
                        "double",
                        f"Double-booked: two posts on {account} at "
                        f"{a.scheduled_at.astimezone(tz):%a %d %b %H:%M} and "
                        f"{b.scheduled_at.astimezone(tz):%H:%M}.",
                        account.pk,
                    )
                )
    return warnings


def post_detail(qs: QuerySet[ContentPost]) -> QuerySet[ContentPost]:
    """Posts with what the detail page shows, fetched together."""
    return qs.select_related("account", "campaign", "author", "brand").prefetch_related("media")


def post_history(post: ContentPost) -> list[PostEvent]:
    """What happened to the post, oldest first, with who did it."""
    return list(post.events.select_related("actor", "approval_link").order_by("created_at", "id"))


def post_comments(post: ContentPost) -> list[PostComment]:
    return list(
        post.comments.select_related("author", "approval_link").order_by("created_at", "id")
    )


def approval_link_by_token(token: str) -> ApprovalLink | None:
    """The link a token names (valid or not), or None."""
    if not token or len(token) > 64:
        return None
    return ApprovalLink.objects.select_related("brand").filter(token=token).first()


def media_awaiting_review(brand: Brand, pk: int) -> PostMedia | None:
    """An image of a post of the brand that waits for a decision (approval links)."""
    return PostMedia.objects.filter(brand=brand, pk=pk, post__status=Status.IN_REVIEW).first()


def posts_awaiting_review(brand: Brand) -> QuerySet[ContentPost]:
    """The brand's posts waiting for a decision, soonest first."""
    return (
        ContentPost.objects.filter(brand=brand, status=Status.IN_REVIEW)
        .select_related("account", "campaign")
        .prefetch_related("media")
        .order_by("scheduled_at", "id")
    )


def calendar_feed_by_token(token: str) -> CalendarFeed | None:
    if not token or len(token) > 64:
        return None
    return (
        CalendarFeed.objects.select_related("brand")
        .filter(token=token, brand__archived_at__isnull=True)
        .first()
    )


def feed_posts(brand: Brand) -> QuerySet[ContentPost]:
    """What the iCalendar feed lists: scheduled (or ready, publishing) and published posts."""
    return (
        ContentPost.objects.filter(
            brand=brand,
            scheduled_at__isnull=False,
            status__in=[Status.SCHEDULED, Status.READY, Status.PUBLISHING, Status.PUBLISHED],
        )
        .select_related("account", "campaign")
        .order_by("scheduled_at", "id")
    )


def due_posts(now: datetime, stale_before: datetime | None = None) -> list[tuple[int, bool]]:
    """Scheduled posts whose time has come, and posts stuck "publishing" since before
    ``stale_before`` (their worker died): (id, whether SocialHub publishes it)."""
    due = Q(status=Status.SCHEDULED, scheduled_at__lte=now)
    if stale_before is not None:
        due |= Q(status=Status.PUBLISHING, updated_at__lt=stale_before)
    rows = (
        ContentPost.objects.filter(due, brand__archived_at__isnull=True)
        .select_related("account")
        .order_by("scheduled_at")
    )
    return [(p.pk, p.account.can_publish) for p in rows]


def campaign_posts(campaign: Campaign) -> QuerySet[ContentPost]:
    """A campaign's posts, in calendar order."""
    return (
        ContentPost.objects.filter(brand_id=campaign.brand_id, campaign=campaign)
        .select_related("account")
        .order_by("scheduled_at", "id")
    )


def published_post_matches(mention_ids: list[int]) -> list[tuple[int, int]]:
    """(content post id, mention id) pairs: a published post of the mention's brand with
    the same URL, or the same platform and external id, not yet linked."""
    from listening.models import Mention

    mentions = list(
        Mention.objects.filter(pk__in=mention_ids).values_list(
            "pk", "brand_id", "post__platform", "post__external_id", "post__url"
        )
    )
    if not mentions:
        return []
    brands = {m[1] for m in mentions}
    urls = {m[4] for m in mentions if m[4]}
    ids = {m[3] for m in mentions if m[3]}
    candidates = list(
        ContentPost.objects.filter(
            brand_id__in=brands, status=Status.PUBLISHED, mention__isnull=True
        )
        .filter(Q(published_url__in=urls) | Q(external_id__in=ids))
        .values_list("pk", "brand_id", "account__platform", "external_id", "published_url")
    )
    pairs = []
    for post_id, brand_id, platform, external_id, url in candidates:
        for mention_id, m_brand, m_platform, m_external, m_url in mentions:
            if m_brand != brand_id:
                continue
            if (url and url == m_url) or (
                external_id and external_id == m_external and platform == m_platform
            ):
                pairs.append((post_id, mention_id))
                break
    return pairs
