"""Background fetching: one source at a time under a lease, scheduled by poll_due_sources."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from listening import pipeline, services, tasks
from listening.models import Mention, Source
from socialhub import services as core_services
from tests.listening.fixtures.connectors.recorded import MockServer, always, body

FEED_URL = "https://daringfireball.net/feeds/main"


@pytest.fixture(autouse=True)
def _fresh_matcher():
    pipeline.forget_compiled_queries()
    yield
    pipeline.forget_compiled_queries()


def serve(monkeypatch, *responses: httpx.Response) -> MockServer:
    """Every HttpClient the tasks open answers from ``responses`` (the first one that fits)."""
    server = MockServer(*((always, response) for response in responses))
    monkeypatch.setattr(tasks, "HttpClient", lambda **kwargs: server.client())
    return server


def atom_feed() -> httpx.Response:
    return httpx.Response(
        200,
        headers={
            "content-type": "application/atom+xml",
            "etag": '"df-1"',
            "last-modified": "Tue, 27 Jun 2017 00:54:20 GMT",
        },
        content=body("feeds", "DaringFireball.atom"),
    )


def add_source(world, brand=None, **fields) -> Source:
    brand = brand or world.brand
    values = {"name": "Daring Fireball", "kind": "rss", "config": {"url": FEED_URL}}
    values.update(fields)
    actor = world.users["admin"] if brand.agency == world.agency else world.foreign_admin
    return services.source_create(actor=actor, brand=brand, **values)


def add_query(world, expression='"talk show"'):
    return services.query_create(
        actor=world.users["admin"], brand=world.brand, name="Talk Show", expression=expression
    )


def test_fetch_source_stores_matching_mentions_saves_the_cursor_and_records_success(
    world, monkeypatch
):
    add_query(world)
    source = add_source(world)
    server = serve(monkeypatch, atom_feed())

    outcome = tasks.fetch_source.delay(source.pk).get()

    assert outcome == {"fetched": 48, "new_mentions": 4}
    mentions = Mention.objects.filter(brand=world.brand).select_related("post")
    assert mentions.count() == 4
    assert all("talk show" in m.post.text.lower() for m in mentions)
    assert {m.platform for m in mentions} == {"rss"}
    source.refresh_from_db()
    assert source.cursor == {"etag": '"df-1"', "last_modified": "Tue, 27 Jun 2017 00:54:20 GMT"}
    assert source.health == "ok"
    assert source.posts_fetched == 48
    assert source.lease_until is None
    assert source.next_poll_at > datetime.now(UTC)
    assert str(server.requests[0].url) == FEED_URL


def test_the_next_fetch_sends_the_saved_cursor_and_stores_nothing_twice(world, monkeypatch):
    add_query(world)
    source = add_source(world)
    server = serve(monkeypatch, atom_feed())
    tasks.fetch_source.delay(source.pk)

    tasks.fetch_source.delay(source.pk)

    assert server.requests[1].headers["if-none-match"] == '"df-1"'
    assert Mention.objects.count() == 4


def test_a_feed_answering_500_is_recorded_on_the_source_without_raising(world, monkeypatch):
    source = add_source(world)
    serve(monkeypatch, httpx.Response(500, content=b"Internal Server Error"))

    assert tasks.fetch_source.delay(source.pk).get() is None

    source.refresh_from_db()
    assert source.consecutive_failures == 1
    assert "500" in source.last_error
    assert source.last_success_at is None
    assert source.health == "failing"
    assert source.lease_until is None


def test_a_feed_answering_garbage_is_recorded_on_the_source(world, monkeypatch):
    source = add_source(world)
    serve(
        monkeypatch,
        httpx.Response(
            200, headers={"content-type": "text/html"}, content=b"<html><body>Oops</body></html>"
        ),
    )

    tasks.fetch_source.delay(source.pk)

    source.refresh_from_db()
    assert source.consecutive_failures == 1
    assert source.last_error
    assert source.cursor == {}


def test_a_connector_bug_is_recorded_not_raised(world, monkeypatch):
    source = add_source(world)
    serve(monkeypatch, atom_feed())

    def broken(batches, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(tasks, "ingest_batches", broken)

    assert tasks.fetch_source.delay(source.pk).get() is None

    source.refresh_from_db()
    assert source.last_error == "Unexpected error (RuntimeError): boom"
    assert source.cursor == {}  # the cursor moves only once the posts are stored


def test_a_source_whose_lease_is_held_is_skipped(world, monkeypatch):
    add_query(world)
    source = add_source(world)
    held_until = datetime.now(UTC) + timedelta(minutes=5)
    Source.objects.filter(pk=source.pk).update(lease_until=held_until)
    server = serve(monkeypatch, atom_feed())

    assert tasks.fetch_source.delay(source.pk).get() is None

    assert server.requests == []
    source.refresh_from_db()
    assert source.lease_until == held_until  # still the other worker's
    assert source.last_fetch_at is None


def test_an_expired_lease_is_taken_over(world, monkeypatch):
    add_query(world)
    source = add_source(world)
    Source.objects.filter(pk=source.pk).update(lease_until=datetime.now(UTC) - timedelta(minutes=1))
    serve(monkeypatch, atom_feed())

    tasks.fetch_source.delay(source.pk)

    assert Mention.objects.count() == 4


def test_a_paused_source_is_not_fetched(world, monkeypatch):
    source = add_source(world, is_active=False)
    server = serve(monkeypatch, atom_feed())

    assert tasks.fetch_source.delay(source.pk).get() is None
    assert server.requests == []


def test_poll_due_sources_fetches_only_due_active_connector_sources_of_live_brands(
    world, monkeypatch
):
    past = datetime.now(UTC) - timedelta(minutes=1)
    due = add_source(world, name="Due")
    later = add_source(world, name="Later")
    paused = add_source(world, name="Paused", is_active=False)
    file_import = add_source(world, name="Export", kind="file", config={})
    archived = add_source(world, brand=world.sibling, name="Archived")
    leased = add_source(world, name="Leased")
    Source.objects.filter(pk__in=[paused.pk, file_import.pk]).update(next_poll_at=past)
    Source.objects.filter(pk=later.pk).update(next_poll_at=datetime.now(UTC) + timedelta(hours=1))
    Source.objects.filter(pk=leased.pk).update(lease_until=datetime.now(UTC) + timedelta(minutes=5))
    core_services.brand_set_archived(actor=world.users["admin"], brand=world.sibling, archived=True)
    serve(monkeypatch, atom_feed())

    queued = tasks.poll_due_sources.delay().get()

    assert queued == 1
    fetched = set(Source.objects.filter(last_fetch_at__isnull=False).values_list("pk", flat=True))
    assert fetched == {due.pk}
    assert {later.pk, paused.pk, file_import.pk, archived.pk, leased.pk}.isdisjoint(fetched)


def test_a_fetched_source_is_not_due_again_until_its_interval_passes(world, monkeypatch):
    add_source(world)
    serve(monkeypatch, atom_feed())

    assert tasks.poll_due_sources.delay().get() == 1
    assert tasks.poll_due_sources.delay().get() == 0
