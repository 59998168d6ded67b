"""Reads of the inbox: the filtered item list, the people items go to, the brand's
settings, and the response metrics (also shown on the brand dashboard)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import Count, Q, QuerySet

from listening.inbox.models import (
    DEFAULT_MONITORED_KINDS,
    OPEN_STATUSES,
    InboxItem,
    InboxSettings,
    Status,
    duration_display,
)
from listening.models import Query
from socialhub.models import Brand, Role, User

# Open items by age (from the mention's publication): (key, label, upper bound).
BACKLOG_BUCKETS: list[tuple[str, str, timedelta | None]] = [
    ("lt_1h", "Under 1 hour", timedelta(hours=1)),
    ("1_4h", "1–4 hours", timedelta(hours=4)),
    ("4_24h", "4–24 hours", timedelta(hours=24)),
    ("1_3d", "1–3 days", timedelta(days=3)),
    ("3_7d", "3–7 days", timedelta(days=7)),
    ("gt_7d", "Over 7 days", None),
]


def inbox_settings(brand: Brand) -> InboxSettings:
    """The brand's settings, or the defaults (unsaved) if it never changed them."""
    return InboxSettings.objects.filter(brand=brand).first() or InboxSettings(brand=brand)


def monitored_queries(brand: Brand, settings: InboxSettings | None = None) -> list[Query]:
    """The brand's queries whose mentions feed the inbox."""
    settings = settings or inbox_settings(brand)
    queries = Query.objects.filter(brand=brand)
    if settings.monitor_default_kinds:
        return list(queries.filter(kind__in=DEFAULT_MONITORED_KINDS))
    return list(queries.filter(pk__in=settings.monitored_queries))


def inbox_assignees(brand: Brand) -> list[User]:
    """Who may hold the brand's items: its managers and analysts and the agency's admins
    (the roles that may triage), in one query."""
    return list(
        User.objects.filter(
            Q(
                brand_memberships__brand=brand,
                brand_memberships__role__in=[Role.MANAGER, Role.ANALYST],
            )
            | Q(agency_memberships__agency_id=brand.agency_id, agency_memberships__is_admin=True),
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


def inbox_items(items: QuerySet[InboxItem], filters: dict, *, user: User) -> QuerySet[InboxItem]:
    """A brand's items (already scoped) narrowed by the inbox filters, highest priority
    first, with everything a row shows fetched in one query (no N+1).

    ``filters``: start/end (aware datetimes), platform, sentiment, status ("open" — the
    default —, "all" or a status), assignee ("me", "none" or a user id), category ("none"
    or a category), q (text)."""
    qs = items
    if filters.get("start"):
        qs = qs.filter(published_at__gte=filters["start"])
    if filters.get("end"):
        qs = qs.filter(published_at__lte=filters["end"])
    status = filters.get("status") or "open"
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status != "all":
        qs = qs.filter(status=status)
    if filters.get("platform"):
        qs = qs.filter(mention__platform=filters["platform"])
    if filters.get("sentiment"):
        qs = qs.filter(mention__sentiment=filters["sentiment"])
    assignee = filters.get("assignee")
    if assignee == "me":
        qs = qs.filter(assignee=user)
    elif assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee:
        qs = qs.filter(assignee_id=int(assignee))
    category = filters.get("category")
    if category == "none":
        qs = qs.filter(category="")
    elif category:
        qs = qs.filter(category=category)
    if filters.get("q"):
        qs = qs.filter(mention__post__text__icontains=filters["q"])
    return qs.select_related(
        "mention", "mention__post", "mention__post__author", "assignee"
    ).order_by("-priority", "-published_at", "-id")


def inbox_item_detail(items: QuerySet[InboxItem]) -> QuerySet[InboxItem]:
    """Items with what the detail page shows next to them."""
    return items.select_related(
        "mention",
        "mention__post",
        "mention__post__author",
        "assignee",
        "replied_by",
        "routing_rule",
        "brand",
    )


def inbox_new_count(items: QuerySet[InboxItem]) -> int:
    """New items of a brand (the sidebar badge): one count."""
    return items.filter(status=Status.NEW).count()


@dataclass
class BacklogBucket:
    key: str
    label: str
    count: int


@dataclass
class InboxMetrics:
    """How fast a brand answers, for a period of mentions, and what still waits now."""

    start: datetime
    end: datetime
    sla_minutes: int
    items: int  # items whose mention was published in the period
    responded: int  # of those, answered
    median_response_seconds: float | None
    within_sla: int  # answered within the SLA
    missed_sla: int  # answered late, or still open past the SLA
    open_items: int  # the backlog now, whatever the period
    backlog: list[BacklogBucket] = field(default_factory=list)

    @property
    def sla_share(self) -> float | None:
        """Answered within the SLA, out of the items that were due (answered, or open
        past the SLA); None if nothing was due."""
        due = self.within_sla + self.missed_sla
        return self.within_sla / due if due else None

    @property
    def sla_percent(self) -> str:
        share = self.sla_share
        return "—" if share is None else f"{share * 100:.0f}%"

    @property
    def median_display(self) -> str:
        seconds = self.median_response_seconds
        return "—" if seconds is None else duration_display(seconds)

    @property
    def sla_display(self) -> str:
        return duration_display(self.sla_minutes * 60)


def inbox_metrics(
    brand: Brand, *, start: datetime, end: datetime, now: datetime | None = None
) -> InboxMetrics:
    """Median first-response time and the share answered within the SLA for items whose
    mention was published in [start, end]; the open backlog by age (now). Response
    times run from the mention's publication to the first response. Four queries."""
    now = now or datetime.now(UTC)
    settings = inbox_settings(brand)
    sla = timedelta(minutes=settings.sla_minutes)
    items = InboxItem.objects.filter(brand=brand)
    in_period = items.filter(published_at__gte=start, published_at__lte=end)

    durations = [
        max(0.0, (responded - published).total_seconds())
        for published, responded in in_period.filter(first_response_at__isnull=False).values_list(
            "published_at", "first_response_at"
        )
    ]
    within = sum(1 for d in durations if d <= sla.total_seconds())
    counts = in_period.aggregate(
        total=Count("id"),
        # Still open with no answer and already past the SLA: a miss.
        overdue=Count(
            "id",
            filter=Q(
                status__in=OPEN_STATUSES,
                first_response_at__isnull=True,
                published_at__lt=now - sla,
            ),
        ),
    )

    open_items = items.filter(status__in=OPEN_STATUSES)
    aggregates = {}
    lower = None
    for key, _label, upper in BACKLOG_BUCKETS:
        condition = Q()
        if upper is not None:
            condition &= Q(published_at__gt=now - upper)
        if lower is not None:
            condition &= Q(published_at__lte=now - lower)
        aggregates[key] = Count("id", filter=condition) if condition else Count("id")
        lower = upper
    backlog_counts = open_items.aggregate(**aggregates)
    backlog = [
        BacklogBucket(key, label, backlog_counts[key] or 0) for key, label, _ in BACKLOG_BUCKETS
    ]
    return InboxMetrics(
        start=start,
        end=end,
        sla_minutes=settings.sla_minutes,
        items=counts["total"] or 0,
        responded=len(durations),
        median_response_seconds=statistics.median(durations) if durations else None,
        within_sla=within,
        missed_sla=len(durations) - within + (counts["overdue"] or 0),
        open_items=sum(b.count for b in backlog),
        backlog=backlog,
    )
