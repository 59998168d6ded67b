"""The listening pages of a brand: sources, the query editor, the mention stream and
phrase rules, as the people who use them see them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from listening import services, tasks
from listening.connectors.base import NormalizedPost
from listening.http import HttpClient
from listening.models import Mention, PhraseRule, Query, Source
from listening.pipeline import forget_compiled_queries, ingest
from socialhub.models import AuditEvent
from tests.audit import recorded

pytestmark = pytest.mark.django_db

FEED = "https://feeds.example.com/acme.xml"


def url(name: str, brand, **kwargs) -> str:
    return reverse(f"listening:{name}", kwargs={"brand_slug": brand.slug, **kwargs})


def post(n: int, text: str, *, platform="reddit", lang="en", hours_ago=1) -> NormalizedPost:
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
    )


@pytest.fixture
def query(world):
    """A query of the brand, and phrase rules that fix the sentiment of the test posts."""
    forget_compiled_queries()
    admin = world.users["admin"]
    for phrase, sentiment in (("love it", "positive"), ("broke again", "negative")):
        services.phrase_rule_create(
            actor=admin, brand=world.brand, phrase=phrase, sentiment=sentiment
        )
    return services.query_create(
        actor=admin, brand=world.brand, name="Acme brand", expression="acme OR #acme"
    )


@pytest.fixture
def mentions(world, query):
    """Five mentions of the brand: two positive, two negative, one in German on Mastodon."""
    ingest(
        [
            post(1, "acme headphones, love it", hours_ago=1),
            post(2, "acme app broke again", hours_ago=2),
            post(3, "my acme order broke again", hours_ago=3),
            post(4, "#acme love it", platform="mastodon", lang="de", hours_ago=4),
            post(5, "acme support love it", hours_ago=24 * 10),
        ],
        brand_ids={world.brand.pk},
    )
    return list(Mention.objects.filter(brand=world.brand).order_by("-published_at"))


def texts(response) -> list[str]:
    return [m.post.text for m in response.context["mentions"]]


# -- sources --------------------------------------------------------------------------


def test_it_lists_sources_with_health_last_error_and_backoff(world):
    admin = world.users["admin"]
    ok = services.source_create(
        actor=admin, brand=world.brand, name="Good feed", kind="rss", config={"url": FEED}
    )
    services.source_record_success(source_id=ok.pk, cursor={}, fetched=3)
    bad = services.source_create(
        actor=admin,
        brand=world.brand,
        name="Broken feed",
        kind="rss",
        config={"url": "https://feeds.example.com/gone.xml"},
    )
    for _ in range(3):
        services.source_record_failure(source_id=bad.pk, error="HTTP 404 from feeds.example.com")

    response = world.client_for("client").get(url("source_list", world.brand))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Good feed" in body and "Broken feed" in body
    assert "Ok" in body and "Backing off" in body
    assert "HTTP 404 from feeds.example.com" in body
    assert "failed 3 times in a row, retrying less often" in body


def test_it_adds_a_source_and_records_the_failed_first_fetch(world, monkeypatch, committed):
    def offline(request):
        raise httpx.ConnectError("no network in tests", request=request)

    monkeypatch.setattr(tasks, "HttpClient", _client_with(httpx.MockTransport(offline)))
    client = world.client_for("manager")

    with committed():
        response = client.post(
            url("source_create", world.brand),
            {
                "name": "Acme news",
                "kind": "rss",
                "cfg_url": FEED,
                "poll_interval": 30,
                "is_active": "on",
            },
        )

    assert response.status_code == 302
    source = Source.objects.get(brand=world.brand, name="Acme news")
    assert source.config == {"url": FEED}
    assert source.consecutive_failures == 1
    assert source.last_error
    page = client.get(url("source_list", world.brand))
    assert page.status_code == 200
    assert "Failing" in page.content.decode()


def _client_with(transport):
    return lambda **kwargs: HttpClient(transport=transport, **kwargs)


def test_it_shows_a_missing_setting_on_its_field(world):
    response = world.client_for("manager").post(
        url("source_create", world.brand),
        {"name": "No address", "kind": "rss", "poll_interval": 15},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["cfg_url"] == [
        "Feed address is needed for this kind of source."
    ]
    assert not Source.objects.filter(name="No address").exists()


def test_it_shows_a_bad_setting_on_its_field(world):
    response = world.client_for("manager").post(
        url("source_create", world.brand),
        {
            "name": "Bad address",
            "kind": "rss",
            "cfg_url": "ftp://example.com/x",
            "poll_interval": 15,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["cfg_url"] == ["Enter an http(s) feed address."]
    assert "Enter an http(s) feed address." in response.content.decode()
    assert not Source.objects.filter(name="Bad address").exists()


def test_client_cannot_add_or_edit_sources(world):
    source = services.source_create(
        actor=world.users["admin"], brand=world.brand, name="Feed", kind="rss", config={"url": FEED}
    )
    client = world.client_for("client")

    page = client.get(url("source_list", world.brand)).content.decode()
    assert "Add a source" not in page
    assert url("source_update", world.brand, pk=source.pk) not in page
    assert "Fetch now" not in page
    data = {"name": "Mine", "kind": "rss", "cfg_url": FEED, "poll_interval": 15}
    assert client.post(url("source_create", world.brand), data).status_code == 403
    assert client.post(url("source_update", world.brand, pk=source.pk), data).status_code == 403
    assert client.post(url("source_fetch", world.brand, pk=source.pk)).status_code == 403
    assert list(Source.objects.filter(brand=world.brand).values_list("name", flat=True)) == ["Feed"]


def test_it_keeps_a_secret_setting_unless_it_is_retyped(world):
    source = services.source_create(
        actor=world.users["admin"],
        brand=world.brand,
        name="Toots",
        kind="mastodon",
        config={"instance": "mastodon.social", "tag": "acme", "access_token": "s3cret"},
    )
    client = world.client_for("manager")

    page = client.get(url("source_update", world.brand, pk=source.pk)).content.decode()
    assert "s3cret" not in page
    response = client.post(
        url("source_update", world.brand, pk=source.pk),
        {
            "name": "Toots",
            "cfg_instance": "mastodon.social",
            "cfg_tag": "acme2",
            "poll_interval": 15,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    source.refresh_from_db()
    assert source.config["tag"] == "acme2"
    assert source.config["access_token"] == "s3cret"


def test_it_checks_ownership_of_sources(world):
    foreign = services.source_create(
        actor=world.foreign_admin,
        brand=world.foreign_brand,
        name="Theirs",
        kind="rss",
        config={"url": FEED},
    )
    client = world.client_for("manager")

    assert client.get(url("source_list", world.foreign_brand)).status_code == 404
    assert client.get(url("source_update", world.brand, pk=foreign.pk)).status_code == 404
    assert client.post(url("source_fetch", world.brand, pk=foreign.pk)).status_code == 404


# -- the query editor -----------------------------------------------------------------


def query_data(**overrides) -> dict:
    return {"name": "Competitor", "kind": "competitor", "expression": "globex", **overrides}


def test_it_shows_where_an_expression_is_wrong_and_saves_nothing(world):
    response = world.client_for("analyst").post(
        url("query_create", world.brand), query_data(expression='acme AND ("broken')
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["expression"]
    assert len(errors) == 1 and "position" in errors[0].lower()
    assert not Query.objects.filter(brand=world.brand).exists()


def test_it_shows_the_error_when_previewing_a_wrong_expression(world):
    response = world.client_for("analyst").post(
        url("query_create", world.brand), query_data(expression="acme AND", preview="1")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["expression"]
    assert "preview" not in response.context
    assert not Query.objects.filter(brand=world.brand).exists()


def test_it_shows_lint_warnings(world):
    response = world.client_for("analyst").post(
        url("query_create", world.brand), query_data(expression="a* OR acme", preview="1")
    )

    assert response.status_code == 200
    assert response.context["warnings"]
    assert 'class="lint"' in response.content.decode()


def test_it_previews_the_count_of_stored_mentions_without_saving(world, mentions):
    response = world.client_for("analyst").post(
        url("query_create", world.brand),
        query_data(name="", expression='"broke again"', preview="1"),
    )

    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.matched, preview.scanned) == (2, 5)
    assert "data-preview-count>2<" in response.content.decode()
    # Previewing does not ask for the fields only saving needs.
    assert not response.context["form"].errors
    assert Query.objects.filter(brand=world.brand).count() == 1


def test_it_previews_over_the_chosen_period(world, mentions):
    response = world.client_for("analyst").post(
        url("query_create", world.brand),
        query_data(expression='"love it"', preview="1", preview_days="7"),
    )

    assert response.context["preview"].matched == 2  # the ten-day-old one is out
    assert '<option value="7" selected>' in response.content.decode()


def test_it_saves_a_query(world):
    response = world.client_for("analyst").post(
        url("query_create", world.brand), query_data(languages="en", platforms=["reddit"])
    )

    assert response.status_code == 302
    query = Query.objects.get(brand=world.brand)
    assert (query.name, query.kind, query.expression) == ("Competitor", "competitor", "globex")
    assert query.platforms == ["reddit"]


def test_it_edits_a_query(world, query):
    response = world.client_for("manager").post(
        url("query_update", world.brand, pk=query.pk),
        query_data(name="Acme", expression="acme OR acmecorp", is_active="on"),
    )

    assert response.status_code == 302
    query.refresh_from_db()
    assert query.expression == "acme OR acmecorp"


def test_the_query_editor_audits_what_changed_though_its_form_fills_the_query(world, query):
    # The bound ModelForm writes the new values onto the query before the service runs:
    # the changes are what differs from the stored row.
    with recorded() as events:
        world.client_for("manager").post(
            url("query_update", world.brand, pk=query.pk),
            query_data(name="Acme brand", kind="brand", expression="acme OR acmecorp"),
        )

    assert [(e.action, e.actor, e.detail) for e in events] == [
        (
            AuditEvent.Action.QUERY_UPDATED,
            world.users["manager"],
            {"name": "Acme brand", "changes": ["expression"]},
        ),
        (AuditEvent.Action.QUERY_PAUSED, world.users["manager"], {"name": "Acme brand"}),
    ]


def test_client_cannot_edit_queries(world, query):
    client = world.client_for("client")

    assert "New query" not in client.get(url("query_list", world.brand)).content.decode()
    assert client.post(url("query_create", world.brand), query_data()).status_code == 403
    assert (
        client.post(url("query_update", world.brand, pk=query.pk), query_data()).status_code == 403
    )


def test_it_checks_ownership_of_queries(world):
    foreign = services.query_create(
        actor=world.foreign_admin, brand=world.foreign_brand, name="Theirs", expression="x"
    )
    client = world.client_for("manager")

    assert client.get(url("query_list", world.foreign_brand)).status_code == 404
    assert client.get(url("query_update", world.brand, pk=foreign.pk)).status_code == 404


# -- the mention stream ---------------------------------------------------------------


def test_it_shows_the_mentions_of_the_last_30_days(world, mentions):
    response = world.client_for("client").get(url("mention_list", world.brand))

    assert response.status_code == 200
    assert texts(response) == [m.post.text for m in mentions]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"platform": "mastodon"}, ["#acme love it"]),
        ({"sentiment": "negative"}, ["acme app broke again", "my acme order broke again"]),
        ({"lang": "de"}, ["#acme love it"]),
        ({"q": "ORDER"}, ["my acme order broke again"]),
        ({"days": "1", "sentiment": "positive"}, ["acme headphones, love it", "#acme love it"]),
    ],
)
def test_it_filters_the_stream(world, mentions, params, expected):
    response = world.client_for("analyst").get(url("mention_list", world.brand), params)

    assert texts(response) == expected


def test_it_filters_by_query(world, mentions):
    other = services.query_create(
        actor=world.users["admin"], brand=world.brand, name="Headphones", expression="headphones"
    )
    forget_compiled_queries()
    ingest([post(9, "new headphones from acme")], brand_ids={world.brand.pk})

    response = world.client_for("analyst").get(
        url("mention_list", world.brand), {"query": other.pk}
    )

    assert texts(response) == ["new headphones from acme"]


def test_it_filters_by_a_date_range(world, mentions):
    day = (datetime.now(UTC) - timedelta(days=10)).date()
    response = world.client_for("analyst").get(
        url("mention_list", world.brand), {"days": "", "start": day, "end": day}
    )

    assert texts(response) == ["acme support love it"]


def test_it_says_when_the_end_comes_before_the_start(world, mentions):
    response = world.client_for("analyst").get(
        url("mention_list", world.brand),
        {"days": "", "start": "2025-03-10", "end": "2025-03-01"},
    )

    assert response.status_code == 200
    assert "The end comes before the start." in response.content.decode()


def test_it_survives_dates_at_the_edge_of_the_calendar(world, mentions):
    client = world.client_for("analyst")

    for params in ({"end": "0001-01-02"}, {"start": "0001-01-01"}, {"start": "9999-12-31"}):
        assert client.get(url("mention_list", world.brand), params).status_code == 200


def test_it_ignores_unknown_filter_values(world, mentions):
    response = world.client_for("analyst").get(
        url("mention_list", world.brand),
        {"platform": "myspace", "sentiment": "meh", "query": "999999", "days": "12", "lang": "en"},
    )

    assert response.status_code == 200
    # Only the language filter applied; the others say they were ignored.
    assert len(texts(response)) == 4
    assert response.content.decode().count("This filter was ignored.") == 4


def test_pagination_keeps_the_filters(world, query, monkeypatch):
    from listening.views import MentionListView

    monkeypatch.setattr(MentionListView, "paginate_by", 2)
    ingest(
        [post(n, f"acme thing {n} broke again", hours_ago=n) for n in range(1, 6)]
        + [post(10, "acme love it")],
        brand_ids={world.brand.pk},
    )
    client = world.client_for("analyst")

    first = client.get(url("mention_list", world.brand), {"sentiment": "negative"})
    assert '<a rel="next" href="?sentiment=negative&amp;page=2">' in first.content.decode()
    second = client.get(url("mention_list", world.brand), {"sentiment": "negative", "page": 2})
    assert texts(second) == ["acme thing 3 broke again", "acme thing 4 broke again"]


def test_it_corrects_a_mention_sentiment_from_the_stream(world, mentions):
    mention = mentions[1]
    client = world.client_for("analyst")
    back = url("mention_list", world.brand) + "?sentiment=negative"

    response = client.post(
        url("mention_sentiment", world.brand, pk=mention.pk),
        {"sentiment": "neutral", "back": back},
    )

    assert response.status_code == 302 and response.url == back
    mention.refresh_from_db()
    assert (mention.sentiment, mention.sentiment_source) == ("neutral", "manual")
    page = client.get(url("mention_list", world.brand), {"sentiment": "neutral"})
    assert "Neutral · corrected" in page.content.decode()


def test_it_does_not_redirect_a_correction_off_the_site(world, mentions):
    response = world.client_for("analyst").post(
        url("mention_sentiment", world.brand, pk=mentions[0].pk),
        {"sentiment": "neutral", "back": "//evil.example/"},
    )

    assert response.url == url("mention_list", world.brand)


def test_client_cannot_correct_sentiment(world, mentions):
    client = world.client_for("client")

    page = client.get(url("mention_list", world.brand)).content.decode()
    assert "Correct sentiment" not in page
    response = client.post(
        url("mention_sentiment", world.brand, pk=mentions[0].pk), {"sentiment": "negative"}
    )
    assert response.status_code == 403
    mentions[0].refresh_from_db()
    assert mentions[0].sentiment == "positive"


def test_it_checks_ownership_of_mentions(world, mentions):
    client = world.client_for(world.foreign_manager)

    assert client.get(url("mention_list", world.brand)).status_code == 404
    response = world.client_for("manager").post(
        url("mention_sentiment", world.foreign_brand, pk=mentions[0].pk),
        {"sentiment": "neutral"},
    )
    assert response.status_code == 404


def test_the_stream_runs_a_fixed_number_of_queries(world, query):
    client = world.client_for("analyst")
    ingest(
        [post(n, f"acme {n} love it", hours_ago=n) for n in range(1, 3)], brand_ids={world.brand.pk}
    )
    with CaptureQueriesContext(connection) as small:
        client.get(url("mention_list", world.brand))
    ingest(
        [post(n, f"acme {n} broke again", hours_ago=n) for n in range(3, 30)],
        brand_ids={world.brand.pk},
    )
    services.mention_set_sentiment(
        actor=world.users["analyst"], mention=Mention.objects.first(), sentiment="neutral"
    )
    with CaptureQueriesContext(connection) as larger:
        response = client.get(url("mention_list", world.brand))

    assert len(response.context["mentions"]) == 29
    # Session, user, brand and role (the page frame), the queries for the filter,
    # the count, the page of mentions with their posts, authors and correctors, and the
    # queries each mention matched (one prefetch).
    assert len(larger.captured_queries) == len(small.captured_queries)
    assert len(larger.captured_queries) == EXPECTED_STREAM_QUERIES, [
        q["sql"] for q in larger.captured_queries
    ]


def test_the_sources_list_runs_a_fixed_number_of_queries(world):
    client = world.client_for("analyst")
    admin = world.users["admin"]

    def add(n):
        services.source_create(
            actor=admin, brand=world.brand, name=f"Feed {n}", kind="rss", config={"url": FEED}
        )

    add(0)
    with CaptureQueriesContext(connection) as small:
        client.get(url("source_list", world.brand))
    for n in range(1, 12):
        add(n)
    with CaptureQueriesContext(connection) as larger:
        client.get(url("source_list", world.brand))

    # The page frame (session, user, brand and role), then one for the sources.
    assert len(larger.captured_queries) == len(small.captured_queries)
    assert len(larger.captured_queries) == EXPECTED_SOURCE_QUERIES, [
        q["sql"] for q in larger.captured_queries
    ]


# The page frame: session, user, the agency's two-factor rule, brand, admin check, role,
# the brand switcher and the alert bell's unread count.
EXPECTED_STREAM_QUERIES = 13
EXPECTED_SOURCE_QUERIES = 10


# -- phrase rules ---------------------------------------------------------------------


def test_it_adds_applies_and_removes_phrase_rules(world, mentions):
    client = world.client_for("manager")
    rules = url("phraserule_list", world.brand)

    response = client.post(rules, {"phrase": "headphones", "sentiment": "negative"})
    assert response.status_code == 302
    rule = PhraseRule.objects.get(brand=world.brand, phrase="headphones")
    assert "“headphones”" in client.get(rules).content.decode()

    response = client.post(rules, {"apply": "1"}, follow=True)
    assert "Rules applied:" in response.content.decode()
    headphones = Mention.objects.get(post__text="acme headphones, love it")
    assert headphones.sentiment_source == "rule"

    response = client.post(url("phraserule_delete", world.brand, pk=rule.pk), follow=True)
    assert "removed" in response.content.decode()
    assert not PhraseRule.objects.filter(pk=rule.pk).exists()


def test_it_shows_an_empty_phrase_on_its_field(world):
    response = world.client_for("manager").post(
        url("phraserule_list", world.brand), {"phrase": "", "sentiment": "negative"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["phrase"]


def test_client_cannot_change_phrase_rules(world):
    rule = services.phrase_rule_create(
        actor=world.users["admin"], brand=world.brand, phrase="war zone", sentiment="neutral"
    )
    client = world.client_for("client")
    rules = url("phraserule_list", world.brand)

    assert "Add a rule" not in client.get(rules).content.decode()
    assert client.post(rules, {"phrase": "x", "sentiment": "negative"}).status_code == 403
    assert client.post(rules, {"apply": "1"}).status_code == 403
    assert client.post(url("phraserule_delete", world.brand, pk=rule.pk)).status_code == 403
    assert PhraseRule.objects.filter(pk=rule.pk).exists()


def test_it_checks_ownership_of_phrase_rules(world):
    rule = services.phrase_rule_create(
        actor=world.foreign_admin, brand=world.foreign_brand, phrase="x", sentiment="neutral"
    )
    client = world.client_for("manager")

    assert client.get(url("phraserule_list", world.foreign_brand)).status_code == 404
    assert client.post(url("phraserule_delete", world.brand, pk=rule.pk)).status_code == 404
    assert PhraseRule.objects.filter(pk=rule.pk).exists()
