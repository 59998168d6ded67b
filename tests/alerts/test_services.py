"""One alert per incident; after each batch and on the schedule; email to the chosen
members only, once the transaction commits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from listening.alerts import services, tasks
from listening.alerts.models import Alert
from socialhub.models import AuditEvent
from tests.alerts.conftest import HOUR, NOW, make_post
from tests.audit import recorded
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def keyword_rule(world, **fields):
    fields = {
        "name": "Recall",
        "kind": "keyword",
        "keyword": "recall",
        "min_count": 1,
        "window_hours": 6,
        "cooldown_hours": 3,
        **fields,
    }
    return services.alert_rule_create(actor=world.users["manager"], brand=world.brand, **fields)


def test_an_incident_alerts_once_while_it_lasts_and_again_after_clearing(world, plant):
    plant({h: 1 for h in range(6, 6 + 168)})
    plant({h: 5 for h in range(6)})
    rule = services.alert_rule_create(
        actor=world.users["manager"],
        brand=world.brand,
        name="Spike",
        kind="volume_spike",
        threshold=3,
        min_count=10,
        cooldown_hours=24,
    )

    first = services.alert_rule_evaluate(rule=rule, now=NOW)
    assert len(first) == 1
    # Same incident, evaluated again by the next batch and the schedule: no repeat.
    assert services.alert_rule_evaluate(rule=rule, now=NOW + HOUR / 6) == []
    assert services.alert_rule_evaluate(rule=rule, now=NOW + HOUR / 2) == []
    # The window moves past the spike: the incident clears.
    assert services.alert_rule_evaluate(rule=rule, now=NOW + 8 * HOUR) == []
    first[0].refresh_from_db()
    assert first[0].cleared_at == NOW + 8 * HOUR
    # A new spike later is a new incident, cool-down or not.
    plant({h: 5 for h in range(6)}, now=NOW + 10 * HOUR)
    again = services.alert_rule_evaluate(rule=rule, now=NOW + 10 * HOUR)
    assert len(again) == 1 and again[0].pk != first[0].pk
    assert Alert.objects.count() == 2


def test_a_lasting_incident_alerts_again_after_the_cool_down(world, hear):
    hear([make_post(f"acme recall day {n}", at=NOW + n * HOUR) for n in range(6)])
    rule = keyword_rule(world, cooldown_hours=3)

    assert len(services.alert_rule_evaluate(rule=rule, now=NOW + HOUR)) == 1
    assert services.alert_rule_evaluate(rule=rule, now=NOW + 2 * HOUR) == []
    assert services.alert_rule_evaluate(rule=rule, now=NOW + 3 * HOUR) == []
    # Still going 3 hours after it fired: the cool-down has passed, tell people again.
    [again] = services.alert_rule_evaluate(rule=rule, now=NOW + 4 * HOUR)
    first = Alert.objects.exclude(pk=again.pk).get()
    assert first.cleared_at == NOW + 4 * HOUR and again.cleared_at is None


def test_an_inactive_rule_is_not_evaluated(world, hear):
    hear([make_post("acme recall", at=NOW - HOUR)])
    keyword_rule(world, is_active=False)

    assert services.brand_alerts_evaluate(brand_id=world.brand.pk, now=NOW) == []


def test_it_evaluates_after_each_ingest_batch(world, hear, committed):
    keyword_rule(world)
    now = datetime.now(UTC)

    with committed():
        hear([make_post("acme is fine", at=now - HOUR)], now=now)
    assert Alert.objects.count() == 0

    with committed():
        hear([make_post("acme recall announced", at=now - HOUR)], now=now)
    alert = Alert.objects.get()
    assert "said “recall”" in alert.explanation

    # A batch without the keyword decides nothing: the incident stays open.
    with committed():
        hear([make_post("acme is still fine", at=now - HOUR)], now=now)
    alert.refresh_from_db()
    assert alert.is_open and Alert.objects.count() == 1


def test_a_batch_of_old_mentions_does_not_fire(world, hear, committed):
    keyword_rule(world)
    now = datetime.now(UTC)
    with committed():
        hear([make_post("acme recall back in the day", at=now - 72 * HOUR)], now=now)
    assert Alert.objects.count() == 0


def test_the_schedule_evaluates_every_brand_with_active_rules(world, hear):
    now = datetime.now(UTC)
    hear([make_post("acme recall", at=now - HOUR)], now=now)
    keyword_rule(world)

    assert tasks.evaluate_all() == 1
    assert Alert.objects.filter(brand=world.brand).count() == 1


def test_email_goes_to_the_chosen_members_only(world, hear, committed, mailoutbox):
    hear([make_post("acme recall", at=NOW - HOUR)])
    manager, analyst = world.users["manager"], world.users["analyst"]
    rule = keyword_rule(world, recipients=[manager, world.users["admin"]])

    with committed():
        [alert] = services.alert_rule_evaluate(rule=rule, now=NOW)

    assert sorted(m.to[0] for m in mailoutbox) == sorted([manager.email, "admin@alpha.test"])
    assert analyst.email not in {m.to[0] for m in mailoutbox}
    mail = mailoutbox[0]
    assert mail.subject == "[Acme Test] Alert: Recall"
    assert alert.explanation in mail.body
    assert f"/b/acme-test/alerts/{alert.pk}/" in mail.body
    assert "/b/acme-test/mentions/?" in mail.body and "q=recall" in mail.body
    assert mail.content_subtype == "plain" and not getattr(mail, "alternatives", None)


def test_no_email_before_the_transaction_commits(world, hear, mailoutbox):
    hear([make_post("acme recall", at=NOW - HOUR)])
    rule = keyword_rule(world, recipients=[world.users["manager"]])
    services.alert_rule_evaluate(rule=rule, now=NOW)  # the test's transaction never commits
    assert mailoutbox == []


def test_a_member_who_left_is_not_emailed(world, hear, committed, mailoutbox):
    from socialhub import services as core_services

    hear([make_post("acme recall", at=NOW - HOUR)])
    analyst = world.users["analyst"]
    rule = keyword_rule(world, recipients=[analyst])
    core_services.membership_set_role(actor=None, brand=world.brand, user=analyst, role=None)

    with committed():
        services.alert_rule_evaluate(rule=rule, now=NOW)
    assert mailoutbox == []


def test_only_members_of_the_brand_can_be_recipients(world):
    stranger = UserFactory(email="stranger@example.test")
    with pytest.raises(ValidationError) as exc:
        keyword_rule(world, recipients=[stranger, world.foreign_manager])
    assert "stranger@example.test" in exc.value.message_dict["recipients"][0]


def test_acknowledging_records_who_and_when_once(world):
    rule = keyword_rule(world)
    alert = Alert.objects.create(
        brand=world.brand,
        rule=rule,
        kind=rule.kind,
        window_start=NOW,
        window_end=NOW,
        threshold=1,
        observed_value=1,
        explanation="x",
    )
    services.alert_acknowledge(actor=world.users["analyst"], alert=alert)
    services.alert_acknowledge(actor=world.users["manager"], alert=alert)
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.users["analyst"]
    assert alert.acknowledged_at is not None


# -- audit -------------------------------------------------------------------------------


def test_it_audits_a_new_alert_rule(world):
    with recorded() as events:
        keyword_rule(world)

    [event] = events
    assert (event.action, event.actor, event.brand) == (
        AuditEvent.Action.ALERT_RULE_CREATED,
        world.users["manager"],
        world.brand,
    )
    assert event.detail == {"name": "Recall", "kind": "keyword"}
    assert event.summary == "keyword alert rule “Recall” in Acme Test"


def test_it_audits_the_fields_and_recipients_an_alert_rule_change_touched(world):
    rule = keyword_rule(world)

    with recorded() as events:
        services.alert_rule_update(
            actor=world.users["admin"],
            rule=rule,
            recipients=[world.users["analyst"]],
            name="Recall",
            keyword="product recall",
            window_hours=6,
        )

    [event] = events
    assert (event.action, event.actor) == (
        AuditEvent.Action.ALERT_RULE_UPDATED,
        world.users["admin"],
    )
    assert event.detail["changes"] == ["keyword", "recipients"]
    assert event.summary == "keyword alert rule “Recall” in Acme Test: changed keyword, recipients"


def test_it_audits_nothing_when_an_alert_rule_is_saved_unchanged(world):
    rule = keyword_rule(world)

    with recorded() as events:
        services.alert_rule_update(
            actor=world.users["admin"], rule=rule, recipients=[], name="Recall", min_count=1
        )

    assert events == []


def test_a_refused_alert_rule_change_leaves_no_audit_row(world):
    keyword_rule(world, name="Taken")
    rule = keyword_rule(world)

    with recorded() as events, pytest.raises(ValidationError):
        services.alert_rule_update(actor=world.users["admin"], rule=rule, name="taken")

    assert events == []


def test_it_audits_a_deleted_alert_rule_by_its_name(world):
    rule = keyword_rule(world)

    with recorded() as events:
        services.alert_rule_delete(actor=world.users["manager"], rule=rule)

    [event] = events
    assert (event.action, event.actor, event.brand) == (
        AuditEvent.Action.ALERT_RULE_DELETED,
        world.users["manager"],
        world.brand,
    )
    assert event.detail == {"name": "Recall", "kind": "keyword"}
