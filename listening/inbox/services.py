"""Writes of the inbox: items from new mentions (the ingest hook), triage (assign,
status, category, priority, notes, replies), settings and routing rules.

Every triage change is recorded as an InboxEvent in the same transaction. Bulk actions
and single ones share one code path: a list of items in, one bulk update and one bulk
insert of events out.
"""

from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from listening.inbox.models import (
    DEFAULT_MONITORED_KINDS,
    OPEN_STATUSES,
    Category,
    InboxEvent,
    InboxItem,
    InboxNote,
    InboxSettings,
    Priority,
    RoutingRule,
    Status,
)
from listening.models import MentionMatch, Query, Sentiment
from socialhub import access
from socialhub.models import Brand, User

logger = logging.getLogger(__name__)

# Question-like: a question mark, a sentence opening with a question word, or a plea.
QUESTION = re.compile(
    r"\?|(?:^|[.!]\s+)(?:how|why|what|when|where|who|which|can|could|does|do|is|are|will|"
    r"should|anyone)\b|\b(?:help|anyone know|any idea|please advise|support)\b",
    re.IGNORECASE,
)


def _now() -> datetime:
    return datetime.now(UTC)


# -- priority --------------------------------------------------------------------------


def priority_score(*, sentiment: str, reach: int, text: str) -> int:
    """0–100: negative sentiment (50), reach on a log scale (up to 30 at a million),
    a question or a plea for help (20). Negative, far-reaching questions come first."""
    score = 50 if sentiment == Sentiment.NEGATIVE else 0
    score += min(30, round(5 * math.log10(max(reach, 0) + 1)))
    if QUESTION.search(text or ""):
        score += 20
    return min(100, score)


# -- creation from ingest --------------------------------------------------------------


def _monitored(settings: InboxSettings | None, query_id: int, kind: str) -> bool:
    if settings is None or settings.monitor_default_kinds:
        return kind in DEFAULT_MONITORED_KINDS
    return query_id in settings.monitored_queries


def route(
    rules: Sequence[RoutingRule], *, text: str, sentiment: str, category: str = ""
) -> tuple[str, int | None, RoutingRule | None]:
    """(category, assignee id, rule) for an item: the first rule whose keyword and/or
    sentiment matches gives the category; then the first category → member rule for
    that category gives the assignee, if the matching rule named none."""
    lowered = (text or "").lower()
    matched: RoutingRule | None = None
    if not category:
        for rule in rules:
            if rule.is_category_route:
                continue
            if rule.sentiment and rule.sentiment != sentiment:
                continue
            keywords = rule.keyword_list
            if keywords and not any(k in lowered for k in keywords):
                continue
            matched, category = rule, rule.category
            break
    assignee = matched.assignee_id if matched else None
    if category and assignee is None:
        for rule in rules:
            if rule.is_category_route and rule.category == category and rule.assignee_id:
                assignee = rule.assignee_id
                matched = matched or rule
                break
    return category, assignee, matched


def items_create_for_mentions(mention_ids: Iterable[int]) -> int:
    """Create the inbox items of new mentions heard by a monitored query (the ingest
    hook). A fixed number of queries whatever the batch size: the mentions with their
    matches, the brands' settings, their routing rules, one bulk insert. Idempotent: an
    item exists once per mention (unique), so a replayed batch creates nothing twice.
    Returns the number of items offered to the database."""
    ids = list(mention_ids)
    if not ids:
        return 0
    rows = MentionMatch.objects.filter(mention_id__in=ids).values_list(
        "mention_id",
        "brand_id",
        "query_id",
        "query__kind",
        "mention__published_at",
        "mention__sentiment",
        "mention__post__reach",
        "mention__post__text",
    )
    candidates: dict[int, tuple] = {}
    by_brand_queries: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for mention_id, brand_id, query_id, kind, published_at, sentiment, reach, text in rows:
        by_brand_queries[brand_id].append((mention_id, query_id, kind))
        candidates[mention_id] = (brand_id, published_at, sentiment, reach or 0, text)
    if not candidates:
        return 0
    settings = {
        s.brand_id: s for s in InboxSettings.objects.filter(brand_id__in=list(by_brand_queries))
    }
    rules: dict[int, list[RoutingRule]] = defaultdict(list)
    for rule in RoutingRule.objects.filter(brand_id__in=list(by_brand_queries)).order_by(
        "position", "id"
    ):
        rules[rule.brand_id].append(rule)

    wanted: set[int] = set()
    for brand_id, matches in by_brand_queries.items():
        for mention_id, query_id, kind in matches:
            if _monitored(settings.get(brand_id), query_id, kind):
                wanted.add(mention_id)
    now = _now()
    items = []
    for mention_id in sorted(wanted):
        brand_id, published_at, sentiment, reach, text = candidates[mention_id]
        score = priority_score(sentiment=sentiment, reach=reach, text=text)
        category, assignee_id, rule = route(rules[brand_id], text=text, sentiment=sentiment)
        items.append(
            InboxItem(
                brand_id=brand_id,
                mention_id=mention_id,
                published_at=published_at,
                status=Status.ASSIGNED if assignee_id else Status.NEW,
                assignee_id=assignee_id,
                category=category,
                routing_rule=rule,
                priority=score,
                priority_auto=score,
                created_at=now,
                updated_at=now,
            )
        )
    InboxItem.objects.bulk_create(items, ignore_conflicts=True, batch_size=500)
    return len(items)


def on_new_mentions(mention_ids: list[int]) -> None:
    """The hook registered with the pipeline: hands the batch to a worker, so creating
    items never slows an ingest down, and never breaks one."""
    from listening.inbox.tasks import create_items

    try:
        create_items.delay(list(mention_ids))
    except Exception:  # the mentions are stored; a backfill can create the items later
        logger.exception("Inbox items for %d new mentions were not queued", len(mention_ids))


@transaction.atomic
def items_route_open(*, actor: User | None, brand: Brand) -> int:
    """Apply the brand's routing rules to its open items that have no category yet (new
    rules otherwise apply only to new items). Returns how many items were routed."""
    rules = list(RoutingRule.objects.filter(brand=brand).order_by("position", "id"))
    if not rules:
        return 0
    items = list(
        InboxItem.objects.filter(brand=brand, category="", status__in=OPEN_STATUSES).values_list(
            "pk", "assignee_id", "status", "mention__sentiment", "mention__post__text"
        )
    )
    routed = []
    for pk, assignee_id, status, sentiment, text in items:
        category, rule_assignee, rule = route(rules, text=text, sentiment=sentiment)
        if not category:
            continue
        item = InboxItem(pk=pk, category=category, routing_rule=rule, assignee_id=assignee_id)
        item.status = status
        if assignee_id is None and rule_assignee is not None:
            item.assignee_id, item.status = rule_assignee, Status.ASSIGNED
        routed.append(item)
    InboxItem.objects.bulk_update(
        routed, ["category", "routing_rule", "assignee", "status"], batch_size=500
    )
    return len(routed)


# -- triage ----------------------------------------------------------------------------


def may_be_assigned(user: User, brand: Brand) -> bool:
    """Only people who may triage in the brand can hold its items."""
    return access.can(user, "mentions.triage", brand)


def _labels(choices) -> dict:
    return {value: str(label) for value, label in choices}


_STATUS = _labels(Status.choices)
_CATEGORY = _labels(Category.choices)


def _who(user: User | None) -> str:
    return user.display_name if user else ""


@transaction.atomic
def _apply(
    *, actor: User, items: Sequence[InboxItem], fields: Sequence[str], events: list
) -> list[InboxItem]:
    """Save ``fields`` of ``items`` (already changed in memory) and their events."""
    now = _now()
    for item in items:
        item.updated_at = now
    InboxItem.objects.bulk_update(items, [*fields, "updated_at"])
    InboxEvent.objects.bulk_create(
        [
            InboxEvent(
                brand_id=item.brand_id,
                item=item,
                actor=actor,
                kind=kind,
                from_value=old[:200],
                to_value=new[:200],
                created_at=now,
            )
            for item, kind, old, new in events
        ]
    )
    return list(items)


def items_set_status(*, actor: User, items: Sequence[InboxItem], status: str) -> list[InboxItem]:
    """Move items to ``status``. Leaving "assigned" for an open status keeps the assignee."""
    if status not in Status.values:
        raise ValidationError({"status": f"“{status}” is not a status."})
    changed, events = [], []
    for item in items:
        if item.status == status:
            continue
        events.append((item, InboxEvent.Kind.STATUS, _STATUS[item.status], _STATUS[status]))
        item.status = status
        changed.append(item)
    return _apply(actor=actor, items=changed, fields=["status"], events=events)


def items_assign(
    *, actor: User, items: Sequence[InboxItem], assignee: User | None
) -> list[InboxItem]:
    """Give items to ``assignee`` (None: nobody). Open items become "assigned"; taking
    the assignee away sends an assigned item back to "new"."""
    if items and assignee is not None and not may_be_assigned(assignee, items[0].brand):
        raise ValidationError(
            {"assignee": f"{assignee.display_name} cannot triage in {items[0].brand.name}."}
        )
    changed, events = [], []
    for item in items:
        if item.assignee_id == (assignee.pk if assignee else None):
            continue
        old = item.assignee if item.assignee_id else None
        events.append((item, InboxEvent.Kind.ASSIGNEE, _who(old), _who(assignee) or "nobody"))
        item.assignee = assignee
        if assignee is not None and item.status in (Status.NEW, Status.NEEDS_REPLY):
            events.append((item, InboxEvent.Kind.STATUS, _STATUS[item.status], _STATUS["assigned"]))
            item.status = Status.ASSIGNED
        elif assignee is None and item.status == Status.ASSIGNED:
            events.append((item, InboxEvent.Kind.STATUS, _STATUS[item.status], _STATUS["new"]))
            item.status = Status.NEW
        changed.append(item)
    return _apply(actor=actor, items=changed, fields=["assignee", "status"], events=events)


def items_set_category(
    *, actor: User, items: Sequence[InboxItem], category: str
) -> list[InboxItem]:
    """Categorize items ("" clears). An unassigned open item goes to the member the
    brand's category rule names, if there is one."""
    if category and category not in Category.values:
        raise ValidationError({"category": f"“{category}” is not a category."})
    if not items:
        return []
    rules = list(RoutingRule.objects.filter(brand_id=items[0].brand_id).select_related("assignee"))
    changed, events = [], []
    for item in items:
        if item.category == category:
            continue
        events.append(
            (
                item,
                InboxEvent.Kind.CATEGORY,
                _CATEGORY.get(item.category, ""),
                _CATEGORY.get(category, "none"),
            )
        )
        item.category = category
        if category and item.assignee_id is None and item.is_open:
            _, assignee_id, _rule = route(rules, text="", sentiment="", category=category)
            if assignee_id:
                rule_user = next(r.assignee for r in rules if r.assignee_id == assignee_id)
                events.append((item, InboxEvent.Kind.ASSIGNEE, "", _who(rule_user)))
                events.append(
                    (item, InboxEvent.Kind.STATUS, _STATUS[item.status], _STATUS["assigned"])
                )
                item.assignee_id = assignee_id
                item.status = Status.ASSIGNED
        changed.append(item)
    return _apply(
        actor=actor,
        items=changed,
        fields=["category", "assignee", "status"],
        events=events,
    )


def item_set_priority(*, actor: User, item: InboxItem, priority: int | None) -> InboxItem:
    """Override the computed priority by hand (None: back to the computed one). The
    override is kept: nothing recomputes it."""
    if priority is not None and priority not in Priority.values:
        raise ValidationError({"priority": "Choose urgent, high, normal or low."})
    if item.priority_override == priority:
        return item
    old = item.get_priority_override_display() if item.priority_override else "computed"
    item.priority_override = priority
    item.priority = item.priority_auto if priority is None else priority
    new = item.get_priority_override_display() if priority else "computed"
    _apply(
        actor=actor,
        items=[item],
        fields=["priority", "priority_override"],
        events=[(item, InboxEvent.Kind.PRIORITY, old, new)],
    )
    return item


@transaction.atomic
def item_add_note(*, actor: User, item: InboxItem, text: str) -> InboxNote:
    """An internal note; never sent to the author."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the note first."})
    if len(text) > 5000:
        raise ValidationError({"text": "Keep notes under 5,000 characters."})
    note = InboxNote.objects.create(brand_id=item.brand_id, item=item, author=actor, text=text)
    InboxEvent.objects.create(
        brand_id=item.brand_id,
        item=item,
        actor=actor,
        kind=InboxEvent.Kind.NOTE,
        to_value=text[:200],
    )
    return note


@transaction.atomic
def item_reply(
    *, actor: User, item: InboxItem, text: str, url: str = "", at: datetime | None = None
) -> InboxItem:
    """Record the reply sent to the author (its text and a link to it). The first reply
    sets ``first_response_at``; the item becomes "replied" unless it was closed."""
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = "Write what was sent."
    elif len(text) > 5000:
        errors["text"] = "Keep replies under 5,000 characters."
    if url and not re.match(r"^https?://", url):
        errors["url"] = "The link must start with http:// or https://."
    if errors:
        raise ValidationError(errors)
    at = at or _now()
    item.reply_text, item.reply_url, item.replied_by, item.replied_at = text, url, actor, at
    events = [(item, InboxEvent.Kind.REPLY, "", text[:200])]
    if item.first_response_at is None:
        item.first_response_at = at
    if item.status not in (Status.REPLIED, Status.CLOSED):
        events.append((item, InboxEvent.Kind.STATUS, _STATUS[item.status], _STATUS["replied"]))
        item.status = Status.REPLIED
    _apply(
        actor=actor,
        items=[item],
        fields=[
            "reply_text",
            "reply_url",
            "replied_by",
            "replied_at",
            "first_response_at",
            "status",
        ],
        events=events,
    )
    return item


# -- settings and rules ----------------------------------------------------------------


@transaction.atomic
def settings_update(
    *,
    actor: User,
    brand: Brand,
    sla_minutes: int,
    monitor_default_kinds: bool,
    monitored_queries: Sequence[Query] = (),
) -> InboxSettings:
    """Save the brand's SLA and monitored queries (queries of another brand are refused)."""
    if not 1 <= sla_minutes <= 60 * 24 * 30:
        raise ValidationError({"sla_minutes": "Choose an SLA between 1 minute and 30 days."})
    foreign = [q for q in monitored_queries if q.brand_id != brand.pk]
    if foreign:
        raise ValidationError({"monitored_queries": "Choose queries of this brand."})
    if not monitor_default_kinds and not monitored_queries:
        raise ValidationError(
            {"monitored_queries": "Choose at least one query, or monitor the default kinds."}
        )
    settings, _ = InboxSettings.objects.get_or_create(brand=brand)
    settings.sla_minutes = sla_minutes
    settings.monitor_default_kinds = monitor_default_kinds
    settings.monitored_queries = sorted(q.pk for q in monitored_queries)
    settings.save()
    return settings


@transaction.atomic
def routing_rule_create(
    *,
    actor: User,
    brand: Brand,
    category: str,
    keywords: str = "",
    sentiment: str = "",
    assignee: User | None = None,
) -> RoutingRule:
    """A new rule, after the brand's others. It needs a condition or an assignee."""
    errors = {}
    if category not in Category.values:
        errors["category"] = "Choose a category."
    if sentiment and sentiment not in Sentiment.values:
        errors["sentiment"] = "Choose negative, neutral or positive."
    keywords = ", ".join(k.strip() for k in (keywords or "").split(",") if k.strip())
    if not keywords and not sentiment and assignee is None:
        errors["keywords"] = "Give a keyword or a sentiment, or choose who gets the category."
    if assignee is not None and not may_be_assigned(assignee, brand):
        errors["assignee"] = f"{assignee.display_name} cannot triage in {brand.name}."
    if errors:
        raise ValidationError(errors)
    last = RoutingRule.objects.filter(brand=brand).order_by("-position").first()
    return RoutingRule.objects.create(
        brand=brand,
        keywords=keywords,
        sentiment=sentiment,
        category=category,
        assignee=assignee,
        position=(last.position + 1) if last else 0,
    )


@transaction.atomic
def routing_rule_delete(*, actor: User, rule: RoutingRule) -> None:
    """Remove a rule; items it routed keep their category and assignee."""
    rule.delete()
