"""The listening part of ``manage.py seed_demo``: sources, queries and 90 days of
mentions for each demo brand (found by seed_demo through the app registry)."""

from __future__ import annotations

from listening import services
from listening.demo import generate_posts
from listening.models import Mention, Query, Source
from listening.pipeline import ingest_batches
from socialhub.models import Brand, User

PEOPLE = {"Acme": "Jane Roe", "Globex": "Hank Scorpio"}
POSTS_PER_BRAND = 2500


def seed(*, brands: dict[str, Brand], actor: User, stdout) -> None:
    """Idempotent: a brand that already has queries keeps what it has."""
    for brand in brands.values():
        if Query.objects.filter(brand=brand).exists():
            continue
        _sources(brand, actor)
        _queries(brand, actor)
        posts = list(
            generate_posts(
                brands=[(brand.name, brand.competitors)],
                count=POSTS_PER_BRAND,
                days=90,
                seed=sum(map(ord, brand.slug)),
                prefix=f"demo-{brand.slug}",
                people=PEOPLE,
                # A planted emerging term: customers cutting their hands on the new cap.
                spike=(f"{brand.slug}cap", 3, 60),
            )
        )
        chunks = (posts[start : start + 1000] for start in range(0, len(posts), 1000))
        for _ in ingest_batches(chunks, brand_ids={brand.pk}):
            pass
        count = Mention.objects.filter(brand=brand).count()
        stdout.write(f"  {brand.name}: {count} mentions over 90 days")


def _sources(brand: Brand, actor: User) -> None:
    # Paused: the demo machine may be offline; switch them on to listen for real.
    specs = [
        (
            f"Google Alerts: {brand.name}",
            Source.Kind.RSS,
            {"url": f"https://www.google.com/alerts/feeds/0/{brand.slug}"},
        ),
        (
            f"Mastodon #{brand.slug}",
            Source.Kind.MASTODON,
            {"instance": "mastodon.social", "tag": brand.slug},
        ),
        (f"Hacker News: {brand.name}", Source.Kind.HACKERNEWS, {"query": brand.name}),
    ]
    for name, kind, config in specs:
        services.source_create(
            actor=actor, brand=brand, name=name, kind=kind, config=config, is_active=False
        )
    services.source_create(
        actor=actor, brand=brand, name="Push API", kind=Source.Kind.PUSH, config={}
    )


def _queries(brand: Brand, actor: User) -> None:
    name = brand.name
    person = PEOPLE.get(name, "the CEO")
    specs = [
        (name, Query.Kind.BRAND, f'{name} OR #{name.lower()} OR "{name.lower()} cap"'),
        (f"{name} person: {person}", Query.Kind.PERSON, f'"{person}" OR "{name} CEO"'),
        (
            f"{name} features",
            Query.Kind.PRODUCT,
            f'{name} AND ("noise cancelling" OR "battery life")',
        ),
    ]
    for competitor in brand.competitors[:2]:
        specs.append((competitor, Query.Kind.COMPETITOR, f"{competitor} OR #{competitor.lower()}"))
    for query_name, kind, expression in specs:
        services.query_create(
            actor=actor, brand=brand, name=query_name, kind=kind, expression=expression
        )
