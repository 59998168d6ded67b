"""Listening services: sources and their health, queries, hand corrections, phrase rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum

from listening import pipeline, services
from listening.connectors.base import NormalizedPost
from listening.models import Mention, Rollup, Source
from listening.pipeline import ingest
from socialhub.models import AuditEvent
from tests.audit import recorded

WHEN = datetime(2025, 5, 19, 17, 10, tzinfo=UTC)
FEED = "https://blog.example/feed.xml"


@pytest.fixture(autouse=True)
def _fresh_matcher():
    pipeline.forget_compiled_queries()
    yield
    pipeline.forget_compiled_queries()


@pytest.fixture
def no_jitter(monkeypatch):
    monkeypatch.setattr(services.random, "uniform", lambda a, b: 0)


def make_post(external_id: str, text: str, **fields) -> NormalizedPost:
    values = {
        "platform": "mastodon",
        "external_id": external_id,
        "url": "",
        "text": text,
        "published_at": WHEN,
        "lang": "en",
    }
    values.update(fields)
    return NormalizedPost(**values)


def add_source(world, **fields) -> Source:
    values = {"name": "Blog", "kind": "rss", "config": {"url": FEED}}
    values.update(fields)
    return services.source_create(actor=world.users["admin"], brand=world.brand, **values)


def add_query(world, name="Acme", expression="acme", **fields):
    return services.query_create(
        actor=world.users["admin"], brand=world.brand, name=name, expression=expression, **fields
    )


def by_sentiment(**filters) -> dict[str, int]:
    rows = (
        Rollup.objects.filter(**filters)
        .values("sentiment")
        .annotate(n=Sum("count"), r=Sum("reach"), e=Sum("engagement"))
    )
    return {row["sentiment"]: (row["n"], row["r"], row["e"]) for row in rows}


# -- sources -----------------------------------------------------------------------------


def test_it_creates_a_source_due_at_once(world):
    source = add_source(world, config={"url": f"  {FEED}  ", "extra": "dropped"})

    assert source.config == {"url": FEED}
    assert source.next_poll_at is not None and source.next_poll_at <= datetime.now(UTC)
    assert source.health == "new"


def test_it_refuses_a_source_config_the_connector_rejects_keyed_by_field(world):
    with pytest.raises(ValidationError) as excinfo:
        add_source(world, config={"url": "ftp://blog.example/feed"})

    assert set(excinfo.value.message_dict) == {"url"}
    assert not Source.objects.exists()


def test_it_refuses_a_feed_on_a_private_address(world):
    with pytest.raises(ValidationError) as excinfo:
        add_source(world, config={"url": "http://127.0.0.1/feed"})

    assert "url" in excinfo.value.message_dict


def test_a_file_source_is_not_scheduled(world):
    source = add_source(world, name="Export", kind="file", config={})

    assert source.next_poll_at is None


def test_it_starts_the_cursor_afresh_when_the_feed_address_changes(world):
    source = add_source(world)
    Source.objects.filter(pk=source.pk).update(cursor={"etag": '"1"'})
    source.refresh_from_db()

    services.source_update(actor=world.users["admin"], source=source, config={"url": FEED + "?v=2"})

    source.refresh_from_db()
    assert source.cursor == {}


def test_record_failure_keeps_the_error_and_backs_off_after_three(world, no_jitter):
    source = add_source(world, poll_interval=15)
    waits = []
    for attempt in range(1, 6):
        before = datetime.now(UTC)
        source = services.source_record_failure(source_id=source.pk, error=f"HTTP 500 #{attempt}")
        waits.append(round((source.next_poll_at - before).total_seconds() / 60))

    assert waits == [15, 15, 30, 60, 120]
    assert source.consecutive_failures == 5
    assert source.last_error == "HTTP 500 #5"
    assert source.last_error_at is not None
    assert source.health == "backing off"


def test_record_failure_backs_off_a_day_at_most(world, no_jitter):
    source = add_source(world, poll_interval=60)
    Source.objects.filter(pk=source.pk).update(consecutive_failures=30)

    before = datetime.now(UTC)
    source = services.source_record_failure(source_id=source.pk, error="down")

    assert source.next_poll_at - before <= timedelta(hours=24, seconds=1)
    assert source.next_poll_at - before >= timedelta(hours=23, minutes=59)


def test_two_failures_make_a_source_failing_not_backing_off(world):
    source = add_source(world)
    services.source_record_failure(source_id=source.pk, error="timeout")
    source = services.source_record_failure(source_id=source.pk, error="timeout")

    assert source.health == "failing"


def test_record_success_resets_failures_and_keeps_the_cursor(world, no_jitter):
    source = add_source(world, poll_interval=15)
    for _ in range(4):
        services.source_record_failure(source_id=source.pk, error="down")

    before = datetime.now(UTC)
    services.source_record_success(source_id=source.pk, cursor={"etag": '"abc"'}, fetched=7)
    services.source_record_success(source_id=source.pk, cursor={"etag": '"def"'}, fetched=3)

    source.refresh_from_db()
    assert source.consecutive_failures == 0
    assert source.cursor == {"etag": '"def"'}
    assert source.posts_fetched == 10
    assert source.health == "ok"
    assert timedelta(minutes=14) < source.next_poll_at - before <= timedelta(minutes=16)


def test_switching_a_source_back_on_makes_it_due_and_healthy(world):
    source = add_source(world)
    for _ in range(3):
        services.source_record_failure(source_id=source.pk, error="down")
    source = services.source_update(actor=world.users["admin"], source=source, is_active=False)
    assert source.health == "paused"

    source = services.source_update(actor=world.users["admin"], source=source, is_active=True)

    assert source.consecutive_failures == 0
    assert source.next_poll_at <= datetime.now(UTC)


# -- queries ----------------------------------------------------------------------------


def test_query_create_refuses_a_bad_expression_saying_where(world):
    with pytest.raises(ValidationError) as excinfo:
        add_query(world, expression="acme AND (phone OR")

    message = " ".join(excinfo.value.message_dict["expression"])
    assert "position" in message


def test_query_create_keeps_languages_and_platforms_sorted_and_unique(world):
    query = add_query(world, languages=["ru", "en", "en"], platforms=["reddit", "bluesky"])

    assert query.languages == ["en", "ru"]
    assert query.platforms == ["bluesky", "reddit"]


def test_query_update_keeps_languages_and_platforms_sorted_and_unique(world):
    query = add_query(world)

    services.query_update(
        actor=world.users["admin"], query=query, languages=["zh", "en", "zh"], platforms=["rss"]
    )

    query.refresh_from_db()
    assert query.languages == ["en", "zh"]
    assert query.platforms == ["rss"]


def test_query_update_refuses_a_bad_expression_and_keeps_the_old_one(world):
    query = add_query(world)

    with pytest.raises(ValidationError):
        services.query_update(actor=world.users["admin"], query=query, expression='"acme')

    query.refresh_from_db()
    assert query.expression == "acme"


def test_a_query_name_is_unique_per_brand(world):
    add_query(world)

    with pytest.raises(ValidationError):
        add_query(world, expression="acme OR globex")


# -- hand corrections --------------------------------------------------------------------


def test_mention_set_sentiment_moves_the_counts_between_buckets(world):
    acme = add_query(world)
    phone = add_query(world, name="Phones", expression="phone")
    ingest([make_post("1", "I love my new Acme phone, it is wonderful", reach=40, likes=5)])
    mention = Mention.objects.get()
    assert mention.sentiment == "positive"
    assert by_sentiment(query=acme) == {"positive": (1, 40, 5)}

    corrected = services.mention_set_sentiment(
        actor=world.users["analyst"], mention=mention, sentiment="negative"
    )

    assert corrected.sentiment_source == "manual"
    assert corrected.sentiment_set_by == world.users["analyst"]
    assert corrected.sentiment_score == -1.0
    for query in (acme, phone):
        buckets = by_sentiment(query=query)
        assert buckets["negative"] == (1, 40, 5)
        assert buckets.get("positive", (0, 0, 0)) == (0, 0, 0)
    assert Rollup.objects.filter(brand=world.brand).aggregate(n=Sum("count"))["n"] == 2


def test_setting_the_same_sentiment_again_moves_nothing(world):
    query = add_query(world)
    ingest([make_post("1", "I love my new Acme phone")])
    mention = Mention.objects.get()

    services.mention_set_sentiment(
        actor=world.users["analyst"], mention=mention, sentiment="positive"
    )

    assert by_sentiment(query=query) == {"positive": (1, 0, 0)}
    assert Mention.objects.get().sentiment_source == "manual"


def test_a_hand_correction_survives_a_reingest_and_phrase_rules(world):
    query = add_query(world)
    text = "Acme support is terrible, a killer feature for nobody"
    ingest([make_post("1", text)])
    mention = Mention.objects.get()
    services.mention_set_sentiment(
        actor=world.users["manager"], mention=mention, sentiment="neutral"
    )

    ingest([make_post("1", text)])
    services.phrase_rule_create(
        actor=world.users["manager"],
        brand=world.brand,
        phrase="killer feature",
        sentiment="positive",
    )
    changed = services.phrase_rules_apply(actor=world.users["manager"], brand=world.brand)

    assert changed == 0
    mention.refresh_from_db()
    assert (mention.sentiment, mention.sentiment_source) == ("neutral", "manual")
    assert by_sentiment(query=query)["neutral"] == (1, 0, 0)
    assert by_sentiment(query=query).get("negative", (0, 0, 0)) == (0, 0, 0)


def test_mention_set_sentiment_refuses_an_unknown_label(world):
    add_query(world)
    ingest([make_post("1", "Acme phone")])

    with pytest.raises(ValidationError) as excinfo:
        services.mention_set_sentiment(
            actor=world.users["analyst"], mention=Mention.objects.get(), sentiment="furious"
        )

    assert "sentiment" in excinfo.value.message_dict
    assert Mention.objects.get().sentiment_source == "model"


# -- phrase rules ------------------------------------------------------------------------


def test_phrase_rules_apply_changes_matching_mentions_and_returns_the_count(world):
    query = add_query(world)
    ingest(
        [
            make_post("1", "The Acme battery is a killer feature"),
            make_post("2", "Acme killer feature, honestly"),
            make_post("3", "I love my new Acme phone"),
        ]
    )
    rule = services.phrase_rule_create(
        actor=world.users["manager"],
        brand=world.brand,
        phrase="  killer feature ",
        sentiment="negative",
    )
    assert rule.phrase == "killer feature"
    before_total = Rollup.objects.filter(query=query).aggregate(n=Sum("count"))["n"]

    changed = services.phrase_rules_apply(actor=world.users["manager"], brand=world.brand)

    assert changed == 2
    ruled = Mention.objects.filter(post__external_id__in=["1", "2"])
    assert {(m.sentiment, m.sentiment_source) for m in ruled} == {("negative", "rule")}
    untouched = Mention.objects.get(post__external_id="3")
    assert untouched.sentiment_source == "model"
    assert by_sentiment(query=query)["negative"][0] == 2
    assert Rollup.objects.filter(query=query).aggregate(n=Sum("count"))["n"] == before_total
    assert services.phrase_rules_apply(actor=world.users["manager"], brand=world.brand) == 0


def test_phrase_rules_apply_gives_the_model_back_its_say_when_a_rule_goes(world):
    add_query(world)
    rule = services.phrase_rule_create(
        actor=world.users["manager"],
        brand=world.brand,
        phrase="killer feature",
        sentiment="negative",
    )
    ingest([make_post("1", "I love my new Acme phone, a killer feature")])
    assert Mention.objects.get().sentiment_source == "rule"

    rule.delete()
    changed = services.phrase_rules_apply(actor=world.users["manager"], brand=world.brand)

    mention = Mention.objects.get()
    assert changed == 1
    assert (mention.sentiment, mention.sentiment_source) == ("positive", "model")


def test_phrase_rules_apply_touches_only_its_brand(world):
    add_query(world)
    services.query_create(
        actor=world.foreign_admin, brand=world.foreign_brand, name="Acme", expression="acme"
    )
    ingest([make_post("1", "Acme killer feature")])
    services.phrase_rule_create(
        actor=world.users["manager"],
        brand=world.brand,
        phrase="killer feature",
        sentiment="negative",
    )

    services.phrase_rules_apply(actor=world.users["manager"], brand=world.brand)

    assert Mention.objects.get(brand=world.foreign_brand).sentiment_source == "model"


# -- audit -------------------------------------------------------------------------------


def test_it_audits_a_new_source_with_its_name_and_kind(world):
    with recorded() as events:
        add_source(world)

    [event] = events
    assert (event.action, event.actor, event.brand) == (
        AuditEvent.Action.SOURCE_CREATED,
        world.users["admin"],
        world.brand,
    )
    assert event.detail == {"name": "Blog", "kind": "rss"}
    assert event.summary == "rss source “Blog” in Acme Test"


def test_it_audits_the_names_of_a_sources_changed_settings_never_their_values(world):
    source = add_source(
        world,
        name="Toots",
        kind="mastodon",
        config={"instance": "mastodon.social", "tag": "acme", "access_token": "s3cret"},
    )

    with recorded() as events:
        services.source_update(
            actor=world.users["manager"],
            source=source,
            name="Toots",
            poll_interval=30,
            config={"instance": "mastodon.social", "tag": "acme", "access_token": "n3w-s3cret"},
        )

    [event] = events
    assert (event.action, event.actor) == (AuditEvent.Action.SOURCE_UPDATED, world.users["manager"])
    assert event.detail == {
        "name": "Toots",
        "kind": "mastodon",
        "changes": ["poll_interval", "config"],
    }
    assert "s3cret" not in str(event.detail)
    assert event.summary == "mastodon source “Toots” in Acme Test: changed poll interval, config"


def test_it_audits_nothing_when_a_source_is_saved_unchanged(world):
    source = add_source(world)

    with recorded() as events:
        services.source_update(
            actor=world.users["manager"], source=source, name="Blog", config={"url": FEED}
        )

    assert events == []


def test_it_audits_a_new_query(world):
    with recorded() as events:
        add_query(world, name="Acme")

    [event] = events
    assert (event.action, event.actor, event.brand) == (
        AuditEvent.Action.QUERY_CREATED,
        world.users["admin"],
        world.brand,
    )
    assert event.summary == "query “Acme” in Acme Test"


def test_it_audits_the_fields_a_query_change_touched(world):
    query = add_query(world, languages=["en"])

    with recorded() as events:
        services.query_update(
            actor=world.users["analyst"],
            query=query,
            name="Acme",
            expression="acme OR #acme",
            languages=["de", "en"],
            is_active=True,
        )

    [event] = events
    assert (event.action, event.actor) == (AuditEvent.Action.QUERY_UPDATED, world.users["analyst"])
    assert event.detail == {"name": "Acme", "changes": ["expression", "languages"]}
    assert event.summary == "query “Acme” in Acme Test: changed expression, languages"


def test_switching_a_query_off_and_on_is_audited_apart_from_other_changes(world):
    query = add_query(world)

    with recorded() as off:
        services.query_update(actor=world.users["manager"], query=query, is_active=False)
    with recorded() as on_and_renamed:
        services.query_update(
            actor=world.users["manager"], query=query, is_active=True, name="Acme brand"
        )

    assert [e.action for e in off] == [AuditEvent.Action.QUERY_PAUSED]
    assert off[0].summary == "query “Acme” in Acme Test"
    assert [(e.action, e.detail) for e in on_and_renamed] == [
        (AuditEvent.Action.QUERY_UPDATED, {"name": "Acme brand", "changes": ["name"]}),
        (AuditEvent.Action.QUERY_RESUMED, {"name": "Acme brand"}),
    ]


def test_a_refused_query_change_leaves_no_audit_row(world):
    query = add_query(world)

    with recorded() as events, pytest.raises(ValidationError):
        services.query_update(actor=world.users["manager"], query=query, expression='acme AND ("')

    assert events == []


def test_it_audits_a_new_phrase_rule_and_not_a_refused_one(world):
    with recorded() as events:
        services.phrase_rule_create(
            actor=world.users["manager"],
            brand=world.brand,
            phrase="killer feature",
            sentiment="positive",
        )
    with recorded() as refused, pytest.raises(ValidationError):
        services.phrase_rule_create(
            actor=world.users["manager"], brand=world.brand, phrase="  ", sentiment="positive"
        )

    [event] = events
    assert (event.action, event.actor) == (
        AuditEvent.Action.PHRASE_RULE_CREATED,
        world.users["manager"],
    )
    assert event.summary == "phrase rule “killer feature” in Acme Test: sentiment positive"
    assert refused == []


def test_it_audits_an_import_when_it_starts_and_not_when_it_is_refused(world, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    job = services.import_job_create(
        actor=world.users["analyst"],
        brand=world.brand,
        upload=SimpleUploadedFile("export.csv", b"text,date\nAcme,2025-05-19T10:00:00Z\n"),
    )

    with recorded() as events:
        services.import_job_start(
            actor=world.users["analyst"],
            job=job,
            mapping={"text": "text", "published_at": "date"},
            default_platform="reddit",
        )
    with recorded() as again, pytest.raises(ValidationError):
        services.import_job_start(
            actor=world.users["analyst"],
            job=job,
            mapping={"text": "text", "published_at": "date"},
            default_platform="reddit",
        )

    [event] = events
    assert (event.action, event.actor, event.brand) == (
        AuditEvent.Action.IMPORT_STARTED,
        world.users["analyst"],
        world.brand,
    )
    assert event.detail == {"name": "export.csv", "format": "csv"}
    assert event.summary == "import “export.csv” in Acme Test"
    assert again == []


def hear_one_post(committed) -> None:
    """A blog post saying "acme rocks", ingested with the on-commit hooks run."""
    post = NormalizedPost(
        platform="rss",
        external_id="1",
        url="https://blog.example/1",
        text="acme rocks",
        published_at=datetime.now(UTC),
        lang="en",
    )
    with committed():
        ingest([post])


def test_deleting_a_source_is_audited_and_keeps_its_mentions(world, committed):
    source = add_source(world, name="Blog")
    add_query(world)
    hear_one_post(committed)

    with recorded() as events:
        services.source_delete(actor=world.users["manager"], source=source)

    [event] = events
    assert (event.action, event.actor) == (AuditEvent.Action.SOURCE_DELETED, world.users["manager"])
    assert event.summary == "rss source “Blog” in Acme Test"
    assert not Source.objects.filter(pk=source.pk).exists()
    assert Mention.objects.filter(brand=world.brand).count() == 1


def test_deleting_a_query_is_audited_and_drops_its_counters(world, committed):
    query = add_query(world, name="Acme")
    hear_one_post(committed)

    with recorded() as events:
        services.query_delete(actor=world.users["manager"], query=query)

    [event] = events
    assert event.action == AuditEvent.Action.QUERY_DELETED
    assert event.summary == "brand query “Acme” in Acme Test"
    assert not Rollup.objects.filter(query_id=query.pk).exists()
    assert Mention.objects.filter(brand=world.brand).count() == 1


def test_removing_a_phrase_rule_is_audited(world):
    rule = services.phrase_rule_create(
        actor=world.users["manager"],
        brand=world.brand,
        phrase="killer feature",
        sentiment="positive",
    )

    with recorded() as events:
        services.phrase_rule_delete(actor=world.users["analyst"], rule=rule)

    [event] = events
    assert (event.action, event.actor) == (
        AuditEvent.Action.PHRASE_RULE_DELETED,
        world.users["analyst"],
    )
    assert event.summary == "phrase rule “killer feature” in Acme Test"


def test_it_audits_a_hand_corrected_sentiment_named_by_the_start_of_the_post(world):
    add_query(world)
    ingest(
        [
            make_post(
                "1", "I love my new Acme phone,\nit is wonderful and the battery lasts for days"
            )
        ]
    )
    mention = Mention.objects.get()

    with recorded() as events:
        services.mention_set_sentiment(
            actor=world.users["analyst"], mention=mention, sentiment="negative"
        )

    [event] = events
    assert (event.action, event.actor, event.brand) == (
        AuditEvent.Action.MENTION_SENTIMENT_CHANGED,
        world.users["analyst"],
        world.brand,
    )
    assert event.detail == {
        "name": "I love my new Acme phone, it is wonderful and the battery la",
        "field": "sentiment",
        "from": "positive",
        "to": "negative",
    }
    assert event.summary == (
        "mention “I love my new Acme phone, it is wonderful and the battery la” in Acme Test: "
        "sentiment positive → negative"
    )


def test_the_same_or_an_unknown_sentiment_audits_nothing(world):
    add_query(world)
    ingest([make_post("1", "I love my new Acme phone")])
    mention = Mention.objects.get()

    with recorded() as events:
        services.mention_set_sentiment(
            actor=world.users["analyst"], mention=mention, sentiment="positive"
        )
        with pytest.raises(ValidationError):
            services.mention_set_sentiment(
                actor=world.users["analyst"], mention=mention, sentiment="furious"
            )

    assert events == []


def test_it_audits_how_many_mentions_the_phrase_rules_re_scored(world):
    add_query(world)
    ingest(
        [
            make_post("1", "The Acme battery is a killer feature"),
            make_post("2", "Acme killer feature, honestly"),
        ]
    )
    services.phrase_rule_create(
        actor=world.users["manager"],
        brand=world.brand,
        phrase="killer feature",
        sentiment="negative",
    )

    with recorded() as events:
        services.phrase_rules_apply(actor=world.users["manager"], brand=world.brand)
    with recorded() as again:
        services.phrase_rules_apply(actor=world.users["manager"], brand=world.brand)

    [event] = events
    assert (event.action, event.actor, event.brand) == (
        AuditEvent.Action.PHRASE_RULES_APPLIED,
        world.users["manager"],
        world.brand,
    )
    assert event.detail == {"count": 2}
    assert event.summary == "phrase rules in Acme Test: re-scored 2 mentions"
    assert again == []
