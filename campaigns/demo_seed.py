"""The campaigns part of ``manage.py seed_demo`` (found by seed_demo through the app
registry, after listening's): for each demo brand a running campaign (started 30 days
ago, ends in 30 days) measured by a query over its hashtag, four KPIs (mentions up 20 %,
net sentiment, share of voice, and clicks the team entered), two owned channels
(Mastodon and Bluesky, no credentials), a month of posts (published in the past,
scheduled in the future, one waiting for the client) and one review with decisions.

The hashtag's mentions are planted here (before and during the campaign), so the
campaign's KPIs have a baseline and a value; the published posts are heard too, so the
report can rank them. Idempotent: a brand that has the demo campaign keeps what it has.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from campaigns import services as campaign_services
from campaigns.calendar import services as calendar_services
from campaigns.models import Campaign, ContentPost, Kpi, SocialAccount
from campaigns.reviews import services as review_services
from listening.connectors.base import NormalizedPost
from listening.insights import services as insights_services
from listening.pipeline import forget_compiled_queries, ingest
from socialhub.models import Brand, User

# Days before today the campaign started, and after today it ends.
STARTED_DAYS_AGO = 30
ENDS_IN_DAYS = 29
# Mentions of the campaign's hashtag planted before the campaign (its baseline period)
# and since it started.
BASELINE_MENTIONS = 50
CAMPAIGN_MENTIONS = 40

TEXTS = [
    "Our new {b} speakers are out: tell us where you listen #{t}",
    "Behind the scenes at {b}: how we tune the bass #{t}",
    "Share your {b} setup with #{t} and win a pair of headphones",
    "{b} Q&A tonight with our sound engineers, bring questions #{t}",
    "Five tips for better sound at home, from the {b} team #{t}",
    "Thank you for 10,000 #{t} posts! Here are our favourites",
    "Meet the people who build {b} headphones #{t}",
    "Weekend playlist from the {b} office #{t}",
    "The {b} cap: the bottle that keeps the fizz, now with a safer edge #{t}",
    "Last week of #{t}: what should we try next?",
    "{b} at the city festival this weekend, come and listen #{t}",
    "A month of #{t}: what we heard from you",
]
FAN_TEXTS = [
    "Loving the {b} sound at home, great campaign #{t}",
    "Just joined #{t}, my {b} setup is ready",
    "{b} speakers at the party last night, everyone asked about them #{t}",
    "Not sure about the new {b} ads, a bit loud #{t}",
    "Won the {b} headphones from #{t}! Best day",
    "The #{t} playlist is exactly my taste, thanks {b}",
    "{b} support answered my question in minutes #{t}",
    "Meh, {b} prices went up again #{t}",
]


def campaign_name(brand: Brand) -> str:
    return f"{brand.name} Sound Month"


def hashtag(brand: Brand) -> str:
    return f"{brand.slug}sound"


def seed(*, brands: dict[str, Brand], actor: User, stdout) -> None:
    """Idempotent: a brand that already has the demo campaign keeps what it has."""
    for brand in brands.values():
        if Campaign.objects.filter(brand=brand, name=campaign_name(brand)).exists():
            stdout.write(f"  {brand.name}: the demo campaign is already there")
            continue
        campaign = seed_brand(brand, actor=actor, today=datetime.now(UTC).date())
        stdout.write(
            f"  {brand.name}: campaign “{campaign.name}” with {campaign.kpis.count()} KPIs, "
            f"{campaign.posts.count()} posts and a review"
        )


def seed_brand(brand: Brand, *, actor: User, today: date) -> Campaign:
    """The demo campaign of one brand (see the module's docstring)."""
    rng = random.Random(sum(map(ord, brand.slug)))
    accounts = _accounts(brand, actor)
    start = today - timedelta(days=STARTED_DAYS_AGO)
    campaign = campaign_services.campaign_create(
        actor=actor,
        brand=brand,
        channels=accounts,
        create_hashtag_query=True,
        name=campaign_name(brand),
        objective=Campaign.Objective.ENGAGEMENT,
        description=(
            f"A month of listening parties and tips around #{hashtag(brand)}: more people "
            f"talking about {brand.name}, and talking well."
        ),
        start_date=start,
        end_date=today + timedelta(days=ENDS_IN_DAYS),
        budget=Decimal("12000"),
        currency="EUR",
        hashtags=[hashtag(brand)],
        tracked_links=[f"https://{brand.slug}.example/sound-month"],
        owner=actor,
        status=Campaign.Status.RUNNING,
    )
    _kpis(campaign, actor, today)
    # Planned a week or two before it started, as a real campaign would have been.
    planned_at = datetime.combine(start, time(10), tzinfo=UTC)
    Campaign.objects.filter(pk=campaign.pk).update(created_at=planned_at - timedelta(days=12))
    Kpi.objects.filter(campaign=campaign).update(created_at=planned_at - timedelta(days=9))
    posts = _posts(campaign, accounts, actor, today, rng)
    _mentions(campaign, posts, today, rng)
    _review(campaign, posts, actor, today)
    return campaign


def _accounts(brand: Brand, actor: User) -> list[SocialAccount]:
    specs = [
        (
            SocialAccount.Platform.MASTODON,
            f"@{brand.slug}@mastodon.social",
            f"https://mastodon.social/@{brand.slug}",
        ),
        (
            SocialAccount.Platform.BLUESKY,
            f"{brand.slug}.bsky.social",
            f"https://bsky.app/profile/{brand.slug}.bsky.social",
        ),
    ]
    accounts = []
    for platform, handle, url in specs:
        account = SocialAccount.objects.filter(
            brand=brand, platform=platform, handle=handle
        ).first()
        if account is None:
            account = calendar_services.social_account_create(
                actor=actor, brand=brand, platform=platform, handle=handle, url=url
            )
        accounts.append(account)
    return accounts


def _kpis(campaign: Campaign, actor: User, today: date) -> None:
    create = campaign_services.kpi_create
    create(
        actor=actor,
        campaign=campaign,
        metric="mentions",
        label="Mentions of the hashtag",
        target_kind="relative",
        target=Decimal("20"),
    )
    create(actor=actor, campaign=campaign, metric="net_sentiment", target=Decimal("80"))
    create(actor=actor, campaign=campaign, metric="share_of_voice", target=Decimal("45"))
    create(
        actor=actor,
        campaign=campaign,
        metric="clicks",
        target=Decimal("4000"),
        baseline=Decimal("0"),
    )
    for weeks_ago, clicks in ((4, 420), (3, 510), (2, 640), (1, 700)):
        campaign_services.kpi_entry_create(
            actor=actor,
            campaign=campaign,
            metric="clicks",
            date=today - timedelta(days=7 * weeks_ago - 6),
            value=Decimal(clicks),
            note="From the ad platform's weekly report.",
        )


def _posts(
    campaign: Campaign,
    accounts: list[SocialAccount],
    actor: User,
    today: date,
    rng: random.Random,
) -> list[ContentPost]:
    """Twelve posts, one every five days from the start, alternating channels: the
    past ones published (with their URL), the future ones scheduled but one waiting for
    the client's approval and one still a draft."""
    brand = campaign.brand
    tag = hashtag(brand)
    posts = []
    for n, template in enumerate(TEXTS):
        day = campaign.start_date + timedelta(days=2 + 5 * n)
        at = datetime.combine(day, time(9 + n % 8, 30), tzinfo=UTC)
        account = accounts[n % 2]
        post = calendar_services.post_create(
            actor=actor,
            brand=brand,
            account=account,
            campaign=campaign,
            text=template.format(b=brand.name, t=tag),
            link=f"https://{brand.slug}.example/sound-month?utm_source={account.platform}"
            f"&utm_medium=social&utm_campaign={tag}",
            scheduled_at=at,
            labels=["sound month"],
        )
        posts.append(post)
    future = [p for p in posts if p.scheduled_at.date() > today]
    draft, waiting = (future[-1], future[0]) if len(future) >= 2 else (None, None)
    for post in posts:
        if post is draft:
            continue
        post = calendar_services.post_submit(actor=actor, post=post)
        if post.pk == (waiting.pk if waiting else None):
            continue  # waits for the client
        post = calendar_services.post_approve(actor=actor, post=post)
        if post.scheduled_at.date() <= today:
            url = _published_url(post)
            post = calendar_services.post_mark_published(actor=actor, post=post, url=url)
            # As if it went out on time, back then.
            published = post.scheduled_at + timedelta(minutes=rng.randint(0, 20))
            ContentPost.objects.filter(pk=post.pk).update(
                published_at=published, external_id=url.rsplit("/", 1)[-1]
            )
    return list(ContentPost.objects.filter(campaign=campaign).select_related("account"))


def _published_url(post: ContentPost) -> str:
    if post.account.platform == SocialAccount.Platform.BLUESKY:
        return f"https://bsky.app/profile/{post.account.handle}/post/demo{post.pk}"
    return f"{post.account.url}/{110000000000000000 + post.pk}"


def _mentions(
    campaign: Campaign, posts: list[ContentPost], today: date, rng: random.Random
) -> None:
    """Mentions of the hashtag by fans (before the campaign: the baseline; since it
    started: a fifth more per day) and the brand's published posts as heard."""
    brand = campaign.brand
    tag = hashtag(brand)
    now = datetime.now(UTC)
    start = datetime.combine(campaign.start_date, time.min, tzinfo=UTC)
    before_days = campaign.days
    heard: list[NormalizedPost] = []

    def fan(n: int, at: datetime) -> NormalizedPost:
        handle = f"fan_{rng.randint(1, 400)}"
        followers = int(rng.paretovariate(1.3) * 150)
        return NormalizedPost(
            platform=rng.choice(["mastodon", "bluesky"]),
            external_id=f"demo-{brand.slug}-{tag}-{n}",
            url=f"https://example.org/{tag}/{n}",
            text=rng.choice(FAN_TEXTS).format(b=brand.name, t=tag),
            published_at=at,
            author_handle=handle,
            author_name=handle.replace("_", " ").title(),
            author_followers=followers,
            lang="en",
            likes=int(rng.expovariate(1 / 8)),
            shares=int(rng.expovariate(1 / 2)),
            replies=int(rng.expovariate(1 / 2)),
            reach=followers,
        )

    for n in range(BASELINE_MENTIONS):
        at = start - timedelta(days=rng.uniform(0.1, before_days - 0.1))
        heard.append(fan(n, at))
    elapsed = max((now - start).total_seconds(), 3600)
    for n in range(CAMPAIGN_MENTIONS):
        at = start + timedelta(seconds=rng.uniform(0, elapsed - 60))
        heard.append(fan(BASELINE_MENTIONS + n, at))
    for post in posts:
        if post.status != ContentPost.Status.PUBLISHED or post.published_at is None:
            continue
        heard.append(
            NormalizedPost(
                platform=post.account.platform,
                external_id=post.external_id,
                url=post.published_url,
                text=post.text,
                published_at=post.published_at,
                author_handle=post.account.handle,
                author_name=brand.name,
                author_followers=5000,
                lang="en",
                likes=rng.randint(5, 160),
                shares=rng.randint(0, 40),
                replies=rng.randint(0, 25),
                reach=5000,
            )
        )
    forget_compiled_queries()  # the campaign's query was created a moment ago
    result = ingest(heard, brand_ids={brand.pk})
    ids = list(result.mention_ids)
    # Count them into the day rollups and link the published posts now (the pipeline's
    # hooks would on commit; the seed must not depend on a worker).
    insights_services.mentions_count(mention_ids=ids)
    calendar_services.link_mentions(ids)


def _review(campaign: Campaign, posts: list[ContentPost], actor: User, today: date) -> None:
    brand = campaign.brand
    tag = hashtag(brand)
    query = campaign.queries.first()
    published = [p for p in posts if p.status == ContentPost.Status.PUBLISHED]
    review_services.review_create(
        actor=actor,
        campaign=campaign,
        date=today - timedelta(days=3),
        answers={
            "listening": f"The #{tag} query, the brand query and Mastodon #{brand.slug}.",
            "conversations": f"#{tag} posts: setups at home, the festival, prices.",
            "analysis": "Weekly volume and sentiment against the baseline; top authors.",
            "sharing": "The weekly digest goes to marketing and support; PR gets alerts.",
            "benchmarks": f"Share of voice against {', '.join(brand.competitors[:2])}.",
            "goals": (
                "Mentions up 20 % on the period before; net sentiment 80; share of voice "
                "45 %; clicks 4,000."
            ),
            "content": "Tips and behind-the-scenes posts do best; giveaways draw replies.",
            "engagement": "Answered every question under the Q&A post within the day.",
        },
        summary=(
            "Mentions are ahead of plan and sentiment holds. Keep the tips, stop the "
            "giveaway format, and widen the query to the festival's hashtag."
        ),
        decisions=[
            {
                "verdict": "keep",
                "subject": "Weekly tips posts",
                "note": "The most engagement per post; keep one a week until the end.",
                "posts": [p for p in published if "tips" in p.text.lower()][:2],
                "links": [],
            },
            {
                "verdict": "stop",
                "subject": "Giveaway posts",
                "note": "Many replies, few clicks, and the complaints about prices came "
                "from these threads.",
                "posts": [p for p in published if "win" in p.text.lower()][:1],
                "links": [],
            },
            {
                "verdict": "change",
                "subject": "Campaign query",
                "note": "Add the festival's hashtag to the campaign query.",
                "query": query,
                "links": [
                    {
                        "label": "Festival programme",
                        "url": f"https://{brand.slug}.example/festival",
                    }
                ],
            },
        ],
    )
