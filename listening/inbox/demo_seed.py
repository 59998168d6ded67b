"""The inbox part of ``manage.py seed_demo``: items for the demo mentions (the ingest hook
already made them when listening's demo ran after this app was ready; the backfill here
makes sure), routing rules, and a worked history: older items answered and closed with
realistic first-response times, recent ones assigned, a few still new."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from listening.inbox import services
from listening.inbox.models import InboxItem, RoutingRule, Status
from listening.models import Mention
from socialhub.models import Brand, BrandMembership, User

REPLIES = [
    "Sorry to hear that! We've sent you a DM to sort it out.",
    "Thanks so much, glad you like it!",
    "Good question: the answer is in our help centre, link in DM.",
    "We're on it. Could you DM us your order number?",
]
# Items this many days old or older have been worked through; newer ones are the backlog.
WORKED_AFTER_DAYS = 3
HANDLED = 120  # items per brand answered with services (history and all)


def seed(*, brands: dict[str, Brand], actor: User, stdout) -> None:
    """Idempotent: items are unique per mention; a brand with replies keeps its history."""
    for brand in brands.values():
        ids = list(Mention.objects.filter(brand=brand).values_list("pk", flat=True))
        for start in range(0, len(ids), 2000):
            services.items_create_for_mentions(ids[start : start + 2000])
        items = InboxItem.objects.filter(brand=brand)
        if items.filter(first_response_at__isnull=False).exists():
            continue
        people = _people(brand, actor)
        if not RoutingRule.objects.filter(brand=brand).exists():
            services.routing_rule_create(
                actor=actor, brand=brand, category="complaint", sentiment="negative"
            )
            services.routing_rule_create(
                actor=actor,
                brand=brand,
                category="sales_lead",
                keywords="price, buy, discount, where can i get",
            )
            services.routing_rule_create(
                actor=actor, brand=brand, category="crisis", assignee=people[0]
            )
        services.items_route_open(actor=actor, brand=brand)
        _work(brand, people, random.Random(sum(map(ord, brand.slug))))
        open_count = items.filter(status__in=[Status.NEW, Status.NEEDS_REPLY, Status.ASSIGNED])
        stdout.write(f"  {brand.name}: {items.count()} inbox items, {open_count.count()} open")


def _people(brand: Brand, actor: User) -> list[User]:
    """Who answers: the brand's analysts and managers, else the agency admin."""
    members = [
        m.user
        for m in BrandMembership.objects.filter(
            brand=brand, role__in=["analyst", "manager"]
        ).select_related("user")
    ]
    return sorted(members, key=lambda u: u.email) or [actor]


def _work(brand: Brand, people: list[User], rng: random.Random) -> None:
    now = datetime.now(UTC)
    cutoff = now - timedelta(days=WORKED_AFTER_DAYS)
    old = list(
        InboxItem.objects.filter(brand=brand, published_at__lt=cutoff)
        .select_related("brand")
        .order_by("-priority", "-published_at")
    )
    # The most pressing older items: answered one by one, as a person would (history).
    for item in old[:HANDLED]:
        who = rng.choice(people)
        services.items_assign(actor=who, items=[item], assignee=who)
        # Mostly within a 4-hour SLA, with a tail of slow answers.
        minutes = rng.choice([12, 25, 40, 55, 80, 110, 150, 200, 320, 600])
        services.item_reply(
            actor=who,
            item=item,
            text=rng.choice(REPLIES),
            url=f"https://social.example/{brand.slug}/reply/{item.pk}",
            at=item.published_at + timedelta(minutes=minutes + rng.randint(0, 9)),
        )
        if rng.random() < 0.8:
            services.items_set_status(actor=who, items=[item], status=Status.CLOSED)
    # The rest of the older ones: looked at and closed or ignored in bulk (no answer due).
    rest = old[HANDLED:]
    closed, ignored = [], []
    for item in rest:
        (closed if rng.random() < 0.7 else ignored).append(item.pk)
    InboxItem.objects.filter(pk__in=closed).update(status=Status.CLOSED)
    InboxItem.objects.filter(pk__in=ignored).update(status=Status.IGNORED)

    # The recent ones: the live backlog. Some assigned, a few answered, the rest new.
    recent = list(
        InboxItem.objects.filter(brand=brand, published_at__gte=cutoff)
        .select_related("brand")
        .order_by("-published_at")
    )
    for item in recent[::4][:30]:
        who = rng.choice(people)
        services.items_assign(actor=who, items=[item], assignee=who)
    for item in recent[1::3][:60]:
        who = rng.choice(people)
        services.item_reply(
            actor=who,
            item=item,
            text=rng.choice(REPLIES),
            at=min(now, item.published_at + timedelta(minutes=rng.randint(15, 300))),
        )
