"""The inbox pages as the people who use them see them: the list with filters, metrics
and bulk actions, an item's page, the settings."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from listening.inbox import services
from listening.inbox.models import InboxItem, RoutingRule, Status
from tests.inbox.conftest import post

pytestmark = pytest.mark.django_db


def url(name: str, brand, **kwargs) -> str:
    return reverse(f"inbox:{name}", kwargs={"brand_slug": brand.slug, **kwargs})


def shown(response) -> list[str]:
    return [i.mention.post.external_id for i in response.context["items"]]


def flash(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# -- the list --------------------------------------------------------------------------


def test_it_lists_open_items_by_priority_with_negative_ones_marked(world, items):
    response = world.client_for("analyst").get(url("item_list", world.brand))

    assert response.status_code == 200
    assert shown(response) == ["inbox-1", "inbox-2", "inbox-3", "inbox-4"]
    html = response.content.decode()
    assert html.count("inbox-row sentiment-negative") == 2
    assert "Keyboard shortcuts" in html
    assert "Apply to ticked" in html


def test_a_client_sees_the_inbox_but_cannot_triage(world, items):
    client = world.client_for("client")
    response = client.get(url("item_list", world.brand))

    assert response.status_code == 200
    assert len(shown(response)) == 4
    assert "Apply to ticked" not in response.content.decode()
    post_data = {"action": "status", "status": "closed", "items": [items[0].pk]}
    assert client.post(url("item_list", world.brand), post_data).status_code == 403
    assert client.get(url("item_detail", world.brand, pk=items[0].pk)).status_code == 200
    detail_post = {"action": "status", "status": "closed"}
    response = client.post(url("item_detail", world.brand, pk=items[0].pk), detail_post)
    assert response.status_code == 403
    items[0].refresh_from_db()
    assert items[0].status == Status.NEW


def test_another_brands_inbox_and_items_are_not_found(world, items):
    foreign = world.client_for(world.foreign_manager)
    assert foreign.get(url("item_list", world.brand)).status_code == 404
    assert foreign.get(url("item_detail", world.brand, pk=items[0].pk)).status_code == 404
    # Their own brand's URL with our item: not found either.
    own = url("item_detail", world.foreign_brand, pk=items[0].pk)
    assert foreign.get(own).status_code == 404
    assert foreign.post(own, {"action": "status", "status": "closed"}).status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"sentiment": "negative"}, ["inbox-1", "inbox-2"]),
        ({"platform": "mastodon"}, ["inbox-4"]),
        ({"q": "headphones"}, ["inbox-3"]),
        ({"status": "closed"}, []),
        ({"category": "none"}, ["inbox-1", "inbox-2", "inbox-3", "inbox-4"]),
        ({"category": "praise"}, []),
        ({"assignee": "none"}, ["inbox-1", "inbox-2", "inbox-3", "inbox-4"]),
        ({"assignee": "me"}, []),
        ({"days": "1"}, ["inbox-1", "inbox-2", "inbox-3", "inbox-4"]),
    ],
)
def test_it_filters(world, items, query, expected):
    response = world.client_for("analyst").get(url("item_list", world.brand), query)

    assert response.status_code == 200
    assert shown(response) == expected


def test_it_filters_by_assignee_status_and_category_after_triage(world, items):
    analyst = world.users["analyst"]
    services.items_assign(actor=analyst, items=[items[2]], assignee=analyst)
    services.items_set_category(actor=analyst, items=[items[2]], category="praise")
    services.items_set_status(actor=analyst, items=[items[3]], status="ignored")
    client = world.client_for("analyst")

    assert shown(client.get(url("item_list", world.brand), {"assignee": "me"})) == ["inbox-3"]
    assert shown(client.get(url("item_list", world.brand), {"assignee": analyst.pk})) == ["inbox-3"]
    assert shown(client.get(url("item_list", world.brand), {"category": "praise"})) == ["inbox-3"]
    assert shown(client.get(url("item_list", world.brand), {"status": "ignored"})) == ["inbox-4"]
    # Open (the default) leaves the ignored item out; "all" brings it back.
    assert "inbox-4" not in shown(client.get(url("item_list", world.brand)))
    assert len(shown(client.get(url("item_list", world.brand), {"status": "all"}))) == 4


@pytest.mark.parametrize(
    "query",
    [
        {"status": "solved"},
        {"sentiment": "furious"},
        {"platform": "myspace"},
        {"assignee": "999999"},
        {"category": "gossip"},
        {"days": "7000"},
        {"start": "not-a-date"},
        {"start": "2026-05-10", "end": "2026-05-01"},
        {"start": "2000-01-01", "end": "2026-01-01"},
        {"page": "lots"},
    ],
)
def test_unknown_filter_values_say_so_instead_of_failing(world, items, query):
    response = world.client_for("analyst").get(url("item_list", world.brand), query)

    assert response.status_code == 200
    if "page" not in query:
        assert "This filter was ignored." in response.content.decode()
    assert len(shown(response)) == 4  # the bad filter is ignored, the rest applies


def test_it_shows_the_response_metrics(world, items):
    services.item_reply(actor=world.users["analyst"], item=items[0], text="On it.")
    response = world.client_for("client").get(url("item_list", world.brand))

    metrics = response.context["metrics"]
    assert metrics.responded == 1
    html = response.content.decode()
    assert "Median first response" in html
    assert "Answered within the 4 h SLA" in html
    assert "Open backlog by age" in html


def test_the_list_runs_a_fixed_number_of_queries(world, feed):
    client = world.client_for("analyst")
    feed([post(n, f"acme {n}") for n in range(2)])
    client.get(url("item_list", world.brand))  # the first request of a session records it
    with CaptureQueriesContext(connection) as small:
        assert client.get(url("item_list", world.brand)).status_code == 200
    feed([post(n, f"acme broke again {n}?", reach=n * 100) for n in range(2, 40)])
    analyst = world.users["analyst"]
    some = list(InboxItem.objects.filter(brand=world.brand)[:10])
    services.items_assign(actor=analyst, items=some[:5], assignee=analyst)
    services.items_assign(actor=analyst, items=some[5:], assignee=world.users["manager"])
    services.items_set_category(actor=analyst, items=some[:3], category="complaint")
    with CaptureQueriesContext(connection) as large:
        response = client.get(url("item_list", world.brand))

    assert len(response.context["items"]) == 40
    # The page frame (session, user, brand, role), assignees, the count, the page of
    # items with their mentions, posts, authors and assignees, the new count, and the
    # metrics (settings, response times, SLA counts, backlog).
    assert len(large.captured_queries) == len(small.captured_queries), [
        q["sql"] for q in large.captured_queries
    ]


# -- bulk actions and shortcuts --------------------------------------------------------


def test_bulk_actions_assign_set_status_and_categorize(world, items):
    client = world.client_for("analyst")
    analyst = world.users["analyst"]
    back = url("item_list", world.brand) + "?sentiment=negative"
    ids = [items[0].pk, items[1].pk]

    response = client.post(
        url("item_list", world.brand),
        {"action": "assign", "assignee": "me", "items": ids, "back": back},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == back
    assert "Assigned 2 items to you." in flash(response)
    response = client.post(
        url("item_list", world.brand),
        {"action": "category", "category": "complaint", "items": ids},
        follow=True,
    )
    assert "Set 2 items to Complaint." in flash(response)
    client.post(
        url("item_list", world.brand), {"action": "status", "status": "closed", "items": ids[:1]}
    )

    first, second = (InboxItem.objects.get(pk=pk) for pk in ids)
    assert (first.assignee, first.category, first.status) == (analyst, "complaint", "closed")
    assert (second.assignee, second.category, second.status) == (analyst, "complaint", "assigned")


def test_bulk_actions_explain_what_is_missing_and_skip_foreign_items(world, items):
    client = world.client_for("analyst")
    response = client.post(url("item_list", world.brand), {}, follow=True)
    assert response.status_code == 200
    assert any("Tick at least one item." in m for m in flash(response))

    response = client.post(
        url("item_list", world.brand), {"action": "assign", "items": [items[0].pk]}, follow=True
    )
    assert any("Choose who gets the items." in m for m in flash(response))

    other = InboxItem(
        brand=world.foreign_brand, mention=items[0].mention, published_at=items[0].published_at
    )
    response = client.post(
        url("item_list", world.brand),
        {"action": "status", "status": "closed", "items": [999999]},
        follow=True,
    )
    assert "None of those items is in this inbox." in flash(response)
    del other


def test_a_foreign_assignee_is_refused_in_bulk(world, items):
    response = world.client_for("analyst").post(
        url("item_list", world.brand),
        {"action": "assign", "assignee": world.foreign_manager.pk, "items": [items[0].pk]},
        follow=True,
    )
    assert any("Assignee" in m for m in flash(response))
    items[0].refresh_from_db()
    assert items[0].assignee is None


# -- an item ---------------------------------------------------------------------------


def test_an_item_page_shows_the_mention_author_reach_and_link(world, items):
    response = world.client_for("client").get(url("item_detail", world.brand, pk=items[0].pk))

    html = response.content.decode()
    assert "how do I get a refund?" in html
    assert "@person1" in html
    assert "500,000" in html
    assert 'href="https://example.com/p/1"' in html
    assert "Record reply" not in html  # clients read only


@pytest.mark.parametrize("role", ["admin", "manager", "analyst"])
def test_each_triaging_role_can_assign_categorize_note_reply_and_close(world, items, role):
    client = world.client_for(role)
    user = world.users[role]
    item = items[1]
    page = url("item_detail", world.brand, pk=item.pk)

    client.post(page, {"action": "assign", "assignee": user.pk})
    client.post(page, {"action": "category", "category": "customer_care"})
    client.post(page, {"action": "priority", "priority": "75"})
    client.post(page, {"action": "note", "text": "VIP customer."})
    response = client.post(
        page,
        {"action": "reply", "text": "Sorry! Sent you a DM.", "url": "https://x.test/r/1"},
        follow=True,
    )
    assert any(m.startswith("Reply recorded; first response after") for m in flash(response))
    client.post(page, {"action": "status", "status": "closed"})

    item.refresh_from_db()
    assert (item.assignee, item.category, item.priority, item.status) == (
        user,
        "customer_care",
        75,
        "closed",
    )
    assert item.first_response_at is not None
    assert item.notes.get().text == "VIP customer."
    response = client.get(page)
    html = response.content.decode()
    assert "First response" in html and item.response_display in html
    assert "VIP customer." in html
    assert "Closed" in html


def test_bad_triage_input_says_which_field_is_wrong(world, items):
    client = world.client_for("analyst")
    page = url("item_detail", world.brand, pk=items[0].pk)

    response = client.post(page, {"action": "reply", "text": "", "url": "nope nope"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = client.post(page, {"action": "status", "status": "solved"}, follow=True)
    assert any("Select a valid choice" in m for m in flash(response))
    response = client.post(page, {"action": "explode"}, follow=True)
    assert "Choose what to change." in flash(response)
    response = client.post(
        page, {"action": "assign", "assignee": world.users["client"].pk}, follow=True
    )
    assert any("Select a valid choice" in m for m in flash(response))
    items[0].refresh_from_db()
    assert (items[0].status, items[0].assignee) == ("new", None)


# -- settings --------------------------------------------------------------------------


def test_a_manager_sets_the_sla_monitored_queries_and_rules(world, queries):
    client = world.client_for("manager")
    brand_query, competitor = queries
    page = url("settings", world.brand)

    response = client.post(
        page,
        {"form": "settings", "sla_hours": "1.5", "monitored_queries": [competitor.pk]},
        follow=True,
    )
    assert "Inbox settings saved." in flash(response)
    response = client.post(
        page,
        {
            "form": "rule",
            "keywords": "refund, broken",
            "sentiment": "",
            "category": "complaint",
            "assignee": world.users["analyst"].pk,
        },
        follow=True,
    )
    assert "Routing rule added; it applies to new items." in flash(response)
    html = response.content.decode()
    assert "If it mentions “refund” or “broken”: Complaint" in html

    response = client.post(page, {"form": "apply"}, follow=True)
    assert "Rules applied: 0 open items routed." in flash(response)
    settings = response.context["settings"]
    assert (settings.sla_minutes, settings.monitor_default_kinds) == (90, False)
    assert settings.monitored_queries == [competitor.pk]
    rule = RoutingRule.objects.get(brand=world.brand)
    client.post(url("routingrule_delete", world.brand, pk=rule.pk))
    assert not RoutingRule.objects.filter(brand=world.brand).exists()


def test_settings_say_what_is_wrong(world, queries):
    client = world.client_for("analyst")
    page = url("settings", world.brand)

    response = client.post(page, {"form": "settings", "sla_hours": "-1"})
    assert response.status_code == 200
    assert "sla_hours" in response.context["form"].errors
    response = client.post(page, {"form": "settings", "sla_hours": "4"})
    assert "monitored_queries" in response.context["form"].errors
    response = client.post(page, {"form": "rule", "category": "praise"})
    assert response.status_code == 400
    assert "Give a keyword or a sentiment" in response.content.decode()


def test_clients_cannot_open_the_settings(world):
    assert world.client_for("client").get(url("settings", world.brand)).status_code == 403


def test_inbox_and_mention_pages_show_times_in_the_brands_time_zone(world, items):
    from zoneinfo import ZoneInfo

    world.brand.timezone = "Asia/Tokyo"
    world.brand.save(update_fields=["timezone"])
    item = items[0]
    local = item.published_at.astimezone(ZoneInfo("Asia/Tokyo"))
    shown_at = f"{local:%b} {local.day}, {local:%Y %H:%M} JST"
    client = world.client_for("analyst")

    detail = client.get(url("item_detail", world.brand, pk=item.pk)).content.decode()
    assert shown_at in detail
    stream = reverse("listening:mention_list", kwargs={"brand_slug": world.brand.slug})
    assert shown_at in client.get(stream).content.decode()
