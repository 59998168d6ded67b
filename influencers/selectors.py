"""Reads of the influencers app: the directory's search and filters, what listening
observed of an influencer, discovery's ranking of Authors, the kanban board."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Sum

from campaigns.models import Campaign
from influencers import emv
from influencers.models import (
    Collaboration,
    ContentLink,
    HealthAlert,
    Influencer,
    InfluencerProfile,
    Interaction,
    Relationship,
    Stage,
)
from influencers.tiers import tier_filter
from listening.insights.models import AuthorDay
from listening.models import Author, Mention, MentionMatch
from socialhub import access
from socialhub.models import Brand, User

# -- directory -------------------------------------------------------------------------


def influencer_directory(qs: QuerySet[Influencer], filters: dict[str, Any]) -> QuerySet[Influencer]:
    """The directory narrowed by search (name, handle, tag) and filters (tier, platform,
    language, topic, tag), with profiles prefetched; largest first within a name sort."""
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(profiles__handle__icontains=q.lstrip("@"))
            | Q(tags__icontains=q)
        )
    if filters.get("tier"):
        qs = qs.filter(tier_filter(filters["tier"]))
    if filters.get("platform"):
        qs = qs.filter(profiles__platform=filters["platform"])
    # JSON lists: a quoted contains works on SQLite and PostgreSQL alike.
    for key in ("language", "topic", "tag"):
        value = (filters.get(key) or "").strip()
        if value:
            column = {"language": "languages", "topic": "topics", "tag": "tags"}[key]
            qs = qs.filter(**{f"{column}__icontains": f'"{value}'})
    return (
        qs.distinct()
        .prefetch_related(
            Prefetch("profiles", queryset=InfluencerProfile.objects.order_by("-followers"))
        )
        .order_by("name", "id")
    )


@dataclass
class Observed:
    """What listening heard from one profile's Author in the viewer's brands."""

    profile: InfluencerProfile
    mentions: int = 0
    reach: int = 0
    engagement: int = 0
    positive: int = 0
    negative: int = 0
    last_seen: date | None = None

    @property
    def net_sentiment(self) -> float | None:
        if not self.mentions:
            return None
        return round((self.positive - self.negative) * 100 / self.mentions, 1)


def influencer_observed(
    influencer: Influencer, user: User, *, days: int = 90, today: date | None = None
) -> list[Observed]:
    """Per profile, the linked Author's mentions, reach and engagement over ``days``
    days in the brands ``user`` holds (listening's AuthorDay counters)."""
    today = today or datetime.now(UTC).date()
    profiles = list(influencer.profiles.all())
    observed = {p.author_id: Observed(p) for p in profiles if p.author_id}
    rows = (
        AuthorDay.objects.for_user(user)
        .filter(author_id__in=list(observed), day__gt=today - timedelta(days=days))
        .values("author_id")
        .annotate(
            n=Sum("count"),
            reach=Sum("reach"),
            engagement=Sum("engagement"),
            pos=Sum("positive"),
            neg=Sum("negative"),
            last=Max("day"),
        )
    )
    for row in rows:
        o = observed[row["author_id"]]
        o.mentions, o.reach, o.engagement = row["n"] or 0, row["reach"] or 0, row["engagement"] or 0
        o.positive, o.negative, o.last_seen = row["pos"] or 0, row["neg"] or 0, row["last"]
    return [observed.get(p.author_id) or Observed(p) for p in profiles]


def influencer_relationships(influencer: Influencer, user: User) -> QuerySet[Relationship]:
    """The brands' relationships with this influencer, only of brands ``user`` holds."""
    return (
        Relationship.objects.for_user(user)
        .filter(influencer=influencer)
        .select_related("brand", "owner")
        .order_by("brand__name")
    )


def directory_facets(qs: QuerySet[Influencer]) -> dict[str, list[str]]:
    """The languages, topics and tags used in a directory (for the filter choices)."""
    facets: dict[str, set[str]] = {"languages": set(), "topics": set(), "tags": set()}
    for languages, topics, tags in qs.values_list("languages", "topics", "tags"):
        facets["languages"].update(languages or [])
        facets["topics"].update(topics or [])
        facets["tags"].update(tags or [])
    return {k: sorted(v, key=str.lower) for k, v in facets.items()}


def influencer_mentions(
    brand_id: int, author_ids: list[int], *, start: datetime, end: datetime
) -> QuerySet[Mention]:
    """The brand's mentions posted by these Authors (an influencer's linked profiles) in
    [start, end). Health reads it; collaborations will match their content with it and
    feed the campaign KPIs (influencer mentions, reach) from it."""
    return Mention.objects.filter(
        brand_id=brand_id,
        post__author_id__in=author_ids,
        published_at__gte=start,
        published_at__lt=end,
    )


def influencer_author_ids(influencer: Influencer) -> list[int]:
    """The listening Authors linked to an influencer's profiles."""
    return [p.author_id for p in influencer.profiles.all() if p.author_id]


# -- discovery -------------------------------------------------------------------------

SORTS = {
    "reach": "reach",
    "engagement": "engagement",
    "mentions": "mentions",
    "sentiment": "net_sentiment",
}


@dataclass
class Candidate:
    """An Author heard in the period, with their figures toward the brand."""

    author: Author
    mentions: int
    reach: int
    engagement: int
    positive: int
    neutral: int
    negative: int
    influencer: Influencer | None = None
    relationship: Relationship | None = None

    @property
    def net_sentiment(self) -> float:
        """(positive − negative) / mentions, in percent: −100 … 100."""
        return (
            round((self.positive - self.negative) * 100 / self.mentions, 1)
            if self.mentions
            else 0.0
        )


@dataclass
class Discovery:
    candidates: list[Candidate] = field(default_factory=list)
    in_directory: int = 0
    source: str = "rollups"


def discovery_rank(
    brand: Brand,
    *,
    start: datetime,
    end: datetime,
    kind: str = "",
    query_id: int | None = None,
    sort: str = "reach",
    limit: int = 50,
) -> Discovery:
    """Authors who were heard by the brand's queries in [start, end), ranked by ``sort``
    (reach, engagement, mentions or sentiment), each marked if already in the directory.

    Without a query kind or query: read from listening's day counters (``AuthorDay``).
    With one: aggregated from the mentions that query kind (or query) heard, because the
    day counters are per brand, not per query."""
    metric = SORTS.get(sort, "reach")
    if not kind and not query_id:
        rows = (
            AuthorDay.objects.filter(brand=brand, day__gte=start.date(), day__lt=end.date())
            .values("author_id")
            .annotate(
                mentions=Sum("count"),
                reach=Sum("reach"),
                engagement=Sum("engagement"),
                positive=Sum("positive"),
                neutral=Sum("neutral"),
                negative=Sum("negative"),
            )
        )
        source = "rollups"
    else:
        matches = MentionMatch.objects.filter(brand=brand, mention=OuterRef("pk"))
        matches = (
            matches.filter(query_id=query_id) if query_id else matches.filter(query__kind=kind)
        )
        rows = (
            Mention.objects.filter(
                brand=brand,
                published_at__gte=start,
                published_at__lt=end,
                post__author__isnull=False,
            )
            .filter(Exists(matches))
            .values(author_id=F("post__author_id"))
            .annotate(
                mentions=Count("id"),
                reach=Sum("post__reach"),
                engagement=Sum(F("post__likes") + F("post__shares") + F("post__replies")),
                positive=Count("id", filter=Q(sentiment="positive")),
                neutral=Count("id", filter=Q(sentiment="neutral")),
                negative=Count("id", filter=Q(sentiment="negative")),
            )
        )
        source = "mentions"
    # Sentiment is a ratio of sums: ranked here, over every author of the period.
    data = list(
        rows if metric == "net_sentiment" else rows.order_by(f"-{metric}", "author_id")[:limit]
    )
    authors = Author.objects.in_bulk([r["author_id"] for r in data])
    candidates = [
        Candidate(
            author=authors[r["author_id"]],
            mentions=r["mentions"] or 0,
            reach=r["reach"] or 0,
            engagement=r["engagement"] or 0,
            positive=r["positive"] or 0,
            neutral=r["neutral"] or 0,
            negative=r["negative"] or 0,
        )
        for r in data
        if r["author_id"] in authors
    ]
    if metric == "net_sentiment":
        candidates.sort(key=lambda c: (-c.net_sentiment, -c.mentions, c.author.pk))
        candidates = candidates[:limit]
    _mark_directory(brand, candidates)
    return Discovery(
        candidates=candidates,
        in_directory=sum(1 for c in candidates if c.influencer is not None),
        source=source,
    )


def _mark_directory(brand: Brand, candidates: list[Candidate]) -> None:
    """Which candidates are already in the agency's directory (by linked Author, or by
    platform and handle), and the brand's relationship with them."""
    if not candidates:
        return
    by_author = {c.author.pk: c for c in candidates}
    handles = Q()
    for c in candidates:
        handles |= Q(platform=c.author.platform, handle__iexact=c.author.handle)
    profiles = (
        InfluencerProfile.objects.filter(agency_id=brand.agency_id)
        .filter(Q(author_id__in=list(by_author)) | handles)
        .select_related("influencer")
    )
    by_key = {}
    for p in profiles:
        if p.author_id in by_author:
            by_key[p.author_id] = p.influencer
        by_key[(p.platform, p.handle.lower())] = p.influencer
    relationships = {
        r.influencer_id: r
        for r in Relationship.objects.filter(
            brand=brand, influencer_id__in={i.pk for i in by_key.values()}
        )
    }
    for c in candidates:
        influencer = by_key.get(c.author.pk) or by_key.get(
            (c.author.platform, c.author.handle.lower())
        )
        c.influencer = influencer
        c.relationship = relationships.get(influencer.pk) if influencer else None


def mentioned_never_contacted(
    brand: Brand, *, days: int = 30, now: datetime | None = None
) -> list[tuple[Influencer, int, datetime]]:
    """Influencers of the directory whose linked Authors mentioned the brand in the last
    ``days`` days and with whom the brand has logged no interaction: (influencer,
    mentions, last mention), most mentions first."""
    now = now or datetime.now(UTC)
    contacted = Interaction.objects.filter(brand=brand).values("relationship__influencer_id")
    rows = (
        Mention.objects.filter(
            brand=brand,
            published_at__gte=now - timedelta(days=days),
            post__author__influencer_profiles__agency_id=brand.agency_id,
        )
        .exclude(post__author__influencer_profiles__influencer_id__in=contacted)
        .values("post__author__influencer_profiles__influencer_id")
        .annotate(n=Count("id", distinct=True), last=Max("published_at"))
        .order_by("-n")[:25]
    )
    rows = list(rows)
    key = "post__author__influencer_profiles__influencer_id"
    influencers = Influencer.objects.in_bulk([r[key] for r in rows])
    return [(influencers[r[key]], r["n"], r["last"]) for r in rows if r[key] in influencers]


# -- relationships ---------------------------------------------------------------------

BOARD_STAGES = [
    Stage.PROSPECT,
    Stage.CONTACTED,
    Stage.NEGOTIATING,
    Stage.ACTIVE,
    Stage.AMBASSADOR,
    Stage.AT_RISK,
    Stage.PAUSED,
]


def relationship_list(
    qs: QuerySet[Relationship], filters: dict[str, Any]
) -> QuerySet[Relationship]:
    """The brand's relationships with what the board and list show, in one query plus
    the profiles' prefetch."""
    if filters.get("stage"):
        qs = qs.filter(stage=filters["stage"])
    if filters.get("owner"):
        qs = qs.filter(owner_id=filters["owner"])
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(influencer__name__icontains=q)
            | Q(influencer__profiles__handle__icontains=q.lstrip("@"))
        ).distinct()
    return (
        qs.select_related("influencer", "owner")
        .prefetch_related("influencer__profiles")
        .annotate(
            open_alerts=Count(
                "health_alerts", filter=Q(health_alerts__resolved_at__isnull=True), distinct=True
            )
        )
        .order_by("influencer__name", "id")
    )


def relationship_board(relationships: list[Relationship]) -> list[tuple[Stage, list[Relationship]]]:
    """Columns of the kanban board, one per stage, in pipeline order."""
    columns: dict[str, list[Relationship]] = {s.value: [] for s in BOARD_STAGES}
    for r in relationships:
        columns.setdefault(r.stage, []).append(r)
    return [(stage, columns[stage.value]) for stage in BOARD_STAGES]


def owner_choices(brand: Brand) -> QuerySet[User]:
    """The people who may own a brand's relationship: its staff and the agency's admins."""
    return (
        User.objects.filter(
            Q(
                brand_memberships__brand=brand,
                brand_memberships__role__in=[access.MANAGER, access.ANALYST],
            )
            | Q(agency_memberships__agency_id=brand.agency_id, agency_memberships__is_admin=True)
        )
        .distinct()
        .order_by("email")
    )


def open_health_alerts(brand: Brand, user: User) -> QuerySet[HealthAlert]:
    """The brand's health alerts still open, the user's own first."""
    return (
        HealthAlert.objects.for_user(user)
        .filter(brand=brand, resolved_at__isnull=True)
        .select_related("relationship__influencer", "recipient")
        .order_by("-fired_at")
    )


# -- collaborations --------------------------------------------------------------------


def _campaign_window(campaign: Campaign) -> tuple[datetime, datetime]:
    """A campaign's period as [start, end) in UTC: its first day to the day after its end."""
    start = datetime.combine(campaign.start_date, time.min, tzinfo=UTC)
    return start, datetime.combine(campaign.end_date, time.min, tzinfo=UTC) + timedelta(days=1)


def collaboration_candidate_mentions(collaboration: Collaboration) -> QuerySet[Mention]:
    """The mentions the influencer's linked profiles posted during the campaign, heard
    by the campaign's queries (any of the brand's when the campaign has none): the
    collaboration's content found "by author and time"."""
    campaign = collaboration.campaign
    author_ids = influencer_author_ids(collaboration.relationship.influencer)
    if not author_ids:
        return Mention.objects.none()
    start, end = _campaign_window(campaign)
    qs = influencer_mentions(collaboration.brand_id, author_ids, start=start, end=end)
    query_ids = [q.pk for q in campaign.queries.all()]
    if query_ids:
        qs = qs.filter(
            Exists(MentionMatch.objects.filter(mention=OuterRef("pk"), query_id__in=query_ids))
        )
    return qs.select_related("post").order_by("published_at", "id")


def collaborations_for_mentions(mention_ids: list[int]) -> list[Collaboration]:
    """The live (not cancelled) collaborations a batch of new mentions may belong to:
    same brand, and either a typed URL equal to a mention's post URL or a mention by the
    influencer's linked profiles during the campaign."""
    if not mention_ids:
        return []
    rows = list(
        Mention.objects.filter(pk__in=mention_ids).values_list(
            "brand_id", "post__url", "post__author_id", "published_at"
        )
    )
    brand_ids = {r[0] for r in rows}
    urls = {u for r in rows if r[1] for u in (r[1].rstrip("/"), r[1].rstrip("/") + "/")}
    author_ids = {r[2] for r in rows if r[2]}
    days = [r[3].astimezone(UTC).date() for r in rows]
    return list(
        Collaboration.objects.filter(brand_id__in=brand_ids)
        .exclude(status=Collaboration.Status.CANCELLED)
        .filter(
            Q(links__url__in=urls)
            | Q(
                relationship__influencer__profiles__author_id__in=author_ids,
                campaign__start_date__lte=max(days),
                campaign__end_date__gte=min(days),
            )
        )
        .distinct()
        .select_related("campaign", "relationship__influencer", "brand")
        .prefetch_related("relationship__influencer__profiles", "campaign__queries")
    )


@dataclass
class ContentResult:
    """One matched post of a collaboration."""

    link: ContentLink
    reach: int
    engagement: int
    emv: Decimal


@dataclass
class CollaborationResults:
    """What a collaboration's posts earned: from the matched mentions, plus the clicks
    the team entered and the fee."""

    collaboration: Collaboration
    content: list[ContentResult] = field(default_factory=list)
    unmatched: list[ContentLink] = field(default_factory=list)
    reach: int = 0
    engagement: int = 0
    emv: Decimal = Decimal("0.00")

    @property
    def posts(self) -> int:
        return len(self.content)

    @property
    def clicks(self) -> int:
        return self.collaboration.clicks

    @property
    def fee(self) -> Decimal:
        return self.collaboration.fee

    @property
    def currency(self) -> str:
        return self.collaboration.currency

    @property
    def engagement_rate(self) -> float | None:
        """Engagement / reach, in percent (None without reach)."""
        return round(self.engagement * 100 / self.reach, 2) if self.reach else None

    @property
    def cost_per_engagement(self) -> Decimal | None:
        """Fee / engagement (None without engagement)."""
        if not self.engagement:
            return None
        return (self.fee / self.engagement).quantize(Decimal("0.01"))


def collaboration_results(
    collaboration: Collaboration, card: dict[str, emv.Rate] | None = None
) -> CollaborationResults:
    """Reach, engagement, engagement rate, clicks, cost per engagement and earned-media
    value of a collaboration, from its links' mentions (prefetch ``links__mention__post``
    for lists: no query here then)."""
    card = card or emv.rate_card()
    results = CollaborationResults(collaboration)
    seen: set[int] = set()
    for link in collaboration.links.all():
        mention = link.mention
        if mention is None:
            results.unmatched.append(link)
            continue
        if mention.pk in seen:
            continue
        seen.add(mention.pk)
        post = mention.post
        engagement = post.likes + post.shares + post.replies
        value = emv.value(mention.platform, engagement=engagement, reach=post.reach, card=card)
        results.content.append(ContentResult(link, post.reach, engagement, value))
        results.reach += post.reach
        results.engagement += engagement
        results.emv += value
    return results


def collaboration_list(qs: QuerySet[Collaboration], filters: dict[str, Any] | None = None):
    """Collaborations with everything their rows and results show: four queries
    whatever their number (the collaborations, links with mentions and posts,
    deliverables, the influencers' profiles are not needed)."""
    filters = filters or {}
    if filters.get("campaign"):
        qs = qs.filter(campaign_id=filters["campaign"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs.select_related("campaign", "relationship__influencer", "brand").prefetch_related(
        Prefetch("links", queryset=ContentLink.objects.select_related("mention__post")),
        "deliverables",
    )


def collaborations_with_results(
    qs: QuerySet[Collaboration],
) -> list[tuple[Collaboration, CollaborationResults]]:
    card = emv.rate_card()
    return [(c, collaboration_results(c, card)) for c in qs]


@dataclass
class CampaignCollaborations:
    """The campaign section: each collaboration with its results, and the totals per
    currency (fees are not converted)."""

    rows: list[tuple[Collaboration, CollaborationResults]]
    reach: int = 0
    engagement: int = 0
    posts: int = 0
    clicks: int = 0
    money: dict[str, dict[str, Decimal]] = field(default_factory=dict)


def campaign_collaborations(campaign: Campaign) -> CampaignCollaborations:
    """The campaign's collaborations (cancelled ones last, out of the totals)."""
    qs = collaboration_list(Collaboration.objects.filter(campaign=campaign)).order_by(
        "relationship__influencer__name", "id"
    )
    rows = collaborations_with_results(qs)
    rows.sort(key=lambda row: row[0].status == Collaboration.Status.CANCELLED)
    out = CampaignCollaborations(rows=rows)
    for c, r in rows:
        if c.status == Collaboration.Status.CANCELLED:
            continue
        out.reach += r.reach
        out.engagement += r.engagement
        out.posts += r.posts
        out.clicks += r.clicks
        money = out.money.setdefault(c.currency, {"fee": Decimal("0"), "emv": Decimal("0")})
        money["fee"] += c.fee
        money["emv"] += r.emv
    return out


def campaign_collaboration_mentions(
    campaign: Campaign, start: date, end: date
) -> list[tuple[int, date]]:
    """(mention id, UTC day) of the matched posts of the campaign's collaborations
    (not cancelled) published on days [start, end]: the campaign KPIs' influencer
    mentions (``campaigns.extensions``)."""
    lo = datetime.combine(start, time.min, tzinfo=UTC)
    hi = datetime.combine(end, time.min, tzinfo=UTC) + timedelta(days=1)
    rows = (
        ContentLink.objects.filter(
            collaboration__campaign=campaign,
            mention__isnull=False,
            mention__published_at__gte=lo,
            mention__published_at__lt=hi,
        )
        .exclude(collaboration__status=Collaboration.Status.CANCELLED)
        .values_list("mention_id", "mention__published_at")
        .distinct()
    )
    return [(pk, published.astimezone(UTC).date()) for pk, published in rows]


def collaboration_report_table(campaign: Campaign) -> tuple[list[str], list[list[Any]]]:
    """The campaign report's export of its collaborations (one row each)."""
    header = [
        "Influencer",
        "Status",
        "Deliverables",
        "Posts matched",
        "Reach",
        "Engagement",
        "Engagement rate (%)",
        "Clicks",
        "Fee",
        "Cost per engagement",
        "Earned-media value",
        "Currency",
    ]
    rows = []
    for c, r in campaign_collaborations(campaign).rows:
        rows.append(
            [
                c.relationship.influencer.name,
                c.get_status_display(),
                "; ".join(str(d) for d in c.deliverables.all()),
                r.posts,
                r.reach,
                r.engagement,
                r.engagement_rate,
                r.clicks,
                c.fee,
                r.cost_per_engagement,
                r.emv,
                c.currency,
            ]
        )
    return header, rows
