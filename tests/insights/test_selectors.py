from datetime import date

import pytest
from django.db.models import Sum

from listening import services as listening_services
from listening.insights import services
from listening.insights.models import AuthorDay, DayRollup
from listening.insights.selectors import Filters, Period, bucket_for, dashboard
from listening.insights.terms import EmergingTerm, emerging_terms
from listening.models import Mention
from tests.insights.conftest import END, START


def board(fx, **filters):
    return dashboard(fx.brand, start=START, end=END, filters=Filters(**filters))


def test_it_counts_the_headline_figures_with_the_previous_period(acme):
    s = board(acme).summary
    # Acme 18 + Bottle 2 + Jane Roe 1 (competitors are not the brand's own figures).
    assert (s["mentions"].value, s["mentions"].previous) == (21, 6)
    assert s["mentions"].change == 250.0
    assert s["reach"].value == 6 * 1000 + 2 * 10 + 2 * 5 + 8 * 1 + 2 * 2 + 3
    assert s["engagement"].value == 21  # one like each


def test_it_gives_net_sentiment_and_the_negative_to_positive_ratio(acme):
    s = board(acme).sentiment
    assert [(k, f.value, f.previous) for k, _, f in s["split"].rows] == [
        ("negative", 3, 3),
        ("neutral", 10, 0),
        ("positive", 8, 3),
    ]
    assert s["net_sentiment"].value == 45.5  # (8 − 3) / (8 + 3)
    assert s["net_sentiment"].previous == 0.0
    assert s["neg_pos_ratio"].value == 0.375
    assert s["neg_pos_ratio"].previous == 1.0


def test_it_gives_the_share_of_voice_against_competitors(acme):
    sov = board(acme).share_of_voice
    rows = {
        name: (share.value, share.previous, count.value) for _, name, share, count in sov["rows"]
    }
    assert rows["Acme Test"] == (81.8, 60.0, 18)
    assert rows["Globex"] == (18.2, 40.0, 4)
    trend = {s.label: s.data for s in sov["trend"].series}
    assert trend["Acme Test"][1] == 100.0  # Jan 2: only Acme spoke
    assert trend["Globex"][4] == 100.0  # Jan 5: only Globex


def test_it_overlays_competitors_on_the_volume_by_day(acme):
    volume = board(acme).volume
    assert volume.bucket == "day" and len(volume.labels) == 10
    series = {s.label: s.data for s in volume.series}
    assert series["Acme Test"][1] == 6  # Jan 2
    assert series["Globex"][4] == 4  # Jan 5
    assert sum(series["Acme Test"]) == 21


def test_it_counts_by_hour_for_a_short_range(acme):
    volume = dashboard(acme.brand, start=date(2026, 1, 2), end=date(2026, 1, 3)).volume
    assert volume.bucket == "hour" and len(volume.labels) == 48
    brand = volume.series[0]
    assert brand.data[10] == 6 and brand.data[24 + 10] == 2
    # The other trends come from day cells: by day.
    trend = dashboard(acme.brand, start=date(2026, 1, 2), end=date(2026, 1, 3)).sentiment["trend"]
    assert trend.bucket == "day" and trend.labels == ["2026-01-02", "2026-01-03"]


@pytest.mark.parametrize(
    ("days", "bucket"), [(1, "hour"), (3, "hour"), (4, "day"), (92, "day"), (93, "week")]
)
def test_it_chooses_the_bucket_from_the_range(days, bucket):
    start = date(2026, 1, 1)
    assert bucket_for(Period(start, date.fromordinal(start.toordinal() + days - 1))) == bucket


def test_it_groups_weeks_for_long_ranges(acme):
    volume = dashboard(acme.brand, start=date(2025, 10, 1), end=END).volume
    assert volume.bucket == "week"
    assert sum(volume.series[0].data) == 27  # both periods fall inside


def test_it_counts_unique_authors_platforms_and_languages(acme):
    b = board(acme)
    assert (b.authors.value, b.authors.previous) == (7, 3)
    assert [(k, f.value) for k, _, f in b.platforms.rows] == [
        ("mastodon", 17),
        ("bluesky", 2),
        ("reddit", 2),
    ]
    assert [(k, f.value, f.previous) for k, _, f in b.languages.rows] == [
        ("en", 19, 6),
        ("de", 2, 0),
    ]


def test_it_ranks_top_authors_with_their_sentiment(acme):
    top = board(acme).top_authors
    first = top["by_reach"][0]
    assert (first.handle, first.reach, first.sentiment) == ("alice", 6000, "positive")
    assert top["by_engagement"][0].handle == "erin"  # 8 mentions × 1 like
    bob = next(a for a in top["by_reach"] if a.handle == "bob")
    assert bob.sentiment == "negative"


def test_it_finds_the_planted_emerging_term(acme):
    terms = board(acme).terms
    assert [t.term for t in terms["emerging"]] == ["#acmecap"]
    assert terms["top"][0][0] == "acme"


def test_emerging_terms_for_the_alerts_takes_dates_or_datetimes(acme):
    from datetime import UTC, datetime

    found = emerging_terms(
        acme.brand.pk,
        start=datetime(2026, 1, 9, 0, tzinfo=UTC),
        end=datetime(2026, 1, 9, 23, tzinfo=UTC),
        baseline_start=date(2025, 12, 22),
        baseline_end=date(2026, 1, 8),
    )
    assert found and found[0] == EmergingTerm("#acmecap", 8, 0, found[0].score)
    assert found[0].score >= 1


def test_it_gives_sentiment_per_product_and_person_query(acme):
    rows = {q.name: q for q in board(acme).query_sentiment}
    assert set(rows) == {"Bottle", "Jane Roe"}
    assert rows["Bottle"].counts == {"negative": 0, "neutral": 0, "positive": 2}
    assert rows["Jane Roe"].net.value == -100.0


def test_filters_narrow_every_rollup_widget(acme):
    b = board(acme, platforms=("bluesky",))
    assert b.summary["mentions"].value == 2
    assert b.sentiment["neg_pos_ratio"].value is None  # no positives: no ratio
    b = board(acme, queries=(acme.queries["Globex"].pk,))
    assert b.summary["mentions"].value == 4
    b = board(acme, sentiments=("negative",), languages=("en",))
    assert b.summary["mentions"].value == 3


def test_it_is_empty_for_a_brand_without_data(world):
    b = dashboard(world.sibling, start=START, end=END)
    assert b.is_empty
    assert b.summary["mentions"].value == 0
    assert b.terms["emerging"] == []
    assert b.tables()["volume"][1][0][0] == "2026-01-01"


def test_it_refuses_an_end_before_the_start_and_ten_years(acme):
    with pytest.raises(ValueError, match="before the start"):
        dashboard(acme.brand, start=END, end=START)
    with pytest.raises(ValueError, match="at most 366 days"):
        dashboard(acme.brand, start=date(2016, 1, 1), end=END)


def test_a_deleted_query_leaves_a_working_dashboard(acme):
    acme.queries["Globex"].delete()
    b = board(acme)
    assert [name for _, name, _, _ in b.share_of_voice["rows"]] == ["Acme Test"]
    assert b.tables()


def test_a_hand_correction_keeps_day_rollups_and_authors_consistent(acme, world, committed):
    mention = Mention.objects.filter(brand=acme.brand, post__text="acme love it").first()
    with committed():
        listening_services.mention_set_sentiment(
            actor=world.users["analyst"], mention=mention, sentiment="negative"
        )
    s = board(acme).sentiment
    assert s["split"].rows[0][2].value == 4  # one more negative
    assert s["split"].rows[2][2].value == 7
    alice = AuthorDay.objects.get(brand=acme.brand, day=mention.published_at.date())
    assert (alice.negative, alice.positive) == (1, 5)


def test_a_rebuild_gives_the_same_counters(acme):
    before = sorted(DayRollup.objects.values_list("day", "query_id", "sentiment", "count"))
    services.brand_rebuild(brand_id=acme.brand.pk)
    after = sorted(DayRollup.objects.values_list("day", "query_id", "sentiment", "count"))
    assert before == after
    assert board(acme).authors.value == 7


def test_counting_a_batch_twice_counts_it_once(acme):
    ids = list(Mention.objects.filter(brand=acme.brand).values_list("id", flat=True))
    assert services.mentions_count(mention_ids=ids) == 0
    assert board(acme).authors.value == 7
    assert board(acme).terms["emerging"][0].count == 8


def test_the_demo_seed_counts_what_the_hook_has_not(acme):
    from io import StringIO

    from listening.insights import demo_seed
    from listening.insights.models import CountedMention, TermDay

    TermDay.objects.all().delete()
    AuthorDay.objects.all().delete()
    CountedMention.objects.all().delete()
    out = StringIO()
    demo_seed.seed(brands={"acme": acme.brand}, actor=None, stdout=out)
    assert "35 mentions counted (0 already were)" in out.getvalue()
    assert [t.term for t in board(acme).terms["emerging"]] == ["#acmecap"]


def test_phrase_rules_reapplied_to_stored_mentions_reach_the_day_rollup(acme, world, committed):
    def day_counts():
        rows = (
            DayRollup.objects.filter(brand=acme.brand, day=date(2026, 1, 4))
            .values_list("sentiment")
            .annotate(n=Sum("count"))
        )
        return {sentiment: n for sentiment, n in rows if n}

    assert day_counts() == {"neutral": 2}  # "acme meh" on Jan 4
    rule = listening_services.phrase_rule_create(
        actor=world.users["admin"], brand=acme.brand, phrase="acme meh", sentiment="negative"
    )
    with committed():
        changed = listening_services.phrase_rules_apply(
            actor=world.users["admin"], brand=acme.brand
        )

    assert rule.pk and changed == 10  # every "acme meh" post, the #acmecap ones too
    assert day_counts() == {"negative": 2}
