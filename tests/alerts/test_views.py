"""The alerts pages per role, the rule forms, the bell and its read state."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from listening.alerts import services
from listening.alerts.models import Alert, AlertRead, AlertRule
from socialhub.models import AuditEvent
from tests.alerts.conftest import NOW
from tests.audit import recorded

pytestmark = pytest.mark.django_db


def url(name: str, brand, **kwargs) -> str:
    return reverse(f"alerts:{name}", kwargs={"brand_slug": brand.slug, **kwargs})


def make_rule(world, brand=None, **fields) -> AlertRule:
    brand = brand or world.brand
    actor = world.users["admin"] if brand == world.brand else world.foreign_admin
    fields = {"name": "Recall", "kind": "keyword", "keyword": "recall", "min_count": 1, **fields}
    return services.alert_rule_create(actor=actor, brand=brand, **fields)


def fire(rule: AlertRule, n: int = 1, **fields) -> list[Alert]:
    """Alerts of ``rule`` as evaluation stores them (the numbers do not matter here)."""
    return [
        Alert.objects.create(
            brand_id=rule.brand_id,
            rule=rule,
            kind=rule.kind,
            fired_at=timezone.now(),
            window_start=NOW,
            window_end=NOW,
            threshold=2,
            observed_value=3,
            mention_count=3,
            explanation=f"3 mentions said “recall” (#{i}).",
            link_params={"days": "", "start": "2026-03-10", "end": "2026-03-10", "q": "recall"},
            **fields,
        )
        for i in range(n)
    ]


# -- the history -----------------------------------------------------------------------


def test_it_lists_alerts_with_their_explanation_and_link(world):
    [alert] = fire(make_rule(world))
    response = world.client_for("client").get(url("alert_list", world.brand))

    assert response.status_code == 200
    html = response.content.decode()
    assert "3 mentions said “recall” (#0)." in html
    assert (
        "/b/acme-test/mentions/?days=&amp;start=2026-03-10&amp;end=2026-03-10&amp;q=recall" in html
    )
    assert f'href="/b/acme-test/alerts/{alert.pk}/"' in html


def test_it_filters_by_rule_kind_and_acknowledged(world):
    recall = make_rule(world)
    spike = make_rule(world, name="Spike", kind="volume_spike", threshold=3)
    fire(recall)
    fire(spike)
    [acked] = fire(spike, acknowledged_at=NOW)
    client = world.client_for("analyst")

    def shown(**params):
        response = client.get(url("alert_list", world.brand), params)
        return {a.pk for a in response.context["alerts"]}

    assert len(shown()) == 3
    assert shown(rule=recall.pk) == set(recall.alerts.values_list("pk", flat=True))
    assert shown(kind="volume_spike") == set(spike.alerts.values_list("pk", flat=True))
    assert shown(acknowledged="yes") == {acked.pk}
    assert len(shown(acknowledged="no")) == 2


def test_a_bad_filter_is_ignored_with_a_message(world):
    fire(make_rule(world))
    response = world.client_for("analyst").get(
        url("alert_list", world.brand), {"rule": "9999", "kind": "nonsense"}
    )
    assert response.status_code == 200
    assert len(response.context["alerts"]) == 1
    assert "This filter was ignored." in response.content.decode()


def test_it_says_when_there_are_no_rules_yet(world):
    response = world.client_for("manager").get(url("alert_list", world.brand))
    assert "No alert rules yet." in response.content.decode()


def test_the_detail_page_explains_the_alert(world):
    [alert] = fire(make_rule(world))
    response = world.client_for("client").get(url("alert_detail", world.brand, pk=alert.pk))
    html = response.content.decode()
    assert response.status_code == 200
    for words in ("Window", "Baseline", "Threshold", "Observed", "mentions behind it"):
        assert words in html


def test_an_analyst_acknowledges_an_alert(world):
    [alert] = fire(make_rule(world))
    response = world.client_for("analyst").post(url("alert_acknowledge", world.brand, pk=alert.pk))

    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.users["analyst"]
    page = world.client_for("manager").get(url("alert_list", world.brand)).content.decode()
    assert "Acknowledged by" in page


def test_client_reads_alerts_but_cannot_acknowledge(world):
    [alert] = fire(make_rule(world))
    client = world.client_for("client")

    assert client.get(url("alert_list", world.brand)).status_code == 200
    page = client.get(url("alert_list", world.brand)).content.decode()
    assert ">Acknowledge</button>" not in page
    assert client.post(url("alert_acknowledge", world.brand, pk=alert.pk)).status_code == 403
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_client_cannot_see_or_edit_rules(world):
    rule = make_rule(world)
    client = world.client_for("client")
    assert client.get(url("alertrule_list", world.brand)).status_code == 403
    assert client.post(url("alertrule_create", world.brand), {"name": "x"}).status_code == 403
    assert client.post(url("alertrule_delete", world.brand, pk=rule.pk)).status_code == 403
    assert AlertRule.objects.filter(pk=rule.pk).exists()


def test_it_checks_ownership_of_alerts_and_rules(world):
    foreign_rule = make_rule(world, brand=world.foreign_brand)
    [foreign_alert] = fire(foreign_rule)
    manager = world.client_for("manager")

    # Another brand's objects through our brand's URLs: 404.
    assert manager.get(url("alert_detail", world.brand, pk=foreign_alert.pk)).status_code == 404
    assert (
        manager.post(url("alert_acknowledge", world.brand, pk=foreign_alert.pk)).status_code == 404
    )
    assert manager.get(url("alertrule_update", world.brand, pk=foreign_rule.pk)).status_code == 404
    assert manager.post(url("alertrule_delete", world.brand, pk=foreign_rule.pk)).status_code == 404
    # Another brand's pages: 404.
    assert manager.get(url("alert_list", world.foreign_brand)).status_code == 404
    outsider = world.client_for(world.outsider)
    assert outsider.get(url("alert_list", world.brand)).status_code == 404
    foreign_rule.refresh_from_db()
    assert foreign_alert.acknowledged_at is None


# -- the rule forms --------------------------------------------------------------------


def rule_data(**overrides) -> dict:
    data = {
        "name": "Spike",
        "kind": "volume_spike",
        "query": "",
        "method": "ratio",
        "threshold": "3",
        "min_count": "10",
        "keyword": "",
        "window_hours": "6",
        "baseline_days": "7",
        "cooldown_hours": "24",
        "is_active": "on",
    }
    return {**data, **overrides}


def test_a_manager_adds_and_edits_a_rule(world):
    client = world.client_for("manager")
    analyst = world.users["analyst"]
    response = client.post(url("alertrule_create", world.brand), rule_data(recipients=[analyst.pk]))
    assert response.status_code == 302
    rule = AlertRule.objects.get(brand=world.brand)
    assert rule.kind == "volume_spike" and list(rule.recipients.all()) == [analyst]

    page = client.get(url("alertrule_list", world.brand)).content.decode()
    assert "Spike" in page and analyst.display_name in page

    response = client.post(
        url("alertrule_update", world.brand, pk=rule.pk),
        rule_data(threshold="4.5", recipients=[]),
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.threshold == 4.5 and rule.recipients.count() == 0

    response = client.post(url("alertrule_delete", world.brand, pk=rule.pk))
    assert response.status_code == 302 and not AlertRule.objects.exists()


def test_the_rule_form_audits_what_changed_though_it_fills_the_rule_first(world):
    client = world.client_for("manager")
    client.post(url("alertrule_create", world.brand), rule_data())
    rule = AlertRule.objects.get(brand=world.brand)

    with recorded() as events:
        client.post(url("alertrule_update", world.brand, pk=rule.pk), rule_data(threshold="4.5"))

    [event] = events
    assert (event.action, event.actor) == (
        AuditEvent.Action.ALERT_RULE_UPDATED,
        world.users["manager"],
    )
    assert event.detail["changes"] == ["threshold"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"kind": "keyword", "keyword": ""}, "keyword", "Write the word or phrase"),
        ({"kind": "negative_share", "threshold": "150"}, "threshold", "between 0 and 100"),
        ({"kind": "influencer", "threshold": "0"}, "threshold", "follower count"),
        ({"threshold": "abc"}, "threshold", "Enter a number."),
        ({"window_hours": "0"}, "window_hours", "greater than or equal to 1"),
        ({"window_hours": "500"}, "window_hours", "less than or equal to 168"),
        ({"window_hours": "48", "baseline_days": "1"}, "baseline_days", "at least one window"),
        ({"cooldown_hours": "0"}, "cooldown_hours", "greater than or equal to 1"),
        ({"kind": "bogus"}, "kind", "Select a valid choice."),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_a_rule_form_says_which_field_is_wrong(world, overrides, field, message):
    response = world.client_for("analyst").post(
        url("alertrule_create", world.brand), rule_data(**overrides)
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert any(message in e for e in form.errors[field]), form.errors[field]
    assert not AlertRule.objects.exists()


def test_a_rule_name_is_unique_per_brand(world):
    make_rule(world, name="Spike", kind="volume_spike", threshold=3)
    response = world.client_for("analyst").post(
        url("alertrule_create", world.brand), rule_data(name="spike")
    )
    assert (
        "Another alert rule of this brand has this name." in response.context["form"].errors["name"]
    )


def test_a_rule_cannot_use_another_brands_query_or_people(world):
    from listening import services as listening_services

    foreign_query = listening_services.query_create(
        actor=world.foreign_admin, brand=world.foreign_brand, name="Theirs", expression="theirs"
    )
    response = world.client_for("analyst").post(
        url("alertrule_create", world.brand),
        rule_data(query=foreign_query.pk, recipients=[world.foreign_manager.pk]),
    )
    errors = response.context["form"].errors
    assert "query" in errors and "recipients" in errors
    assert not AlertRule.objects.exists()


# -- the bell --------------------------------------------------------------------------


def bell(client, path="/") -> int:
    response = client.get(path)
    return response.context["alert_bell"].count


def test_the_bell_counts_unread_alerts_per_person(world):
    fire(make_rule(world), n=3)
    fire(make_rule(world, brand=world.foreign_brand))  # never counted here
    analyst, manager = world.client_for("analyst"), world.client_for("manager")
    home = reverse("socialhub:brand_home", kwargs={"brand_slug": world.brand.slug})

    assert bell(analyst, home) == 3
    html = analyst.get(home).content.decode()
    assert 'class="alert-bell-count">3<' in html
    assert 'href="/b/acme-test/alerts/"' in html

    analyst.get(url("alert_list", world.brand))  # seeing the list reads them
    assert bell(analyst, home) == 0
    assert bell(manager, home) == 3  # read state is per person
    assert AlertRead.objects.filter(user=world.users["analyst"]).count() == 3


def test_new_alerts_are_marked_once(world):
    fire(make_rule(world))
    client = world.client_for("client")
    first = client.get(url("alert_list", world.brand))
    second = client.get(url("alert_list", world.brand))
    assert [a.is_new for a in first.context["alerts"]] == [True]
    assert [a.is_new for a in second.context["alerts"]] == [False]


def test_opening_an_alert_or_marking_all_reads_them(world):
    alerts = fire(make_rule(world), n=3)
    client = world.client_for("client")
    client.get(url("alert_detail", world.brand, pk=alerts[0].pk))
    assert bell(client) == 2
    client.post(url("alert_mark_all_read", world.brand))
    assert bell(client) == 0


def test_the_bell_costs_one_query_and_only_where_it_is_shown(world):
    fire(make_rule(world), n=2)
    fire(make_rule(world, name="Other"), n=2)
    client = world.client_for("analyst")

    with CaptureQueriesContext(connection) as page:
        response = client.get(reverse("home"))
    assert 'class="alert-bell-count">4<' in response.content.decode()
    assert len([q for q in page.captured_queries if "alerts_alert" in q["sql"]]) == 1

    with CaptureQueriesContext(connection) as api:
        client.get(reverse("api:me"))
    assert not [q for q in api.captured_queries if "alerts_alert" in q["sql"]]


# -- query counts ----------------------------------------------------------------------

# Session, user, the brand (admin check, brand, admin again and role: the page frame);
# the rules for the filter; the count and the page of alerts with their brand, rule and
# acknowledger; which of them the user has read; marking the new ones read; the brand
# switcher; the bell (one query); the agencies the user administers.
EXPECTED_LIST_QUERIES = 14


def test_the_alert_list_runs_a_fixed_number_of_queries(world):
    client = world.client_for("analyst")
    rule = make_rule(world)
    fire(rule)
    with CaptureQueriesContext(connection) as small:
        client.get(url("alert_list", world.brand))
    other = make_rule(world, name="Spike", kind="volume_spike", threshold=3)
    fire(rule, 10)
    fire(other, 10, acknowledged_by=world.users["manager"], acknowledged_at=NOW)
    with CaptureQueriesContext(connection) as larger:
        response = client.get(url("alert_list", world.brand))

    assert len(response.context["alerts"]) == 21
    assert len(larger.captured_queries) == len(small.captured_queries), [
        q["sql"] for q in larger.captured_queries
    ]
    assert len(larger.captured_queries) == EXPECTED_LIST_QUERIES, [
        q["sql"] for q in larger.captured_queries
    ]


def test_the_rule_list_runs_a_fixed_number_of_queries(world):
    client = world.client_for("manager")
    make_rule(world, recipients=[world.users["manager"]])
    with CaptureQueriesContext(connection) as small:
        client.get(url("alertrule_list", world.brand))
    for n in range(8):
        make_rule(world, name=f"Rule {n}", recipients=[world.users["analyst"]])
    with CaptureQueriesContext(connection) as larger:
        client.get(url("alertrule_list", world.brand))
    assert len(larger.captured_queries) == len(small.captured_queries)


def test_alert_pages_show_times_in_the_brands_time_zone(world):
    world.brand.timezone = "Asia/Tokyo"
    world.brand.save(update_fields=["timezone"])
    [alert] = fire(make_rule(world))  # window_start = window_end = 12:30 UTC on 10 March
    client = world.client_for("analyst")

    detail = client.get(url("alert_detail", world.brand, pk=alert.pk)).content.decode()
    assert "Mar 10, 2026 21:30 to Mar 10, 2026 21:30 JST" in detail
    listing = client.get(url("alert_list", world.brand)).content.decode()
    assert "JST</time>" in listing
