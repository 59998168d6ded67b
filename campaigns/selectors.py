"""Reads of campaigns: the list, a campaign's page (KPIs measured, the periods
compared), and the brand's choices a campaign form offers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.http import urlencode

from campaigns.models import Campaign, Kpi, KpiEntry, SocialAccount
from listening.models import Query
from socialhub.models import Brand, User


def campaign_list(campaigns: QuerySet[Campaign], *, status: str = "") -> QuerySet[Campaign]:
    """A brand's campaigns (already scoped), newest first, with their owner and KPI
    count in the same query. Archived ones only when asked for."""
    if status:
        campaigns = campaigns.filter(status=status)
    else:
        campaigns = campaigns.exclude(status=Campaign.Status.ARCHIVED)
    return (
        campaigns.select_related("owner")
        .annotate(kpi_count=Count("kpis", distinct=True))
        .order_by("-start_date", "name")
    )


def campaign_owner_choices(brand: Brand) -> QuerySet[User]:
    """Who may own a brand's campaign: its members and its agency's admins."""
    return (
        User.objects.filter(
            Q(brand_memberships__brand=brand)
            | Q(agency_memberships__agency_id=brand.agency_id, agency_memberships__is_admin=True)
        )
        .distinct()
        .order_by("email")
    )


def campaign_channel_choices(brand: Brand) -> QuerySet[SocialAccount]:
    """The brand's own channels."""
    return SocialAccount.objects.filter(brand=brand).order_by("platform", "handle")


def campaign_query_choices(brand: Brand) -> QuerySet[Query]:
    """The brand's listening queries."""
    return Query.objects.filter(brand=brand).order_by("kind", "name")


def campaign_kpis(campaign: Campaign) -> QuerySet[Kpi]:
    """The campaign's KPIs in their order."""
    return Kpi.objects.filter(campaign=campaign).order_by("position", "id")


def campaign_entries(campaign: Campaign, *, limit: int = 20) -> list[KpiEntry]:
    """The team's latest figures for a campaign, with who entered them."""
    return list(
        KpiEntry.objects.filter(campaign=campaign)
        .select_related("entered_by")
        .order_by("-date", "metric")[:limit]
    )


def campaign_mentions_url(campaign: Campaign, query: Query | None = None) -> str:
    """The mention stream over the campaign's dates (to today), for one query."""
    today = datetime.now(UTC).date()
    end = min(campaign.end_date, max(today, campaign.start_date))
    params: dict[str, Any] = {"days": "", "start": campaign.start_date, "end": end}
    if query is not None:
        params["query"] = query.pk
    url = reverse("listening:mention_list", kwargs={"brand_slug": campaign.brand.slug})
    return f"{url}?{urlencode({k: str(v) for k, v in params.items()})}"


def campaign_elapsed(campaign: Campaign, today: date | None = None) -> dict[str, int]:
    """Days elapsed of the campaign (0 before it starts) and its share in percent."""
    today = today or datetime.now(UTC).date()
    if today < campaign.start_date:
        elapsed = 0
    else:
        elapsed = min((today - campaign.start_date).days + 1, campaign.days)
    return {
        "elapsed": elapsed,
        "total": campaign.days,
        "percent": round(elapsed * 100 / campaign.days),
        "starts_in": max((campaign.start_date - today).days, 0),
        "ended": today > campaign.end_date,
        "after_end": (campaign.end_date + timedelta(days=campaign.days)).isoformat(),
    }
