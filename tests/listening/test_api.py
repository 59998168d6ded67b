"""The listening API under /api/brands/<slug>/: sources, queries (with validate),
mentions (filters, hand corrections) and the push ingest, as API users see them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from listening import services
from listening.connectors.base import NormalizedPost
from listening.models import Mention, Post, Query, Source
from listening.pipeline import forget_compiled_queries, ingest
from socialhub.models import AuditEvent

pytestmark = pytest.mark.django_db

FEED = "https://feeds.example.com/acme.xml"
ROLES = ["admin", "manager", "analyst", "client"]
STAFF = ["admin", "manager", "analyst"]


@pytest.fixture
def api(world):
    """``api("analyst")``: an API client signed in as a role's user, or as any user."""

    def client_for(who) -> APIClient:
        client = APIClient()
        client.force_login(world.users[who] if isinstance(who, str) else who)
        return client

    return client_for


def base(brand) -> str:
    return f"/api/brands/{brand.slug}"


def post(n: int, text: str, *, platform="reddit", lang="en", hours_ago=1.0, **kw) -> NormalizedPost:
    return NormalizedPost(
        platform=platform,
        external_id=f"post-{n}",
        url=f"https://example.com/p/{n}",
        text=text,
        published_at=datetime.now(UTC) - timedelta(hours=hours_ago),
        author_handle=f"person{n}",
        author_name=f"Person {n}",
        lang=lang,
        reach=100,
        **kw,
    )


@pytest.fixture
def query(world):
    """The brand's query, and phrase rules that fix the sentiment of the test posts."""
    forget_compiled_queries()
    admin = world.users["admin"]
    for phrase, sentiment in (("love it", "positive"), ("broke again", "negative")):
        services.phrase_rule_create(
            actor=admin, brand=world.brand, phrase=phrase, sentiment=sentiment
        )
    return services.query_create(
        actor=admin,
        brand=world.brand,
        name="Acme brand",
        expression="acme OR #acme OR author:acmefan",
    )


@pytest.fixture
def other_query(world, query):
    return services.query_create(
        actor=world.users["admin"], brand=world.brand, name="Rival", expression="rival"
    )


@pytest.fixture
def mentions(world, query, other_query):
    """Five mentions: two positive, two negative, one German on Mastodon, one 10 days old."""
    ingest(
        [
            post(1, "acme headphones, love it", hours_ago=1),
            post(2, "acme app broke again", hours_ago=2),
            post(3, "my rival order broke again", hours_ago=3),
            post(4, "#acme love it", platform="mastodon", lang="de", hours_ago=4),
            post(5, "acme support love it", hours_ago=24 * 10),
        ],
        brand_ids={world.brand.pk},
    )
    return list(Mention.objects.filter(brand=world.brand).order_by("-published_at"))


def texts(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [m["text"] for m in response.json()["results"]]


# -- sources ---------------------------------------------------------------------------


def rss_source(world, **overrides) -> Source:
    data = {"name": "Acme news", "kind": "rss", "config": {"url": FEED}} | overrides
    return services.source_create(actor=world.users["admin"], brand=world.brand, **data)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_lists_the_sources_with_their_health(world, api, role):
    source = rss_source(world)
    services.source_record_failure(source_id=source.pk, error="HTTP 404 from feeds.example.com")

    response = api(role).get(f"{base(world.brand)}/sources/")

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["name"] == "Acme news"
    assert row["health"] == "failing"
    assert row["last_error"] == "HTTP 404 from feeds.example.com"
    assert row["consecutive_failures"] == 1
    assert api(role).get(f"{base(world.brand)}/sources/{source.pk}/").status_code == 200


@pytest.mark.parametrize("role", STAFF)
def test_staff_create_update_and_delete_sources(world, api, role):
    client = api(role)

    created = client.post(
        f"{base(world.brand)}/sources/",
        {"name": "Acme news", "kind": "rss", "config": {"url": FEED}, "poll_interval": 30},
        format="json",
    )

    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    source = Source.objects.get(pk=pk)
    assert (source.brand, source.config, source.poll_interval) == (world.brand, {"url": FEED}, 30)
    assert created.json()["health"] == "new"

    changed = client.patch(
        f"{base(world.brand)}/sources/{pk}/", {"name": "Acme feed"}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["name"] == "Acme feed"

    assert client.delete(f"{base(world.brand)}/sources/{pk}/").status_code == 204
    assert not Source.objects.filter(pk=pk).exists()
    # Through the service: the deletion is in the brand's activity.
    assert AuditEvent.objects.filter(
        brand=world.brand, action=AuditEvent.Action.SOURCE_DELETED
    ).exists()


def test_the_client_reads_sources_but_cannot_change_them(world, api):
    source = rss_source(world)
    client = api("client")
    url = f"{base(world.brand)}/sources/"

    assert client.post(url, {"name": "X", "kind": "push"}, format="json").status_code == 403
    assert client.patch(f"{url}{source.pk}/", {"name": "Y"}, format="json").status_code == 403
    assert client.delete(f"{url}{source.pk}/").status_code == 403
    assert client.post(f"{url}{source.pk}/fetch/").status_code == 403
    source.refresh_from_db()
    assert source.name == "Acme news"
    assert Source.objects.filter(brand=world.brand).count() == 1


def test_it_never_returns_a_secret_setting(world, api):
    services.source_create(
        actor=world.users["admin"],
        brand=world.brand,
        name="Mastodon search",
        kind="mastodon",
        config={"instance": "mastodon.social", "query": "acme", "access_token": "s3cret-token"},
    )

    for role in ROLES:
        body = api(role).get(f"{base(world.brand)}/sources/").content.decode()
        assert "s3cret-token" not in body
        assert "mastodon.social" in body


def test_a_secret_sent_back_masked_is_kept(world, api):
    source = services.source_create(
        actor=world.users["admin"],
        brand=world.brand,
        name="Mastodon search",
        kind="mastodon",
        config={"instance": "mastodon.social", "query": "acme", "access_token": "s3cret-token"},
    )
    url = f"{base(world.brand)}/sources/{source.pk}/"
    client = api("manager")
    config = client.get(url).json()["config"]

    response = client.patch(url, {"config": {**config, "query": "acme phones"}}, format="json")

    assert response.status_code == 200, response.content
    source.refresh_from_db()
    assert source.config["access_token"] == "s3cret-token"
    assert source.config["query"] == "acme phones"


@pytest.mark.parametrize(
    "kind, config, field",
    [
        ("rss", {}, "url"),
        ("rss", {"url": "ftp://example.com/feed"}, "url"),
        ("rss", {"url": "http://127.0.0.1/feed"}, "url"),
        ("mastodon", {"tag": "acme"}, "instance"),
        ("hackernews", {}, "query"),
    ],
)
def test_an_invalid_setting_is_a_400_naming_it(world, api, kind, config, field):
    response = api("analyst").post(
        f"{base(world.brand)}/sources/",
        {"name": "Bad", "kind": kind, "config": config},
        format="json",
    )

    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert field in errors["config"], errors
    assert not Source.objects.filter(name="Bad").exists()


@pytest.mark.parametrize("config", [["url"], "https://feeds.example.com/x.xml", 3])
def test_settings_that_are_not_an_object_are_a_400(world, api, config):
    response = api("analyst").post(
        f"{base(world.brand)}/sources/",
        {"name": "Bad", "kind": "rss", "config": config},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert "config" in response.json()["errors"]


@pytest.mark.parametrize("interval", [0, -5, 1441, "often"])
def test_a_poll_interval_out_of_range_is_a_400(world, api, interval):
    response = api("analyst").post(
        f"{base(world.brand)}/sources/",
        {"name": "Bad", "kind": "push", "poll_interval": interval},
        format="json",
    )

    assert response.status_code == 400
    assert "poll_interval" in response.json()["errors"]
    assert not Source.objects.filter(name="Bad").exists()


def test_an_unknown_kind_is_a_400_naming_it(world, api):
    response = api("analyst").post(
        f"{base(world.brand)}/sources/", {"name": "Bad", "kind": "myspace"}, format="json"
    )

    assert response.status_code == 400
    assert "kind" in response.json()["errors"]


def test_the_kind_of_a_source_cannot_change(world, api):
    source = rss_source(world)

    response = api("analyst").patch(
        f"{base(world.brand)}/sources/{source.pk}/", {"kind": "push"}, format="json"
    )

    assert response.status_code == 200
    source.refresh_from_db()
    assert source.kind == "rss"


def test_an_invalid_setting_on_update_is_a_400(world, api):
    source = rss_source(world)

    response = api("analyst").patch(
        f"{base(world.brand)}/sources/{source.pk}/",
        {"config": {"url": "javascript:alert(1)"}},
        format="json",
    )

    assert response.status_code == 400
    assert "url" in response.json()["errors"]["config"]
    source.refresh_from_db()
    assert source.config == {"url": FEED}


def test_fetch_now_queues_a_fetch(world, api, monkeypatch):
    source = rss_source(world)
    queued = []
    monkeypatch.setattr(services, "source_fetch_now", lambda **kw: queued.append(kw["source"]))

    response = api("analyst").post(f"{base(world.brand)}/sources/{source.pk}/fetch/")

    assert response.status_code == 202
    assert queued == [source]


# -- queries ---------------------------------------------------------------------------


def test_it_creates_a_query(world, api):
    response = api("analyst").post(
        f"{base(world.brand)}/queries/",
        {
            "name": "CEO",
            "kind": "person",
            "expression": '"Jane Doe" OR @janedoe',
            "languages": ["en", "de"],
            "platforms": ["mastodon", "bluesky"],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    query = Query.objects.get(pk=response.json()["id"])
    assert query.brand == world.brand
    assert (query.kind, query.languages, query.platforms) == (
        "person",
        ["de", "en"],
        ["bluesky", "mastodon"],
    )


def test_an_invalid_expression_is_a_400_with_its_position(world, api):
    response = api("analyst").post(
        f"{base(world.brand)}/queries/",
        {"name": "Broken", "expression": "acme AND (phones"},
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["expression"]
    [message] = errors["expression"]
    assert "position 16" in message and "Expected" in message
    assert not Query.objects.filter(name="Broken").exists()


def test_an_invalid_expression_on_update_is_a_400(world, api, query):
    response = api("analyst").patch(
        f"{base(world.brand)}/queries/{query.pk}/", {"expression": "acme OR"}, format="json"
    )

    assert response.status_code == 400
    assert "position 7" in response.json()["errors"]["expression"][0]
    query.refresh_from_db()
    assert query.expression == "acme OR #acme OR author:acmefan"


@pytest.mark.parametrize(
    "field, value",
    [
        ("kind", "celebrity"),
        ("languages", ["english"]),
        ("languages", "en"),
        ("platforms", ["myspace"]),
        ("name", ""),
        ("expression", ""),
    ],
)
def test_it_names_an_invalid_field_of_a_query(world, api, field, value):
    data = {"name": "Q", "kind": "brand", "expression": "acme"} | {field: value}

    response = api("analyst").post(f"{base(world.brand)}/queries/", data, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_a_duplicate_query_name_is_a_400(world, api, query):
    response = api("analyst").post(
        f"{base(world.brand)}/queries/",
        {"name": "Acme brand", "expression": "acme"},
        format="json",
    )

    assert response.status_code == 400
    assert "name" in response.json()["errors"]


def test_the_client_reads_queries_but_cannot_change_them(world, api, query):
    client = api("client")
    url = f"{base(world.brand)}/queries/"

    assert [q["name"] for q in client.get(url).json()["results"]] == ["Acme brand"]
    assert client.post(url, {"name": "Q", "expression": "x"}, format="json").status_code == 403
    assert client.patch(f"{url}{query.pk}/", {"name": "Y"}, format="json").status_code == 403
    assert client.delete(f"{url}{query.pk}/").status_code == 403
    assert Query.objects.get(pk=query.pk).name == "Acme brand"


def test_staff_update_queries(world, api, query):
    url = f"{base(world.brand)}/queries/{query.pk}/"

    response = api("manager").patch(
        url, {"expression": "acme NOT jobs", "is_active": False}, format="json"
    )

    assert response.status_code == 200, response.content
    query.refresh_from_db()
    assert (query.expression, query.is_active) == ("acme NOT jobs", False)


def test_staff_rename_a_query_to_its_own_name(world, api, query):
    url = f"{base(world.brand)}/queries/{query.pk}/"

    response = api("analyst").put(
        url, {"name": "Acme brand", "kind": "brand", "expression": "acme"}, format="json"
    )

    assert response.status_code == 200, response.content
    query.refresh_from_db()
    assert query.expression == "acme"


def test_staff_delete_queries(world, api, query):
    url = f"{base(world.brand)}/queries/{query.pk}/"

    assert api("manager").delete(url).status_code == 204
    assert not Query.objects.filter(pk=query.pk).exists()
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.QUERY_DELETED)
    assert (event.brand, event.actor) == (world.brand, world.users["manager"])


def test_validate_says_where_an_expression_is_wrong(world, api):
    response = api("client").post(
        f"{base(world.brand)}/queries/validate/", {"expression": "acme OR"}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False
    assert body["position"] == 7
    assert "position 7" in body["error"]


def test_validate_gives_lint_warnings(world, api):
    response = api("analyst").post(
        f"{base(world.brand)}/queries/validate/", {"expression": "the"}, format="json"
    )

    body = response.json()
    assert body["valid"] is True and body["error"] is None
    assert [w["code"] for w in body["warnings"]] == ["common-word"]
    assert "very common word" in body["warnings"][0]["message"]


def test_validate_needs_an_expression(world, api):
    response = api("analyst").post(f"{base(world.brand)}/queries/validate/", {}, format="json")

    assert response.status_code == 400
    assert "expression" in response.json()["errors"]


# -- mentions --------------------------------------------------------------------------


def test_it_lists_mentions_newest_first_with_both_times(world, api, mentions):
    response = api("client").get(f"{base(world.brand)}/mentions/")

    assert texts(response) == [
        "acme headphones, love it",
        "acme app broke again",
        "my rival order broke again",
        "#acme love it",
        "acme support love it",
    ]
    first = response.json()["results"][0]
    mention = mentions[0]
    assert first["published_at"] and first["ingested_at"]
    published = datetime.fromisoformat(first["published_at"])
    ingested = datetime.fromisoformat(first["ingested_at"])
    assert published == mention.published_at
    assert ingested == mention.post.ingested_at
    # Given to a tenth of a second.
    assert first["time_to_mention_s"] == pytest.approx(
        (ingested - published).total_seconds(), abs=0.05
    )
    assert first["author"] == {
        "handle": "person1",
        "name": "Person 1",
        "url": "",
        "followers": None,
    }
    assert first["sentiment"] == "positive"
    assert first["sentiment_source"] == "rule"
    assert [q["name"] for q in first["queries"]] == ["Acme brand"]
    assert first["url"] == "https://example.com/p/1"


@pytest.mark.parametrize(
    "params, expected",
    [
        ("sentiment=negative", ["acme app broke again", "my rival order broke again"]),
        ("platform=mastodon", ["#acme love it"]),
        ("lang=de", ["#acme love it"]),
        ("lang=DE", ["#acme love it"]),
        ("q=HEADPHONES", ["acme headphones, love it"]),
        (
            "q=broke&sentiment=negative&platform=reddit",
            ["acme app broke again", "my rival order broke again"],
        ),
    ],
)
def test_it_filters_mentions(world, api, mentions, params, expected):
    assert texts(api("analyst").get(f"{base(world.brand)}/mentions/?{params}")) == expected


def test_it_filters_mentions_by_query(world, api, mentions, other_query):
    url = f"{base(world.brand)}/mentions/?query={other_query.pk}"

    assert texts(api("analyst").get(url)) == ["my rival order broke again"]


def test_it_filters_mentions_by_a_date_range(world, api, mentions):
    since = (datetime.now(UTC) - timedelta(days=11)).isoformat()
    until = (datetime.now(UTC) - timedelta(days=5)).isoformat()
    client = api("analyst")

    response = client.get(f"{base(world.brand)}/mentions/", {"since": since, "until": until})

    assert texts(response) == ["acme support love it"]
    recent = client.get(f"{base(world.brand)}/mentions/", {"since": until})
    assert len(texts(recent)) == 4


@pytest.mark.parametrize(
    "params, field",
    [("since=yesterday", "since"), ("sentiment=angry", "sentiment"), ("query=abc", "query")],
)
def test_a_bad_filter_is_a_400_naming_it(world, api, mentions, params, field):
    response = api("analyst").get(f"{base(world.brand)}/mentions/?{params}")

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_it_pages_the_mentions(world, api, mentions):
    client = api("analyst")

    first = client.get(f"{base(world.brand)}/mentions/?page_size=2").json()

    assert first["count"] == 5
    assert len(first["results"]) == 2
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    assert third["next"] is None
    ids = [m["id"] for page in (first, second, third) for m in page["results"]]
    assert ids == [m.pk for m in mentions]


def test_a_mention_of_two_queries_is_listed_once(world, api, mentions, other_query):
    ingest([post(9, "acme or rival, who knows")], brand_ids={world.brand.pk})

    response = api("analyst").get(f"{base(world.brand)}/mentions/")

    assert texts(response).count("acme or rival, who knows") == 1
    assert response.json()["count"] == 6
    [row] = [m for m in response.json()["results"] if m["text"] == "acme or rival, who knows"]
    assert sorted(q["name"] for q in row["queries"]) == ["Acme brand", "Rival"]


def test_the_mention_list_runs_a_fixed_number_of_queries(world, api, query):
    client = api("analyst")
    url = f"{base(world.brand)}/mentions/"

    def count_queries(n: int, start: int) -> int:
        ingest(
            [post(start + i, f"acme number {i}", hours_ago=1 + i) for i in range(n)],
            brand_ids={world.brand.pk},
        )
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    small = count_queries(3, 0)
    assert Mention.objects.filter(brand=world.brand).count() == 3
    large = count_queries(27, 100)
    assert Mention.objects.filter(brand=world.brand).count() == 30
    assert small == large


# -- hand corrections ------------------------------------------------------------------


def test_staff_correct_a_mention_and_rescoring_keeps_it(world, api, mentions):
    mention = mentions[0]  # positive by the "love it" rule
    url = f"{base(world.brand)}/mentions/{mention.pk}/sentiment/"

    response = api("analyst").post(url, {"sentiment": "negative"}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["sentiment"], body["sentiment_source"]) == ("negative", "manual")
    # Re-applying the phrase rules and ingesting the post again leave the correction.
    services.phrase_rules_apply(actor=world.users["admin"], brand=world.brand)
    ingest([post(1, "acme headphones, love it")], brand_ids={world.brand.pk})
    mention.refresh_from_db()
    assert (mention.sentiment, mention.sentiment_source) == ("negative", "manual")
    assert mention.sentiment_set_by == world.users["analyst"]
    again = api("client").get(f"{base(world.brand)}/mentions/{mention.pk}/").json()
    assert (again["sentiment"], again["sentiment_source"]) == ("negative", "manual")


def test_the_client_cannot_correct_a_mention(world, api, mentions):
    url = f"{base(world.brand)}/mentions/{mentions[0].pk}/sentiment/"

    response = api("client").post(url, {"sentiment": "negative"}, format="json")

    assert response.status_code == 403
    mentions[0].refresh_from_db()
    assert mentions[0].sentiment == "positive"


def test_an_unknown_sentiment_is_a_400(world, api, mentions):
    url = f"{base(world.brand)}/mentions/{mentions[0].pk}/sentiment/"

    response = api("analyst").post(url, {"sentiment": "furious"}, format="json")

    assert response.status_code == 400
    assert "sentiment" in response.json()["errors"]


# -- push ingest -----------------------------------------------------------------------


def item(n: int, text: str = "acme pushed post", **overrides) -> dict:
    return {
        "external_id": f"push-{n}",
        "text": text,
        "published_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "url": f"https://example.com/push/{n}",
        "author_handle": f"pusher{n}",
        "likes": 3,
    } | overrides


def push(world, api, posts, role="analyst"):
    return api(role).post(f"{base(world.brand)}/mentions/ingest/", {"posts": posts}, format="json")


def test_it_ingests_a_batch_and_stores_the_same_post_once(world, api, query):
    response = push(world, api, [item(1), item(2, "nothing to hear"), item(1)])

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["received"], body["stored"], body["invalid"]) == (3, 1, 0)
    assert [r["status"] for r in body["results"]] == ["stored", "unmatched", "duplicate"]
    again = push(world, api, [item(1)]).json()
    assert again["stored"] == 0
    assert again["results"] == [{"index": 0, "status": "duplicate"}]
    assert Post.objects.filter(external_id="push-1").count() == 1
    mention = Mention.objects.get(brand=world.brand)
    assert (mention.platform, mention.post.likes) == ("api", 3)


def test_it_names_the_index_and_field_of_each_invalid_item(world, api, query):
    posts = [
        item(0),
        item(1, published_at="last tuesday"),
        item(2, external_id=""),
        "not an object",
        item(4, likes=-1, url="javascript:alert(1)"),
        item(5, platform="myspace"),
    ]

    response = push(world, api, posts)

    assert response.status_code == 200
    body = response.json()
    assert (body["received"], body["stored"], body["invalid"]) == (6, 1, 5)
    results = body["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4, 5]
    assert results[0]["status"] == "stored"
    assert list(results[1]["errors"]) == ["published_at"]
    assert list(results[2]["errors"]) == ["external_id"]
    assert list(results[3]["errors"]) == ["item"]
    assert set(results[4]["errors"]) == {"likes", "url"}
    assert list(results[5]["errors"]) == ["platform"]
    assert all(r["status"] == "invalid" for r in results[1:])


def test_a_post_with_no_text_is_an_item_error(world, api, query):
    body = push(world, api, [item(1, text=""), item(2, text="  \n\t "), item(3, text=None)])

    assert body.status_code == 200
    assert [list(r["errors"]) for r in body.json()["results"]] == [["text"]] * 3
    assert not Post.objects.exists()


def test_odd_posts_get_a_sensible_stored_result(world, api, query):
    future = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    before = datetime.now(UTC)
    posts = [
        item(1, "🎉🔥🎉", author_handle="acmefan"),  # emoji only, heard by author:acmefan
        item(2, "acme " + "x" * 100_000),
        item(3, "acme from the future", published_at=future),
    ]

    response = push(world, api, posts)

    assert response.status_code == 200, response.content
    assert [r["status"] for r in response.json()["results"]] == ["stored"] * 3
    emoji = Post.objects.get(external_id="push-1")
    assert emoji.text == "🎉🔥🎉"
    long = Post.objects.get(external_id="push-2")
    assert long.text.startswith("acme x") and 0 < len(long.text) <= 20_000
    futuristic = Mention.objects.get(post__external_id="push-3")
    assert before <= futuristic.published_at <= datetime.now(UTC)
    listed = api("client").get(f"{base(world.brand)}/mentions/?q=future").json()["results"]
    assert [m["external_id"] for m in listed] == ["push-3"]
    assert listed[0]["time_to_mention_s"] >= 0


def test_it_refuses_more_than_1000_posts(world, api, query):
    response = push(world, api, [item(n) for n in range(1001)])

    assert response.status_code == 400
    assert "posts" in response.json()["errors"]
    assert not Post.objects.exists()


def test_it_takes_1000_posts(world, api, query):
    response = push(world, api, [item(n, "nothing") for n in range(1000)])

    assert response.status_code == 200
    assert response.json()["received"] == 1000


@pytest.mark.parametrize("body", [{}, {"posts": []}, {"posts": "acme"}, [1, 2]])
def test_a_malformed_batch_is_a_400(world, api, query, body):
    response = api("analyst").post(f"{base(world.brand)}/mentions/ingest/", body, format="json")

    assert response.status_code == 400


def test_pushed_posts_are_heard_only_by_the_brand_pushed_to(world, api, query):
    services.query_create(
        actor=world.foreign_admin, brand=world.foreign_brand, name="Acme too", expression="acme"
    )

    push(world, api, [item(1)])

    assert Mention.objects.filter(post__external_id="push-1").count() == 1
    assert Mention.objects.get(post__external_id="push-1").brand == world.brand


def test_the_client_cannot_push(world, api, query):
    assert push(world, api, [item(1)], role="client").status_code == 403
    assert not Post.objects.exists()


# -- authentication and other brands ---------------------------------------------------


def test_a_token_works_on_every_listening_endpoint(world, query, mentions):
    token = Token.objects.create(user=world.users["analyst"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    for path in ("sources/", "queries/", "mentions/"):
        assert client.get(f"{base(world.brand)}/{path}").status_code == 200
    response = client.post(
        f"{base(world.brand)}/mentions/ingest/", {"posts": [item(1)]}, format="json"
    )
    assert response.json()["stored"] == 1
    unauthenticated = APIClient().get(f"{base(world.brand)}/mentions/")
    assert unauthenticated.status_code == 401
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token nope")
    assert bad.get(f"{base(world.brand)}/mentions/").status_code == 401


def test_another_brands_objects_answer_404(world, api, query, mentions):
    foreign_admin = world.foreign_admin
    source = services.source_create(
        actor=foreign_admin,
        brand=world.foreign_brand,
        name="Theirs",
        kind="rss",
        config={"url": FEED},
    )
    their_query = services.query_create(
        actor=foreign_admin, brand=world.foreign_brand, name="Theirs", expression="acme"
    )
    client = api("manager")
    mine = base(world.brand)
    theirs = base(world.foreign_brand)

    # Their objects through my brand's URLs.
    assert client.get(f"{mine}/sources/{source.pk}/").status_code == 404
    assert (
        client.patch(f"{mine}/sources/{source.pk}/", {"name": "x"}, format="json").status_code
        == 404
    )
    assert client.delete(f"{mine}/sources/{source.pk}/").status_code == 404
    assert client.post(f"{mine}/sources/{source.pk}/fetch/").status_code == 404
    assert client.get(f"{mine}/queries/{their_query.pk}/").status_code == 404
    assert client.delete(f"{mine}/queries/{their_query.pk}/").status_code == 404
    # My objects through their brand's URLs, and their brand at all.
    mention = mentions[0]
    assert client.get(f"{theirs}/mentions/{mention.pk}/").status_code == 404
    sentiment = {"sentiment": "neutral"}
    assert client.post(f"{theirs}/mentions/{mention.pk}/sentiment/", sentiment).status_code == 404
    assert client.get(f"{theirs}/sources/").status_code == 404
    assert push(world, api, [item(1)], role=world.foreign_manager).status_code == 404
    # The foreign manager does not see my mention through their own brand either.
    foreign = api(world.foreign_manager)
    assert foreign.get(f"{theirs}/mentions/{mention.pk}/").status_code == 404
    assert foreign.post(f"{theirs}/mentions/{mention.pk}/sentiment/", sentiment).status_code == 404
    assert Source.objects.get(pk=source.pk).name == "Theirs"
    assert Query.objects.filter(pk=their_query.pk).exists()
    mention.refresh_from_db()
    assert mention.sentiment == "positive"


def test_filtering_by_another_brands_query_finds_nothing(world, api, mentions):
    their_query = services.query_create(
        actor=world.foreign_admin, brand=world.foreign_brand, name="Theirs", expression="acme"
    )

    assert texts(api("analyst").get(f"{base(world.brand)}/mentions/?query={their_query.pk}")) == []


# -- the schema ------------------------------------------------------------------------


def test_every_listening_endpoint_is_in_the_schema(db):
    response = APIClient().get("/api/schema/")

    assert response.status_code == 200
    paths = yaml.safe_load(response.content)["paths"]
    prefix = "/api/brands/{brand_slug}"
    expected = {
        "/sources/": {"get", "post"},
        "/sources/{id}/": {"get", "put", "patch", "delete"},
        "/sources/{id}/fetch/": {"post"},
        "/queries/": {"get", "post"},
        "/queries/{id}/": {"get", "put", "patch", "delete"},
        "/queries/validate/": {"post"},
        "/mentions/": {"get"},
        "/mentions/{id}/": {"get"},
        "/mentions/{id}/sentiment/": {"post"},
        "/mentions/ingest/": {"post"},
    }
    for path, methods in expected.items():
        assert prefix + path in paths, path
        assert methods <= set(paths[prefix + path]), (path, set(paths[prefix + path]))
    mentions = paths[f"{prefix}/mentions/"]["get"]
    names = {p["name"] for p in mentions["parameters"]}
    assert {"since", "until", "query", "platform", "sentiment", "lang", "q", "page"} <= names
    schemas = yaml.safe_load(response.content)["components"]["schemas"]
    assert {"published_at", "ingested_at", "time_to_mention_s"} <= set(
        schemas["Mention"]["properties"]
    )
