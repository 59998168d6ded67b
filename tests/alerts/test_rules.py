"""Each kind of rule fires on a planted condition, stays quiet otherwise, and explains
itself: the window, the baseline, the threshold and the observed value."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from listening.alerts import services
from listening.alerts.models import Alert, AlertRule
from listening.insights import terms
from tests.alerts.conftest import HOUR, NOW, make_post

pytestmark = pytest.mark.django_db


def rule(world, **fields) -> AlertRule:
    fields.setdefault("name", fields["kind"])
    return services.alert_rule_create(actor=world.users["manager"], brand=world.brand, **fields)


def evaluate(r: AlertRule, now=NOW) -> list[Alert]:
    return services.alert_rule_evaluate(rule=r, now=now)


def baseline(plant, per_hour: int = 1, days: int = 7, window: int = 6):
    plant({h: per_hour for h in range(window, window + days * 24)})


# -- volume spike ----------------------------------------------------------------------


def test_a_volume_spike_fires_on_a_planted_spike_and_explains_itself(world, plant):
    baseline(plant)  # 6 mentions per 6 hours for a week
    plant({h: 5 for h in range(6)})  # 30 in the last 6 hours
    r = rule(world, kind="volume_spike", threshold=3, min_count=10, window_hours=6)

    [alert] = evaluate(r)

    assert alert.observed_value == 5.0  # 30 against 6
    assert alert.baseline_value == 6.0
    assert alert.threshold == 3
    assert alert.mention_count == 30
    assert alert.window_start == NOW.replace(minute=0) - 5 * HOUR
    assert alert.window_end == NOW
    assert alert.baseline_end == alert.window_start
    assert alert.baseline_start == alert.window_start - 7 * 24 * HOUR
    text = alert.explanation
    assert "30 mentions" in text and "6 hours" in text  # observed and window
    assert "5×" in text and "average of 6 per 6 hours" in text  # observed vs baseline
    assert "previous 7 days" in text and "threshold is 3×" in text
    assert "10 Mar 07:00 UTC" in text  # the window's start


def test_a_volume_spike_stays_quiet_at_the_usual_volume(world, plant):
    baseline(plant)
    plant({h: 1 for h in range(6)})
    r = rule(world, kind="volume_spike", threshold=3, min_count=1, window_hours=6)

    assert evaluate(r) == []


def test_a_volume_spike_needs_the_minimum_count(world, plant):
    plant({0: 4})  # from nothing to 4: a big ratio, but only 4 mentions
    r = rule(world, kind="volume_spike", threshold=3, min_count=10)

    assert evaluate(r) == []


def test_a_z_score_spike_fires_against_the_spread_of_the_baseline(world, plant):
    # Windows of 6 hours alternating 3 and 9 mentions: average 6, spread 3.
    plant({h: (1 if (h // 6) % 2 else 0) + (1 if h % 2 else 0) for h in range(6, 6 + 168)})
    plant({h: 4 for h in range(6)})  # 24: z = (24 - 6) / 3 = 6
    r = rule(world, kind="volume_spike", method="zscore", threshold=4, min_count=10)

    [alert] = evaluate(r)

    assert alert.observed_value == pytest.approx(6.0, abs=0.01)
    assert "z-score of 6" in alert.explanation and "spread ±3" in alert.explanation


def test_a_z_score_spike_stays_quiet_within_the_spread(world, plant):
    baseline(plant, per_hour=2)
    plant({h: 2 for h in range(6)})
    r = rule(world, kind="volume_spike", method="zscore", threshold=3, min_count=1)

    assert evaluate(r) == []


def test_a_scoped_rule_counts_only_its_query(world, plant, query):
    from listening import services as listening_services

    other = listening_services.query_create(
        actor=world.users["admin"], brand=world.brand, name="Other", expression="other"
    )
    baseline(plant)
    plant({h: 5 for h in range(6)})
    r = rule(world, kind="volume_spike", threshold=3, min_count=10, query=other)

    assert evaluate(r) == []
    r.query = query
    r.save()
    assert len(evaluate(r)) == 1


# -- negative share --------------------------------------------------------------------


def test_a_negative_share_fires_above_its_threshold(world, plant):
    plant({h: 1 for h in range(24, 24 * 8)})  # a calm week, all neutral
    plant({h: 2 for h in range(4)}, sentiment="negative")  # 8 negative
    plant({h: 3 for h in range(4)})  # 12 neutral
    r = rule(world, kind="negative_share", threshold=30, min_count=10, window_hours=6)

    [alert] = evaluate(r)

    assert alert.observed_value == 40.0
    assert alert.baseline_value == 0.0
    assert alert.threshold == 30
    assert "40% of the mentions" in alert.explanation
    assert "(8 of 20)" in alert.explanation and "threshold is 30%" in alert.explanation
    assert "over the previous 7 days it was 0%" in alert.explanation
    params = alert.link_params
    assert params["sentiment"] == "negative" and params["start"] == "2026-03-10"


def test_a_negative_share_stays_quiet_below_its_threshold(world, plant):
    plant({0: 2}, sentiment="negative")
    plant({0: 18})
    r = rule(world, kind="negative_share", threshold=30, min_count=10)

    assert evaluate(r) == []


# -- big accounts ----------------------------------------------------------------------


def test_a_mention_by_a_big_account_fires(world, hear):
    hear([make_post("acme is everywhere", at=NOW - HOUR, followers=250_000)])
    r = rule(world, kind="influencer", threshold=100_000, min_count=1, window_hours=24)

    [alert] = evaluate(r)

    assert alert.observed_value == 250_000
    assert alert.threshold == 100_000
    assert "250,000 followers" in alert.explanation
    assert "at least 100,000 followers" in alert.explanation
    assert "24 hours" in alert.explanation


def test_small_accounts_do_not_fire_the_big_account_rule(world, hear):
    hear([make_post("acme is everywhere", at=NOW - HOUR, followers=900)])
    r = rule(world, kind="influencer", threshold=100_000, min_count=1)

    assert evaluate(r) == []


def test_a_big_account_outside_the_window_does_not_fire(world, hear):
    hear([make_post("acme, old news", at=NOW - 48 * HOUR, followers=250_000)])
    r = rule(world, kind="influencer", threshold=100_000, min_count=1, window_hours=24)

    assert evaluate(r) == []


# -- keyword ---------------------------------------------------------------------------


def test_a_keyword_fires_with_a_link_to_its_mentions(world, hear):
    hear(
        [
            make_post("acme announces a RECALL of the cap", at=NOW - HOUR),
            make_post("is the acme recall real?", at=NOW - 2 * HOUR),
            make_post("acme is fine", at=NOW - 2 * HOUR),
        ]
    )
    r = rule(world, kind="keyword", keyword="recall", min_count=2, window_hours=6)

    [alert] = evaluate(r)

    assert alert.mention_count == 2 and alert.observed_value == 2
    assert "said “recall”" in alert.explanation and "threshold is 2" in alert.explanation
    url = urlparse(services.mentions_url(alert))
    assert url.path == f"/b/{world.brand.slug}/mentions/"
    assert parse_qs(url.query)["q"] == ["recall"]


def test_a_keyword_rule_stays_quiet_without_the_keyword(world, hear):
    hear([make_post("acme is fine", at=NOW - HOUR)])
    r = rule(world, kind="keyword", keyword="recall", min_count=1)

    assert evaluate(r) == []


# -- emerging terms (the detector is the insights app's; here it is planted) -----------


@pytest.fixture
def emerging(monkeypatch):
    found = []
    calls = []

    def fake(brand_id, *, start, end, baseline_start, baseline_end, limit=10):
        calls.append((brand_id, start, end, baseline_start, baseline_end))
        return list(found)

    monkeypatch.setattr(terms, "emerging_terms", fake)
    return found, calls


def test_a_new_emerging_term_fires_naming_the_strongest_term(world, emerging):
    found, calls = emerging
    found += [
        terms.EmergingTerm("hand", 30, 0, 3.5),
        terms.EmergingTerm("#acmecap", 40, 1, 4.25),
        terms.EmergingTerm("bottle", 12, 10, 1.2),  # below the score threshold
    ]
    r = rule(world, kind="emerging_term", threshold=2, min_count=10, window_hours=24)

    [alert] = evaluate(r)

    assert alert.observed_value == 4.25 and alert.baseline_value == 1 and alert.threshold == 2
    assert "“#acmecap” emerged: 40 mentions" in alert.explanation
    assert "against 1 in the previous 7 days" in alert.explanation
    assert "score 4.25, the threshold is 2" in alert.explanation
    assert "Also rising: “hand”." in alert.explanation
    assert "bottle" not in alert.explanation
    assert alert.link_params["q"] == "#acmecap"
    brand_id, start, end, baseline_start, baseline_end = calls[0]
    assert brand_id == world.brand.pk and end == NOW.date() and baseline_end < start

    # Still emerging: no repeat. Gone: cleared. Back: a new incident.
    assert evaluate(r, NOW + HOUR) == []
    found.clear()
    assert evaluate(r, NOW + 2 * HOUR) == []
    assert Alert.objects.get().cleared_at == NOW + 2 * HOUR
    found.append(terms.EmergingTerm("#acmecap", 40, 1, 4.25))
    assert len(evaluate(r, NOW + 3 * HOUR)) == 1


def test_no_emerging_term_means_no_alert(world, emerging):
    found, _calls = emerging
    found.append(terms.EmergingTerm("bottle", 3, 2, 2.5))  # below the minimum count
    r = rule(world, kind="emerging_term", threshold=2, min_count=10)

    assert evaluate(r) == []


def test_a_planted_emerging_term_fires_through_the_insights_detector(world, hear):
    """The real detector over real counts (listening.insights.terms), not a stand-in."""
    from listening.insights import services as insights_services

    now = NOW
    calm = [
        make_post(f"acme headphones sound great, day {d} post {i}", at=now - d * 24 * HOUR)
        for d in range(2, 9)
        for i in range(6)
    ]
    spike = [
        make_post(f"careful with the acme bottle cap #acmecap {i}", at=now - HOUR)
        for i in range(15)
    ]
    hear(calm + spike, now=now)
    insights_services.brand_rebuild(brand_id=world.brand.pk)
    r = rule(world, kind="emerging_term", threshold=2, min_count=10, window_hours=12)

    [alert] = evaluate(r, now)

    assert "emerged: 15 mentions" in alert.explanation
    assert "#acmecap" in alert.explanation
    assert alert.observed_value >= 2

    quiet = rule(world, name="Calm", kind="emerging_term", threshold=2, min_count=10)
    assert evaluate(quiet, now - 3 * 24 * HOUR) == []


# -- the brand's time zone -------------------------------------------------------------


def test_an_alerts_text_tells_the_window_in_the_brands_time_zone(world, plant):
    world.brand.timezone = "Asia/Tokyo"
    world.brand.save(update_fields=["timezone"])
    plant({h: 5 for h in range(6)})
    r = rule(world, kind="volume_spike", threshold=3, min_count=10, window_hours=6)

    [alert] = evaluate(r)

    # The window runs 07:00 to 12:30 UTC on 10 March: 16:00 to 21:30 in Tokyo.
    text = alert.explanation
    assert "from 10 Mar 16:00 JST to 10 Mar 21:30 JST" in text
    assert "UTC" not in text
    assert alert.window_start == NOW.replace(minute=0) - 5 * HOUR  # stored in UTC


def test_a_keyword_alert_tells_its_window_in_local_time(world, hear):
    world.brand.timezone = "America/New_York"
    world.brand.save(update_fields=["timezone"])
    hear([make_post("acme recall", at=NOW - HOUR)])
    r = rule(world, kind="keyword", keyword="recall", min_count=1, window_hours=2)

    [alert] = evaluate(r)

    # 10:30 to 12:30 UTC is 06:30 to 08:30 in New York (EDT since 8 March).
    assert "from 10 Mar 06:30 EDT to 10 Mar 08:30 EDT" in alert.explanation
