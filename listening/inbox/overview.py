"""The inbox card of the brand's home (``socialhub.overview``): what still waits for
someone, by status, and how long the oldest has waited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Count, Min, Q
from django.urls import reverse

from listening.inbox.models import OPEN_STATUSES, InboxItem, Status, duration_display
from socialhub import access
from socialhub.models import Brand, User
from socialhub.overview import Figure as HomeFigure


@dataclass
class InboxOverview:
    """Open items per status (new, needs reply, assigned) and the oldest one's wait."""

    counts: list[tuple[str, str, int]]  # status, label, open items
    oldest_published_at: datetime | None
    now: datetime

    @property
    def open_items(self) -> int:
        return sum(n for _status, _label, n in self.counts)

    @property
    def oldest_wait(self) -> str:
        """How long the oldest open item has waited, from its mention's publication (as
        the inbox measures response times): "2 d 4 h"."""
        if self.oldest_published_at is None:
            return ""
        return duration_display(max(0.0, (self.now - self.oldest_published_at).total_seconds()))


def inbox_overview(brand: Brand, user: User, *, now: datetime | None = None) -> InboxOverview:
    """The brand's open items counted per status, and the oldest one's publication: one
    query (the (brand, status) index)."""
    figures = (
        InboxItem.objects.for_user(user)
        .filter(brand=brand, status__in=OPEN_STATUSES)
        .aggregate(
            oldest=Min("published_at"),
            **{status.value: Count("id", filter=Q(status=status)) for status in OPEN_STATUSES},
        )
    )
    return InboxOverview(
        counts=[(s.value, Status(s).label, figures[s.value] or 0) for s in OPEN_STATUSES],
        oldest_published_at=figures["oldest"],
        now=now or datetime.now(UTC),
    )


def brand_section(brand: Brand, user: User) -> tuple[str, dict[str, Any]] | None:
    """The card, for the roles that may open the inbox (its list view's capability)."""
    if not access.can(user, "reports.view", brand):
        return None
    return "inbox/_overview.html", {"overview": inbox_overview(brand, user)}


def home_figures(brands: list[Brand], user: User) -> dict[int, list[HomeFigure]]:
    """Each brand card's new inbox items (not yet triaged): one count for all the
    brands, scoped to ``user``."""
    counts = dict(
        InboxItem.objects.for_user(user)
        .filter(brand__in=brands, status=Status.NEW)
        .values_list("brand_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    out = {}
    for b in brands:
        n = counts.get(b.pk, 0)
        url = reverse("inbox:item_list", kwargs={"brand_slug": b.slug}) + "?status=new"
        out[b.pk] = [HomeFigure(value=n, label="new in the inbox", url=url, attention=n > 0)]
    return out
