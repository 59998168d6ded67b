from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from campaigns import services
from campaigns.models import Campaign, Kpi, KpiEntry
from listening import services as listening_services
from listening.models import Query
from socialhub.models import AuditEvent
from tests.audit import recorded
from tests.campaigns.conftest import plan


def test_it_creates_a_campaign_query_for_the_hashtags(world):
    c = plan(world, hashtags="#WinterGlow, acmewinter", create_hashtag_query=True)
    query = c.queries.get()
    assert query.kind == Query.Kind.CAMPAIGN
    assert query.expression == "#WinterGlow OR #acmewinter"
    assert query.brand == world.brand
    assert c.hashtags == ["WinterGlow", "acmewinter"]


def test_the_hashtag_query_gets_a_free_name(world):
    listening_services.query_create(
        actor=None, brand=world.brand, name="Campaign: Winter launch", expression="x"
    )
    c = plan(world, hashtags=["glow"], create_hashtag_query=True)
    assert c.queries.get().name == "Campaign: Winter launch (2)"


def test_an_end_before_the_start_is_an_error_on_the_end_date(world):
    with pytest.raises(ValidationError) as exc:
        plan(world, start=date(2026, 2, 1), end=date(2026, 1, 1))
    assert "end_date" in exc.value.message_dict
    assert not Campaign.objects.exists()


def test_it_refuses_an_unknown_currency_and_saves_nothing(world):
    with pytest.raises(ValidationError) as exc:
        plan(world, currency="XYZ", hashtags=["glow"], create_hashtag_query=True)
    assert "ISO 4217" in exc.value.message_dict["currency"][0]
    assert not Campaign.objects.exists()
    assert not Query.objects.exists()


def test_it_refuses_a_duplicate_name_channels_and_queries_of_another_brand(world):
    plan(world)
    foreign = listening_services.query_create(
        actor=None, brand=world.foreign_brand, name="Theirs", expression="theirs"
    )
    with pytest.raises(ValidationError) as exc:
        plan(world, name="winter LAUNCH", queries=[foreign])
    assert set(exc.value.message_dict) == {"name", "queries"}


def test_the_owner_must_hold_a_role_in_the_brand(world):
    with pytest.raises(ValidationError) as exc:
        plan(world, owner=world.outsider)
    assert "owner" in exc.value.message_dict
    assert plan(world, owner=world.users["client"]).owner == world.users["client"]


@pytest.mark.parametrize(
    ("metric", "fields", "field", "words"),
    [
        ("positive_share", {"target": 120}, "target", "cannot be above 100"),
        ("mentions", {"target": -5}, "target", "cannot be below 0"),
        ("clicks", {"target": 20, "target_kind": "relative"}, "baseline", "type its baseline"),
        ("mentions", {"target": -150, "target_kind": "relative"}, "target", "−100 %"),
        ("followers_gained", {"target": 5}, "metric", "not a metric"),
    ],
)
def test_it_refuses_a_target_of_the_wrong_kind(world, campaign, metric, fields, field, words):
    with pytest.raises(ValidationError) as exc:
        services.kpi_create(actor=None, campaign=campaign, metric=metric, **fields)
    assert words in " ".join(exc.value.message_dict[field])
    assert not Kpi.objects.exists()


def test_net_sentiment_may_be_negative(campaign):
    k = services.kpi_create(actor=None, campaign=campaign, metric="net_sentiment", target=-10)
    assert k.direction == "up"


def test_a_relative_target_on_an_entered_metric_with_a_baseline(campaign):
    k = services.kpi_create(
        actor=None,
        campaign=campaign,
        metric="clicks",
        target=Decimal("20"),
        target_kind="relative",
        baseline=Decimal("100"),
    )
    assert k.baseline == 100


def test_it_refuses_a_second_kpi_of_the_same_metric(campaign):
    services.kpi_create(actor=None, campaign=campaign, metric="mentions", target=10)
    with pytest.raises(ValidationError) as exc:
        services.kpi_create(actor=None, campaign=campaign, metric="mentions", target=20)
    assert "already has" in exc.value.message_dict["metric"][0]
    assert Kpi.objects.count() == 1


def test_a_typed_baseline_is_ignored_for_a_computed_kpi(campaign):
    k = services.kpi_create(
        actor=None, campaign=campaign, metric="mentions", target=10, baseline=Decimal(99)
    )
    assert k.baseline is None


def test_a_second_figure_for_the_day_replaces_the_first(world, campaign):
    for value in (10, 12):
        services.kpi_entry_create(
            actor=world.users["manager"],
            campaign=campaign,
            metric="clicks",
            date=date(2026, 1, 2),
            value=Decimal(value),
        )
    entry = KpiEntry.objects.get()
    assert entry.value == 12 and entry.entered_by == world.users["manager"]


@pytest.mark.parametrize(
    ("metric", "day", "value", "field"),
    [
        ("cpc", date(2026, 1, 2), 1, "metric"),
        ("mentions", date(2026, 1, 2), 1, "metric"),
        ("clicks", date(2999, 1, 2), 1, "date"),
        ("clicks", date(2026, 1, 2), -1, "value"),
    ],
)
def test_it_refuses_a_bad_figure(world, campaign, metric, day, value, field):
    with pytest.raises(ValidationError) as exc:
        services.kpi_entry_create(
            actor=None, campaign=campaign, metric=metric, date=day, value=Decimal(value)
        )
    assert field in exc.value.message_dict
    assert not KpiEntry.objects.exists()


# -- audit -------------------------------------------------------------------------------


def test_it_audits_a_new_campaign_and_its_hashtag_query(world):
    with recorded() as events:
        plan(world, hashtags=["glow"], create_hashtag_query=True)

    assert [(e.action, e.actor, e.brand) for e in events] == [
        (AuditEvent.Action.QUERY_CREATED, world.users["manager"], world.brand),
        (AuditEvent.Action.CAMPAIGN_CREATED, world.users["manager"], world.brand),
    ]
    assert events[1].detail == {"name": "Winter launch", "field": "status", "to": "planned"}
    assert events[1].summary == "campaign “Winter launch” in Acme Test: status planned"


def test_it_audits_the_fields_a_campaign_change_touched(world, campaign):
    query = listening_services.query_create(
        actor=None, brand=world.brand, name="Glow", expression="glow"
    )

    with recorded() as events:
        services.campaign_update(
            actor=world.users["admin"],
            campaign=campaign,
            queries=[query],
            name="Winter launch",
            hashtags="#glow",
            budget=Decimal("5000"),
        )

    [event] = events
    assert (event.action, event.actor) == (AuditEvent.Action.CAMPAIGN_UPDATED, world.users["admin"])
    assert event.detail == {"name": "Winter launch", "changes": ["hashtags", "budget", "queries"]}
    assert (
        event.summary == "campaign “Winter launch” in Acme Test: changed hashtags, budget, queries"
    )


def test_a_campaign_status_change_is_audited_from_and_to_apart_from_other_changes(world, campaign):
    with recorded() as events:
        services.campaign_update(
            actor=world.users["manager"], campaign=campaign, status="running", description="Go"
        )

    assert [(e.action, e.detail) for e in events] == [
        (AuditEvent.Action.CAMPAIGN_UPDATED, {"name": "Winter launch", "changes": ["description"]}),
        (
            AuditEvent.Action.CAMPAIGN_STATUS_CHANGED,
            {"name": "Winter launch", "field": "status", "from": "planned", "to": "running"},
        ),
    ]
    assert events[1].summary == "campaign “Winter launch” in Acme Test: status planned → running"


def test_it_audits_nothing_when_a_campaign_is_saved_unchanged(world, campaign):
    with recorded() as events:
        services.campaign_update(
            actor=world.users["manager"], campaign=campaign, name="Winter launch", channels=[]
        )

    assert events == []


def test_a_refused_campaign_change_leaves_no_audit_row(world, campaign):
    with recorded() as events, pytest.raises(ValidationError):
        services.campaign_update(
            actor=world.users["manager"],
            campaign=campaign,
            name="Renamed",
            end_date=date(2025, 1, 1),
        )

    assert events == []


def test_it_audits_archiving_a_campaign_once(world, campaign):
    with recorded() as events:
        services.campaign_archive(actor=world.users["manager"], campaign=campaign)
        services.campaign_archive(actor=world.users["manager"], campaign=campaign)

    [event] = events
    assert (event.action, event.actor) == (
        AuditEvent.Action.CAMPAIGN_ARCHIVED,
        world.users["manager"],
    )
    assert event.detail == {
        "name": "Winter launch",
        "field": "status",
        "from": "planned",
        "to": "archived",
    }


def test_it_audits_a_kpi_added_its_target_changed_and_removed(world, campaign):
    manager = world.users["manager"]
    with recorded() as added:
        kpi = services.kpi_create(actor=manager, campaign=campaign, metric="clicks", target=1000)
    with recorded() as changed:
        services.kpi_update(actor=manager, kpi=kpi, target=Decimal("1500.0000"), label="")
    with recorded() as removed:
        services.kpi_delete(actor=manager, kpi=kpi)

    assert [(e.action, e.actor, e.brand) for e in added + changed + removed] == [
        (AuditEvent.Action.KPI_CREATED, manager, world.brand),
        (AuditEvent.Action.KPI_UPDATED, manager, world.brand),
        (AuditEvent.Action.KPI_DELETED, manager, world.brand),
    ]
    assert changed[0].detail == {
        "name": "Clicks",
        "campaign": "Winter launch",
        "changes": ["target"],
        "field": "target",
        "from": "1000",
        "to": "1500",
    }
    assert changed[0].summary == "KPI “Clicks” on “Winter launch” in Acme Test: target 1000 → 1500"
    assert removed[0].summary == "KPI “Clicks” on “Winter launch” in Acme Test"


def test_a_refused_kpi_leaves_no_audit_row(world, campaign):
    kpi = services.kpi_create(actor=None, campaign=campaign, metric="mentions", target=10)

    with recorded() as events:
        with pytest.raises(ValidationError):
            services.kpi_create(actor=None, campaign=campaign, metric="mentions", target=20)
        with pytest.raises(ValidationError):
            services.kpi_update(actor=None, kpi=kpi, target=-5)

    assert events == []


def test_it_audits_deleting_a_campaign_by_its_name(world, campaign):
    with recorded() as events:
        services.campaign_delete(actor=world.users["manager"], campaign=campaign)

    [event] = events
    assert (event.action, event.actor, event.brand) == (
        AuditEvent.Action.CAMPAIGN_DELETED,
        world.users["manager"],
        world.brand,
    )
    assert event.detail == {"name": "Winter launch"}
    assert event.summary == "campaign “Winter launch” in Acme Test"
    assert not Campaign.objects.exists()


def test_it_audits_a_figure_entered_changed_and_removed_and_not_one_entered_again(world, campaign):
    manager, admin = world.users["manager"], world.users["admin"]
    day = date(2026, 1, 2)
    with recorded() as added:
        services.kpi_entry_create(
            actor=manager, campaign=campaign, metric="clicks", date=day, value=Decimal("1000")
        )
    with recorded() as again:
        services.kpi_entry_create(
            actor=admin, campaign=campaign, metric="clicks", date=day, value=Decimal("1000.00")
        )
    with recorded() as changed:
        services.kpi_entry_create(
            actor=admin, campaign=campaign, metric="clicks", date=day, value=Decimal("1200")
        )
    with recorded() as removed:
        services.kpi_entry_delete(actor=manager, entry=KpiEntry.objects.get())

    assert again == []
    assert [(e.action, e.actor, e.brand) for e in added + changed + removed] == [
        (AuditEvent.Action.KPI_ENTRY_CREATED, manager, world.brand),
        (AuditEvent.Action.KPI_ENTRY_UPDATED, admin, world.brand),
        (AuditEvent.Action.KPI_ENTRY_DELETED, manager, world.brand),
    ]
    assert added[0].detail == {
        "name": "Clicks",
        "campaign": "Winter launch",
        "date": "2026-01-02",
        "field": "value",
        "to": "1000",
    }
    assert (
        added[0].summary
        == "figure “Clicks” of 2026-01-02 on “Winter launch” in Acme Test: value 1000"
    )
    assert changed[0].detail["changes"] == ["value"]
    assert changed[0].summary == (
        "figure “Clicks” of 2026-01-02 on “Winter launch” in Acme Test: value 1000 → 1200"
    )
    assert removed[0].detail["from"] == "1200"
    assert removed[0].summary == "figure “Clicks” of 2026-01-02 on “Winter launch” in Acme Test"


def test_a_refused_figure_leaves_no_audit_row(world, campaign):
    with recorded() as events:
        with pytest.raises(ValidationError):
            services.kpi_entry_create(
                actor=world.users["manager"],
                campaign=campaign,
                metric="clicks",
                date=date(2999, 1, 2),
                value=Decimal("5"),
            )
        with pytest.raises(ValidationError):
            services.kpi_entry_create(
                actor=world.users["manager"],
                campaign=campaign,
                metric="mentions",
                date=date(2026, 1, 2),
                value=Decimal("5"),
            )

    assert events == []
