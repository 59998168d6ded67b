"""Inbox items from ingest, priority, routing and the triage services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from listening.inbox import services
from listening.inbox.models import InboxEvent, InboxItem, Priority, Status
from listening.models import Mention
from listening.pipeline import ingest
from tests.factories import UserFactory, grant
from tests.inbox.conftest import post

pytestmark = pytest.mark.django_db


# -- creation from ingest --------------------------------------------------------------


def test_it_creates_one_item_per_mention_of_a_monitored_query(world, feed):
    feed([post(1, "acme rocks"), post(2, "globex rocks"), post(3, "acme and globex")])

    items = InboxItem.objects.filter(brand=world.brand)
    # The competitor query is not monitored by default: only mentions of "acme".
    assert sorted(i.mention.post.external_id for i in items) == ["inbox-1", "inbox-3"]
    assert all(i.status == Status.NEW for i in items)


def test_a_replayed_batch_creates_nothing_twice(world, feed):
    posts = [post(n, f"acme number {n}") for n in range(5)]
    feed(posts)
    feed(posts)
    # The hook itself, replayed with the same mention ids, is a no-op too.
    ids = list(Mention.objects.filter(brand=world.brand).values_list("pk", flat=True))
    services.items_create_for_mentions(ids)
    services.items_create_for_mentions(ids)

    assert InboxItem.objects.filter(brand=world.brand).count() == 5


def test_it_creates_a_batch_in_a_fixed_number_of_queries(world, queries, django_assert_num_queries):
    ingest([post(n, f"acme {n}") for n in range(3)], brand_ids={world.brand.pk})
    small = list(Mention.objects.filter(brand=world.brand).values_list("pk", flat=True))
    ingest([post(n, f"acme {n}") for n in range(3, 60)], brand_ids={world.brand.pk})
    large = list(
        Mention.objects.filter(brand=world.brand).exclude(pk__in=small).values_list("pk", flat=True)
    )

    # Mentions with their matches, settings, routing rules, one insert.
    with django_assert_num_queries(4):
        services.items_create_for_mentions(small)
    with django_assert_num_queries(4):
        services.items_create_for_mentions(large)
    assert InboxItem.objects.filter(brand=world.brand).count() == 60


def test_a_brand_can_monitor_its_own_choice_of_queries(world, queries, feed):
    brand_query, competitor = queries
    services.settings_update(
        actor=world.users["manager"],
        brand=world.brand,
        sla_minutes=60,
        monitor_default_kinds=False,
        monitored_queries=[competitor],
    )
    feed([post(1, "acme rocks"), post(2, "globex rocks")])

    items = InboxItem.objects.filter(brand=world.brand)
    assert [i.mention.post.external_id for i in items] == ["inbox-2"]


def test_settings_refuse_another_brands_query_and_an_empty_choice(world, queries):
    from listening import services as listening_services

    foreign = listening_services.query_create(
        actor=world.foreign_admin, brand=world.foreign_brand, name="X", expression="x"
    )
    with pytest.raises(ValidationError) as exc:
        services.settings_update(
            actor=world.users["manager"],
            brand=world.brand,
            sla_minutes=60,
            monitor_default_kinds=False,
            monitored_queries=[foreign],
        )
    assert "monitored_queries" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.settings_update(
            actor=world.users["manager"],
            brand=world.brand,
            sla_minutes=60,
            monitor_default_kinds=False,
            monitored_queries=[],
        )


def test_an_inbox_failure_never_breaks_an_ingest(world, feed, monkeypatch):
    def boom(ids):
        raise RuntimeError("inbox down")

    monkeypatch.setattr(services, "items_create_for_mentions", boom)
    result = feed([post(1, "acme rocks")])

    assert result.new_mentions == 1
    assert not InboxItem.objects.filter(brand=world.brand).exists()


# -- priority --------------------------------------------------------------------------


def test_negative_far_reaching_questions_rank_first(items):
    question, negative, positive, quiet = items
    ranked = list(InboxItem.objects.filter(brand=question.brand))

    assert ranked == [question, negative, positive, quiet]
    assert question.priority >= 90 > negative.priority
    assert question.priority_label == "Urgent"


def test_the_score_adds_negative_reach_and_question():
    assert services.priority_score(sentiment="negative", reach=0, text="meh") == 50
    assert services.priority_score(sentiment="neutral", reach=999_999, text="meh") == 30
    assert services.priority_score(sentiment="neutral", reach=0, text="Can you help?") == 20
    assert services.priority_score(sentiment="positive", reach=0, text="great") == 0


def test_a_hand_set_priority_is_kept_and_can_be_undone(world, items):
    quiet = items[3]
    services.item_set_priority(actor=world.users["analyst"], item=quiet, priority=Priority.URGENT)
    quiet.refresh_from_db()
    assert (quiet.priority, quiet.priority_override) == (100, 100)
    assert InboxItem.objects.filter(brand=world.brand).first() in (quiet, items[0])

    services.item_set_priority(actor=world.users["analyst"], item=quiet, priority=None)
    quiet.refresh_from_db()
    assert quiet.priority == quiet.priority_auto
    assert quiet.events.filter(kind=InboxEvent.Kind.PRIORITY).count() == 2


# -- routing ---------------------------------------------------------------------------


def test_rules_route_by_keyword_and_sentiment_then_category_to_member(world, queries, feed):
    manager, analyst = world.users["manager"], world.users["analyst"]
    services.routing_rule_create(
        actor=manager, brand=world.brand, category="sales_lead", keywords="price, quote"
    )
    services.routing_rule_create(
        actor=manager, brand=world.brand, category="complaint", sentiment="negative"
    )
    services.routing_rule_create(
        actor=manager, brand=world.brand, category="complaint", assignee=analyst
    )
    feed(
        [
            post(1, "acme what is the PRICE for ten?"),
            post(2, "acme broke again"),
            post(3, "acme is fine"),
        ]
    )
    by_id = {i.mention.post.external_id: i for i in InboxItem.objects.filter(brand=world.brand)}

    assert (by_id["inbox-1"].category, by_id["inbox-1"].assignee) == ("sales_lead", None)
    assert (by_id["inbox-2"].category, by_id["inbox-2"].assignee) == ("complaint", analyst)
    assert by_id["inbox-2"].status == Status.ASSIGNED
    assert (by_id["inbox-3"].category, by_id["inbox-3"].assignee) == ("", None)


def test_a_category_set_by_hand_follows_the_category_rule(world, items):
    analyst = world.users["analyst"]
    services.routing_rule_create(
        actor=world.users["manager"], brand=world.brand, category="crisis", assignee=analyst
    )
    quiet = items[3]
    services.items_set_category(actor=world.users["manager"], items=[quiet], category="crisis")

    quiet.refresh_from_db()
    assert (quiet.category, quiet.assignee, quiet.status) == ("crisis", analyst, "assigned")


def test_a_rule_needs_a_condition_or_an_assignee_and_a_triager(world):
    with pytest.raises(ValidationError) as exc:
        services.routing_rule_create(actor=None, brand=world.brand, category="praise")
    assert "keywords" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.routing_rule_create(
            actor=None, brand=world.brand, category="praise", assignee=world.users["client"]
        )
    assert "assignee" in exc.value.message_dict


# -- triage ----------------------------------------------------------------------------


def test_assigning_moves_open_items_to_assigned_and_records_who(world, items):
    analyst = world.users["analyst"]
    services.items_assign(actor=world.users["manager"], items=items[:2], assignee=analyst)

    for item in items[:2]:
        item.refresh_from_db()
        assert (item.assignee, item.status) == (analyst, Status.ASSIGNED)
        kinds = set(item.events.values_list("kind", flat=True))
        assert kinds == {"assignee", "status"}
        assert item.events.first().actor == world.users["manager"]

    services.items_assign(actor=analyst, items=[items[0]], assignee=None)
    items[0].refresh_from_db()
    assert (items[0].assignee, items[0].status) == (None, Status.NEW)


def test_only_people_who_may_triage_can_hold_items(world, items):
    with pytest.raises(ValidationError):
        services.items_assign(actor=None, items=items, assignee=world.users["client"])
    stranger = UserFactory()
    grant(stranger, world.foreign_brand, "analyst")
    with pytest.raises(ValidationError):
        services.items_assign(actor=None, items=items, assignee=stranger)


def test_the_first_reply_sets_the_first_response_time_once(world, items):
    item = items[0]
    analyst = world.users["analyst"]
    first = item.published_at + timedelta(minutes=42)
    services.item_reply(
        actor=analyst, item=item, text="Sorry! DM us.", url="https://x.test/1", at=first
    )
    services.item_reply(actor=analyst, item=item, text="Fixed.", at=first + timedelta(hours=3))

    item.refresh_from_db()
    assert item.status == Status.REPLIED
    assert item.first_response_at == first
    assert item.response_seconds == 42 * 60
    assert item.response_display == "42 min"
    assert (item.reply_text, item.replied_by) == ("Fixed.", analyst)


def test_a_reply_needs_text_and_a_web_link(world, items):
    with pytest.raises(ValidationError) as exc:
        services.item_reply(actor=None, item=items[0], text=" ", url="javascript:alert(1)")
    assert set(exc.value.message_dict) == {"text", "url"}


def test_notes_and_status_changes_make_the_history(world, items):
    item, analyst = items[0], world.users["analyst"]
    services.item_add_note(actor=analyst, item=item, text="Customer since 2019.")
    services.items_set_status(actor=analyst, items=[item], status="closed")
    services.items_set_status(actor=analyst, items=[item], status="closed")  # no change

    assert item.notes.get().text == "Customer since 2019."
    assert [(e.kind, e.to_value) for e in item.events.order_by("id")] == [
        ("note", "Customer since 2019."),
        ("status", "Closed"),
    ]
    with pytest.raises(ValidationError):
        services.items_set_status(actor=analyst, items=[item], status="solved")


def test_new_rules_can_be_applied_to_open_uncategorized_items(world, items):
    analyst = world.users["analyst"]
    services.routing_rule_create(
        actor=world.users["manager"], brand=world.brand, category="praise", keywords="love it"
    )
    services.routing_rule_create(
        actor=world.users["manager"], brand=world.brand, category="praise", assignee=analyst
    )
    services.items_set_status(actor=analyst, items=[items[3]], status="closed")

    assert services.items_route_open(actor=None, brand=world.brand) == 1
    positive = InboxItem.objects.get(pk=items[2].pk)
    assert (positive.category, positive.assignee, positive.status) == (
        "praise",
        analyst,
        "assigned",
    )
