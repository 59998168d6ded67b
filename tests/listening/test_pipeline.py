"""The ingest pipeline: normalized posts in, mentions, matches and rollups out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Sum

from listening import pipeline, services
from listening.connectors.base import NormalizedPost
from listening.models import Author, Mention, MentionMatch, Post, Rollup
from listening.pipeline import ingest
from socialhub import services as core_services

WHEN = datetime(2025, 5, 19, 17, 10, tzinfo=UTC)
LOVE = "I love my new Acme phone, it is wonderful"
HATE = "Acme support is terrible, awful experience"


@pytest.fixture(autouse=True)
def _fresh_matcher():
    # The compiled matcher is per process; test databases reuse ids between tests.
    pipeline.forget_compiled_queries()
    yield
    pipeline.forget_compiled_queries()


def make_post(external_id: str, text: str, **fields) -> NormalizedPost:
    values = {
        "platform": "mastodon",
        "external_id": external_id,
        "url": f"https://social.example/@someone/{external_id}",
        "text": text,
        "published_at": WHEN,
        "lang": "en",
    }
    values.update(fields)
    return NormalizedPost(**values)


def add_query(world, name="Acme", expression="acme", brand=None, **fields):
    return services.query_create(
        actor=world.users["admin"],
        brand=brand or world.brand,
        name=name,
        expression=expression,
        **fields,
    )


def rollup_totals(**filters) -> dict[str, int]:
    totals = Rollup.objects.filter(**filters).aggregate(
        count=Sum("count"), reach=Sum("reach"), engagement=Sum("engagement")
    )
    return {key: value or 0 for key, value in totals.items()}


def test_it_stores_authors_posts_mentions_matches_and_rollups(world):
    query = add_query(world)
    batch = [
        make_post(
            "1",
            LOVE,
            author_handle="ann",
            author_name="Ann",
            author_followers=100,
            likes=3,
            shares=2,
            replies=1,
        ),
        make_post("2", HATE, author_handle="bob", reach=50, likes=10),
        make_post(
            "3", HATE + " again", author_handle="ann", published_at=WHEN + timedelta(hours=1)
        ),
    ]

    result = ingest(batch)

    assert result.outcomes == ["stored", "stored", "stored"]
    assert result.new_mentions == 3 and result.new_matches == 3
    assert Author.objects.count() == 2
    assert Author.objects.get(handle="ann").followers == 100
    assert Post.objects.count() == 3
    assert Post.objects.get(external_id="1").reach == 100  # no reach given: the followers
    mentions = Mention.objects.filter(brand=world.brand)
    assert mentions.count() == 3
    assert MentionMatch.objects.filter(query=query).count() == 3
    assert {m.sentiment for m in mentions} == {"positive", "negative"}

    positive = Rollup.objects.get(query=query, sentiment="positive")
    assert positive.hour == WHEN.replace(minute=0)
    assert (positive.platform, positive.lang) == ("mastodon", "en")
    assert (positive.count, positive.reach, positive.engagement) == (1, 100, 6)
    first_hour = Rollup.objects.get(query=query, sentiment="negative", hour=WHEN.replace(minute=0))
    assert (first_hour.count, first_hour.reach, first_hour.engagement) == (1, 50, 10)
    next_hour = Rollup.objects.get(
        query=query, sentiment="negative", hour=WHEN.replace(minute=0) + timedelta(hours=1)
    )
    assert next_hour.count == 1
    assert rollup_totals(query=query) == {"count": 3, "reach": 150, "engagement": 16}


def test_it_stores_and_counts_nothing_more_when_a_batch_comes_twice(world):
    query = add_query(world)
    batch = [make_post("1", LOVE, likes=2), make_post("2", HATE, reach=10)]
    ingest(batch)
    before = rollup_totals(query=query)

    again = ingest([make_post("1", LOVE, likes=2), make_post("2", HATE, reach=10)])

    assert again.outcomes == ["duplicate", "duplicate"]
    assert again.new_mentions == 0 and again.new_matches == 0
    assert Post.objects.count() == 2 and Mention.objects.count() == 2
    assert MentionMatch.objects.count() == 2
    assert rollup_totals(query=query) == before == {"count": 2, "reach": 10, "engagement": 2}


def test_it_refreshes_engagement_when_a_post_comes_again(world):
    add_query(world)
    ingest([make_post("1", LOVE, likes=2)])

    ingest([make_post("1", LOVE, likes=40, shares=5)])

    post = Post.objects.get(external_id="1")
    assert (post.likes, post.shares) == (40, 5)


def test_it_gives_each_brand_whose_query_matches_its_own_mention(world):
    ours = add_query(world)
    theirs = add_query(world, name="Acme watch", brand=world.foreign_brand)

    result = ingest([make_post("1", LOVE)])

    assert result.new_mentions == 2
    assert Post.objects.count() == 1
    assert set(Mention.objects.values_list("brand_id", flat=True)) == {
        world.brand.pk,
        world.foreign_brand.pk,
    }
    assert rollup_totals(query=ours)["count"] == 1
    assert rollup_totals(query=theirs)["count"] == 1
    assert rollup_totals(brand=world.foreign_brand)["count"] == 1


def test_it_counts_a_mention_once_per_query_that_heard_it(world):
    acme = add_query(world)
    phone = add_query(world, name="Phones", expression="phone", kind="product")

    result = ingest([make_post("1", LOVE)])

    assert result.new_mentions == 1 and result.new_matches == 2
    mention = Mention.objects.get()
    assert set(mention.queries.all()) == {acme, phone}
    assert rollup_totals(query=acme)["count"] == 1
    assert rollup_totals(query=phone)["count"] == 1


def test_it_counts_a_new_query_match_of_a_stored_mention(world):
    acme = add_query(world)
    ingest([make_post("1", LOVE)])
    phone = add_query(world, name="Phones", expression="phone")

    result = ingest([make_post("1", LOVE)])

    assert result.outcomes == ["duplicate"]
    assert result.new_matches == 1
    assert rollup_totals(query=acme)["count"] == 1
    assert rollup_totals(query=phone)["count"] == 1


def test_it_stores_a_post_repeated_inside_a_batch_once(world):
    query = add_query(world)

    result = ingest([make_post("1", LOVE), make_post("1", LOVE), make_post("2", HATE)])

    assert result.outcomes == ["stored", "duplicate", "stored"]
    assert result.duplicates_in_batch == 1
    assert Post.objects.count() == 2
    assert rollup_totals(query=query)["count"] == 2


def test_it_does_not_store_posts_no_query_matches(world):
    add_query(world)

    result = ingest([make_post("1", "Nothing to see here"), make_post("2", LOVE)])

    assert result.outcomes == ["unmatched", "stored"]
    assert not Post.objects.filter(external_id="1").exists()
    assert Mention.objects.count() == 1


def test_it_reports_a_batch_without_matches_as_unmatched(world):
    add_query(world)

    result = ingest([make_post("1", "Nothing"), make_post("1", "Nothing")])

    assert result.outcomes == ["unmatched", "duplicate"]
    assert Post.objects.count() == 0 and Author.objects.count() == 0


def test_it_limits_matching_to_the_given_brands(world):
    add_query(world)
    add_query(world, name="Acme watch", brand=world.foreign_brand)

    result = ingest([make_post("1", LOVE)], brand_ids={world.foreign_brand.pk})

    assert result.new_mentions == 1
    assert list(Mention.objects.values_list("brand_id", flat=True)) == [world.foreign_brand.pk]


def test_it_applies_the_query_languages_filter(world):
    add_query(world, languages=["de"])

    result = ingest([make_post("1", LOVE, lang="en"), make_post("2", "Acme ist toll", lang="de")])

    assert result.outcomes == ["unmatched", "stored"]


def test_it_applies_the_query_platforms_filter(world):
    add_query(world, platforms=["reddit"])

    result = ingest([make_post("1", LOVE), make_post("2", LOVE, platform="reddit")])

    assert result.outcomes == ["unmatched", "stored"]
    assert Mention.objects.get().platform == "reddit"


def test_it_detects_the_language_when_the_platform_did_not_say(world):
    query = add_query(world)
    chinese = "我今天买了一个新的Acme手机，质量非常好"
    russian = "Мне очень нравится мой новый телефон Acme"

    ingest([make_post("zh", chinese, lang=None), make_post("ru", russian, lang=None)])

    assert Post.objects.get(external_id="zh").lang == "zh"
    assert Post.objects.get(external_id="ru").lang == "ru"
    assert set(Rollup.objects.filter(query=query).values_list("lang", flat=True)) == {"zh", "ru"}


def test_it_clamps_a_future_timestamp_to_now_and_keeps_the_claim(world):
    add_query(world)
    now = datetime.now(UTC)
    claimed = now + timedelta(days=3)

    ingest([make_post("1", LOVE, published_at=claimed)], now=now)

    post = Post.objects.get()
    assert post.published_at == now
    assert post.raw["_published_at_claimed"] == claimed.isoformat()
    assert Mention.objects.get().published_at == now
    assert Rollup.objects.get().hour == now.replace(minute=0, second=0, microsecond=0)


def test_it_caps_a_100_kb_text(world):
    add_query(world)

    ingest([make_post("1", "Acme " + "x" * 100_000)])

    assert len(Post.objects.get().text) == pipeline.MAX_TEXT


def test_it_keeps_an_emoji_only_post(world):
    add_query(world, expression="author:ann")

    result = ingest([make_post("1", "🔥🔥🔥", lang=None, author_handle="ann")])

    assert result.outcomes == ["stored"]
    assert Post.objects.get().text == "🔥🔥🔥"


def test_it_ignores_inactive_queries(world):
    add_query(world, is_active=False)

    assert ingest([make_post("1", LOVE)]).outcomes == ["unmatched"]


def test_it_ignores_queries_of_archived_brands(world):
    add_query(world)
    add_query(world, name="Acme watch", brand=world.sibling)
    ingest([make_post("0", LOVE)])  # the matcher is compiled with both brands
    core_services.brand_set_archived(actor=world.users["admin"], brand=world.sibling, archived=True)

    result = ingest([make_post("1", LOVE)])

    assert result.new_mentions == 1
    assert not Mention.objects.filter(brand=world.sibling, post__external_id="1").exists()


def test_it_matches_an_edited_query_from_the_next_batch(world):
    query = add_query(world)
    assert ingest([make_post("1", LOVE)]).outcomes == ["stored"]

    services.query_update(actor=world.users["admin"], query=query, expression="globex")

    result = ingest([make_post("2", LOVE), make_post("3", "Globex is hiring")])
    assert result.outcomes == ["unmatched", "stored"]


def test_it_stops_matching_a_query_switched_off(world):
    query = add_query(world)
    ingest([make_post("1", LOVE)])

    services.query_update(actor=world.users["admin"], query=query, is_active=False)

    assert ingest([make_post("2", LOVE)]).outcomes == ["unmatched"]


def test_a_brand_phrase_rule_overrides_the_model_at_ingest(world):
    query = add_query(world)
    services.phrase_rule_create(
        actor=world.users["admin"], brand=world.brand, phrase="killer feature", sentiment="positive"
    )
    add_query(world, name="Acme watch", brand=world.foreign_brand)

    ingest([make_post("1", "Acme battery is a killer feature, terrible for rivals")])

    ours = Mention.objects.get(brand=world.brand)
    assert (ours.sentiment, ours.sentiment_source, ours.sentiment_score) == (
        "positive",
        "rule",
        1.0,
    )
    theirs = Mention.objects.get(brand=world.foreign_brand)
    assert theirs.sentiment_source == "model"
    assert Rollup.objects.get(query=query).sentiment == "positive"


def test_it_hands_new_mentions_to_the_hooks_after_commit(world, committed, monkeypatch):
    add_query(world)
    heard: list[list[int]] = []
    monkeypatch.setattr(pipeline, "_after_ingest_hooks", [heard.append])

    with committed():
        result = ingest([make_post("1", LOVE)])
    with committed():
        ingest([make_post("1", LOVE)])

    assert heard == [result.mention_ids]


def test_a_failing_after_ingest_hook_does_not_stop_the_others(world, committed, monkeypatch):
    seen = []

    def broken(ids):
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "_after_ingest_hooks", [broken, seen.append])
    add_query(world)
    with committed():
        result = ingest([make_post("1", "acme rocks")])

    assert result.new_mentions == 1
    assert seen == [result.mention_ids]


def test_a_batch_sends_one_hand_off_message_whatever_the_number_of_hooks(
    world, committed, monkeypatch
):
    from listening import tasks

    add_query(world)
    ran: list[list[int]] = []
    monkeypatch.setattr(pipeline, "_after_ingest_hooks", [ran.append, ran.append, ran.append])
    sent: list[list[int]] = []
    monkeypatch.setattr(tasks.after_ingest, "delay", sent.append)

    with committed():
        result = ingest([make_post("1", LOVE), make_post("2", "acme again")])

    assert sent == [result.mention_ids]  # one message; the worker runs the hooks
    assert ran == []
    tasks.after_ingest(sent[0])
    assert ran == [result.mention_ids] * 3


def test_a_broker_that_is_down_does_not_undo_the_batch(world, committed, monkeypatch, caplog):
    from listening import tasks

    def down(ids):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.after_ingest, "delay", down)
    add_query(world)
    with committed():
        result = ingest([make_post("1", LOVE)])

    assert result.new_mentions == 1
    assert Mention.objects.count() == 1
    assert "hand-off of 1 new mentions was not queued" in caplog.text


def test_many_batches_store_the_same_as_one_at_a_time(world):
    """ingest_batches prepares the next batch in a thread while writing the current one;
    what it stores and counts is what batch-by-batch ingest stores and counts."""
    add_query(world)
    batches = [
        [make_post(f"b{b}-{i}", LOVE if i % 2 else HATE) for i in range(5)] for b in range(3)
    ]
    batches[2].append(make_post("b0-1", LOVE))  # came in an earlier batch
    batches[2].append(make_post("nothing", "a post no query hears"))

    results = list(pipeline.ingest_batches(batches))

    assert [r.new_mentions for r in results] == [5, 5, 5]
    assert results[2].outcomes[-2:] == ["duplicate", "unmatched"]
    assert Mention.objects.filter(brand=world.brand).count() == 15
    assert rollup_totals(brand=world.brand)["count"] == 15
    assert set(Mention.objects.values_list("sentiment", flat=True)) == {"positive", "negative"}


def test_many_batches_see_a_query_added_between_batches(world):
    add_query(world)
    batches = iter([[make_post("one", "acme and zenith")], [make_post("two", "acme and zenith")]])

    def batches_adding_a_query():
        yield next(batches)
        # Added while the first batch is being stored: the second batch is prepared
        # with the queries read after this point.
        add_query(world, name="Zenith", expression="zenith")
        yield next(batches)

    results = list(pipeline.ingest_batches(batches_adding_a_query()))

    assert [r.new_matches for r in results] == [1, 2]
