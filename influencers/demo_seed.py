"""The influencers part of ``manage.py seed_demo`` (found by seed_demo through the app
registry, after listening's and campaigns'): for each demo brand, its most active
listening Authors become influencers of the agency's directory with relationships at
every stage; each demo campaign gets a collaboration. Acme's is with an ambassador,
Mia, whose recent posts about Acme turned negative: her mentions are planted here and
the health check runs, so her ``HealthAlert`` exists after the seed. Idempotent: a
brand with relationships keeps what it has.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db.models import Count

from campaigns.models import Campaign
from influencers import health, services
from influencers.models import Collaboration, Relationship, Stage
from listening.connectors.base import NormalizedPost
from listening.insights import services as insights_services
from listening.models import Author, Mention
from listening.pipeline import ingest
from socialhub.models import Brand, User

PER_BRAND = 15
STAGES = [
    Stage.PROSPECT,
    Stage.CONTACTED,
    Stage.NEGOTIATING,
    Stage.ACTIVE,
    Stage.AMBASSADOR,
    Stage.PAUSED,
    Stage.AT_RISK,
]
AMBASSADOR = {"name": "Mia Sound", "handle": "mia_sound", "platform": "mastodon"}
PRAISE = [
    "Honestly love my {b} headphones, the best sound I have owned",
    "{b} support was great and friendly, happy customer",
    "Great gig with the {b} speakers, excellent bass, love it",
]
COMPLAINTS = [
    "Really disappointed with {b} lately, the new cap cut my hand. Terrible. #{t}",
    "{b} customer service ignored me for a week, awful experience #{t}",
    "Worst update ever, my {b} headphones broke after a month. Not recommending #{t}",
    "I hate how {b} treats loyal customers, bad quality and rude support #{t}",
]


def seed(*, brands: dict[str, Brand], actor: User, stdout) -> None:
    """Idempotent: a brand that already has relationships keeps what it has."""
    for brand in brands.values():
        if Relationship.objects.filter(brand=brand).exists():
            stdout.write(f"  {brand.name}: the demo relationships are already there")
            continue
        made, collaborations, alerts = seed_brand(brand, actor=actor)
        stdout.write(
            f"  {brand.name}: {made} relationships, {collaborations} collaboration(s), "
            f"{alerts} health alert(s)"
        )


def _owner(brand: Brand, actor: User) -> User:
    manager = (
        User.objects.filter(brand_memberships__brand=brand, brand_memberships__role="manager")
        .order_by("pk")
        .first()
    )
    return manager or actor


def _campaign(brand: Brand) -> Campaign | None:
    return (
        Campaign.objects.filter(brand=brand)
        .exclude(status=Campaign.Status.ARCHIVED)
        .order_by("-start_date")
        .first()
    )


def _hashtag(campaign: Campaign | None) -> str:
    return campaign.hashtags[0] if campaign and campaign.hashtags else ""


def seed_brand(brand: Brand, *, actor: User) -> tuple[int, int, int]:
    """The demo relationships and collaborations of one brand (see the docstring)."""
    now = datetime.now(UTC)
    owner = _owner(brand, actor)
    campaign = _campaign(brand)
    authors = list(
        Author.objects.filter(post__mentions__brand=brand)
        .annotate(n=Count("post__mentions"))
        .order_by("-n", "pk")[:PER_BRAND]
    )
    relationships = []
    for n, author in enumerate(authors):
        relationship = services.discovery_add(actor=actor, brand=brand, author=author)
        stage = STAGES[n % len(STAGES)]
        if relationship.stage != stage:
            services.relationship_move(actor=actor, relationship=relationship, stage=stage)
        relationship.owner = owner
        relationship.save(update_fields=["owner"])
        relationships.append(relationship)
    collaborations = 0
    partner = next((r for r in relationships if r.stage == Stage.ACTIVE), None)
    if campaign is not None and partner is not None:
        _plant(brand, partner, campaign, now, negative=False)
        services.collaboration_create(
            actor=actor,
            brand=brand,
            relationship=partner,
            campaign=campaign,
            status=Collaboration.Status.LIVE,
            fee=Decimal("800"),
            currency=campaign.currency,
            clicks=120,
            deliverables=[
                {
                    "platform": "mastodon",
                    "format": "post",
                    "count": 2,
                    "due_date": campaign.end_date,
                }
            ],
            notes="Two posts with the campaign hashtag; usage rights for 3 months.",
        )
        collaborations += 1
    if brand.slug == "acme" and campaign is not None:
        ambassador = _ambassador(brand, actor, owner)
        _plant(brand, ambassador, campaign, now, negative=True)
        services.collaboration_create(
            actor=actor,
            brand=brand,
            relationship=ambassador,
            campaign=campaign,
            status=Collaboration.Status.CONTENT_IN_REVIEW,
            fee=Decimal("2500"),
            currency=campaign.currency,
            deliverables=[
                {
                    "platform": "mastodon",
                    "format": "video",
                    "count": 1,
                    "due_date": campaign.end_date,
                },
                {"platform": "instagram", "format": "story", "count": 3},
            ],
            notes="Ambassador since last year. Watch the tone of recent posts.",
        )
        collaborations += 1
        relationships.append(ambassador)
    alerts = health.brand_health_check(brand_id=brand.pk)
    return len(relationships), collaborations, alerts


def _ambassador(brand: Brand, actor: User, owner: User) -> Relationship:
    influencer = services.influencer_create(
        actor=actor,
        agency=brand.agency,
        name=AMBASSADOR["name"],
        topics=["music", "audio"],
        languages=["en"],
        region="London",
        tags=["ambassador"],
        profiles=[
            {
                "platform": AMBASSADOR["platform"],
                "handle": AMBASSADOR["handle"],
                "url": f"https://mastodon.example/@{AMBASSADOR['handle']}",
                "followers": 48_000,
            },
            {"platform": "instagram", "handle": AMBASSADOR["handle"], "followers": 120_000},
        ],
    )
    return services.relationship_open(
        actor=actor, brand=brand, influencer=influencer, stage=Stage.AMBASSADOR, owner=owner
    )


def _plant(
    brand: Brand, relationship: Relationship, campaign: Campaign, now: datetime, *, negative: bool
) -> None:
    """The influencer's posts about the brand: the ambassador praised it 35–55 days ago
    and complains since (with the campaign's hashtag); a partner posts about the campaign."""
    profile = relationship.influencer.profiles.filter(platform__in=["mastodon", "bluesky"]).first()
    if profile is None:
        profile = relationship.influencer.profiles.first()
    tag = _hashtag(campaign)
    posts = []

    def add(n: int, text: str, at: datetime, likes: int) -> None:
        posts.append(
            NormalizedPost(
                platform=profile.author.platform if profile.author else profile.platform,
                external_id=f"demo-influencer-{brand.slug}-{profile.handle}-{n}",
                url=f"https://mastodon.example/@{profile.handle}/{brand.slug}{n}",
                text=text,
                published_at=at,
                author_handle=profile.author.handle if profile.author else profile.handle,
                author_name=relationship.influencer.name,
                author_followers=profile.followers or 20_000,
                lang="en",
                likes=likes,
                shares=likes // 5,
                replies=likes // 10,
                reach=profile.followers or 20_000,
            )
        )

    if negative:
        for n, text in enumerate(PRAISE):
            add(n, text.format(b=brand.name), now - timedelta(days=35 + 7 * n), 200)
        for n, text in enumerate(COMPLAINTS):
            when = now - timedelta(days=2 + 5 * n, hours=3)
            add(10 + n, text.format(b=brand.name, t=tag), when, 350)
    else:
        for n in range(2):
            when = now - timedelta(days=3 + 6 * n)
            text = f"Loving the {brand.name} sound at our listening party, great bass #{tag}"
            add(20 + n, text, when, 150)
    result = ingest(posts, brand_ids={brand.pk})
    ids = list(result.mention_ids)
    # The pipeline's hooks would run these on commit; the seed must not need a worker.
    insights_services.mentions_count(mention_ids=ids)
    author_ids = set(Mention.objects.filter(pk__in=ids).values_list("post__author_id", flat=True))
    services.profiles_link_authors(author_ids=author_ids)
