from django.core import mail

from influencers import health, services
from influencers.models import HealthAlert
from influencers.tasks import health_check_all
from tests.influencers.conftest import days_ago


def ambassador(world, relationship):
    services.relationship_move(actor=None, relationship=relationship, stage="ambassador")
    services.relationship_update(
        actor=None, relationship=relationship, owner=world.users["analyst"]
    )
    return relationship


def test_the_alert_fires_when_an_ambassador_turns_negative(world, relationship, hear, committed):
    ambassador(world, relationship)
    hear([("nina", "acme love it", days_ago(d)) for d in (40, 45, 50)])
    hear([("nina", "acme hate it", days_ago(d)) for d in (2, 5, 9)])
    with committed():
        assert health_check_all() == 1
    relationship.refresh_from_db()
    assert relationship.health_score == -1.0
    assert relationship.health_previous == 1.0
    assert relationship.health_trend == "down"
    assert relationship.health_mentions == 3
    assert relationship.suggested_stage == "at_risk"
    alert = HealthAlert.objects.get()
    assert alert.recipient == world.users["analyst"]
    assert "Nina Nano's 3 mentions of Acme Test" in alert.explanation
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["analyst@alpha.test"]
    assert "turning negative" in mail.outbox[0].subject
    # The owner sees it on the board, new until they open the relationship.
    analyst = world.client_for("analyst")
    assert (
        "Allies turning negative"
        in analyst.get(f"/b/{world.brand.slug}/influencers/").content.decode()
    )
    analyst.get(relationship.get_absolute_url())
    alert.refresh_from_db()
    assert alert.read_at is not None
    # Checked again: no second alert while the first is open.
    assert health.relationship_health_check(relationship=relationship) is None
    assert HealthAlert.objects.count() == 1


def test_a_drop_alone_is_enough(world, relationship, hear):
    ambassador(world, relationship)
    hear([("nina", "acme love it", days_ago(d)) for d in (40, 45)])
    hear([("nina", "acme meh", days_ago(d)) for d in (2, 3)])
    alert = health.relationship_health_check(relationship=relationship)
    assert alert is not None  # 1.0 → 0.0 is a drop beyond 0.4, though not below −0.2


def test_a_prospect_turning_negative_raises_nothing(world, relationship, hear):
    hear([("nina", "acme hate it", days_ago(d)) for d in (2, 5)])
    assert health.relationship_health_check(relationship=relationship) is None
    relationship.refresh_from_db()
    assert relationship.health_score == -1.0
    assert relationship.suggested_stage == ""


def test_a_happy_ambassador_raises_nothing(world, relationship, hear):
    ambassador(world, relationship)
    hear([("nina", "acme love it", days_ago(d)) for d in (2, 5)])
    assert health.relationship_health_check(relationship=relationship) is None


def test_moving_to_at_risk_takes_the_suggestion_and_closes_the_alert(world, relationship, hear):
    ambassador(world, relationship)
    hear([("nina", "acme hate it", days_ago(d)) for d in (2, 5)])
    health.relationship_health_check(relationship=relationship)
    client = world.client_for("manager")
    board = client.get(f"/b/{world.brand.slug}/influencers/").content.decode()
    assert "Suggested: At risk" in board
    assert "Move to at risk" in board
    response = client.post(
        f"/b/{world.brand.slug}/influencers/{relationship.pk}/move/", {"stage": "at_risk"}
    )
    assert response.status_code == 302
    relationship.refresh_from_db()
    assert (relationship.stage, relationship.suggested_stage) == ("at_risk", "")
    assert HealthAlert.objects.get().resolved_at is not None
