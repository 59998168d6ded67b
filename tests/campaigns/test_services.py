from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from campaigns import services
from campaigns.models import Campaign, Kpi, KpiEntry
from listening import services as listening_services
from listening.models import Query
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
