"""The Jetstream consumer against a real websocket server on 127.0.0.1 (no network)."""

from __future__ import annotations

import importlib
import json
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from websockets.sync.server import serve

from listening import services
from listening.jetstream import (
    REWIND_US,
    FileCursor,
    JetstreamConsumer,
    backoff_delay,
    subscribe_url,
)
from listening.models import Mention, MentionMatch, Post, Rollup
from listening.pipeline import forget_compiled_queries, ingest
from socialhub.celery import app as celery_app
from tests.factories import BrandFactory

T0 = 1_760_000_000_000_000  # time_us of the first event


def post_event(time_us: int, rkey: str, text: str, did: str = "did:plc:alice") -> dict:
    return {
        "did": did,
        "time_us": time_us,
        "kind": "commit",
        "commit": {
            "rev": "3l3qo2vutsw2b",
            "operation": "create",
            "collection": "app.bsky.feed.post",
            "rkey": rkey,
            "cid": "bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi",
            "record": {
                "$type": "app.bsky.feed.post",
                "createdAt": "2025-10-09T08:53:20.000Z",
                "langs": ["en"],
                "text": text,
            },
        },
    }


DELETE = {
    "did": "did:plc:bob",
    "time_us": T0 + 3,
    "kind": "commit",
    "commit": {
        "rev": "3l3qo2vuowo2b",
        "operation": "delete",
        "collection": "app.bsky.feed.post",
        "rkey": "3l3qo2vuowo2b",
    },
}
IDENTITY = {
    "did": "did:plc:carol",
    "time_us": T0 + 4,
    "kind": "identity",
    "identity": {"did": "did:plc:carol", "handle": "carol.bsky.social", "seq": 1409752997},
}
FIRST = [
    json.dumps(post_event(T0 + 1, "3k1", "Just tried the new Acme coffee, lovely")),
    json.dumps(post_event(T0 + 2, "3k2", "Nothing about any brand here")),
    json.dumps(DELETE),
    "{this is not json",
    json.dumps(IDENTITY),
]
# After the reconnect Jetstream replays from the cursor: the Acme post comes again.
SECOND = [
    json.dumps(post_event(T0 + 1, "3k1", "Just tried the new Acme coffee, lovely")),
    json.dumps(post_event(T0 + 5, "3k5", "Acme support answered in minutes", "did:plc:dave")),
]


class FakeJetstream:
    """A websocket server in a thread: connection n gets ``scripts[n]`` then a close; one
    connection more than there are scripts stops the consumer."""

    def __init__(self, scripts: list[list[str]]):
        self.scripts = scripts
        self.paths: list[str] = []
        self.consumer: JetstreamConsumer | None = None
        self.server = serve(self.handle, "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/subscribe"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def handle(self, websocket) -> None:
        self.paths.append(websocket.request.path)
        n = len(self.paths) - 1
        if n >= len(self.scripts):
            self.consumer.stop()
            return
        for message in self.scripts[n]:
            websocket.send(message)

    def params(self, n: int) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.paths[n]).query)

    def __enter__(self) -> FakeJetstream:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture
def acme(world):
    brand = BrandFactory(agency=world.agency, name="Acme")
    services.query_create(actor=world.users["admin"], brand=brand, name="Acme", expression="acme")
    forget_compiled_queries()  # query_create forgets on commit, and tests never commit
    return brand


def test_it_stores_matching_posts_once_and_resumes_from_the_cursor(acme, tmp_path):
    cursor = FileCursor(tmp_path / "cursor")
    with FakeJetstream([FIRST, SECOND]) as server:
        consumer = JetstreamConsumer(
            url=server.url,
            batch_size=200,
            flush_seconds=5,
            cursor_store=cursor,
            backoff_base=0.01,
        )
        server.consumer = consumer
        stats = consumer.run()

    # Two Acme posts, each stored and counted once although the first came twice.
    mentions = Mention.objects.filter(brand=acme)
    assert sorted(m.post.external_id for m in mentions) == [
        "at://did:plc:alice/app.bsky.feed.post/3k1",
        "at://did:plc:dave/app.bsky.feed.post/3k5",
    ]
    assert Post.objects.filter(external_id__endswith="/3k1").count() == 1
    assert MentionMatch.objects.filter(brand=acme).count() == 2
    assert sum(Rollup.objects.filter(brand=acme).values_list("count", flat=True)) == 2
    assert not Post.objects.filter(external_id__endswith="/3k2").exists()  # no query heard it

    assert stats.messages == 7
    assert stats.malformed == 1
    assert stats.ignored == 2  # the delete and the identity event
    assert stats.posts == 4
    assert stats.new_mentions == 2
    assert stats.connections == 3

    # First connection: posts only, no cursor; then the newest committed time_us, rewound.
    assert server.params(0) == {"wantedCollections": ["app.bsky.feed.post"]}
    assert server.params(1) == {
        "wantedCollections": ["app.bsky.feed.post"],
        "cursor": [str(T0 + 4 - REWIND_US)],
    }
    assert server.params(2)["cursor"] == [str(T0 + 5 - REWIND_US)]
    assert cursor.load() == T0 + 5


def test_it_starts_from_a_saved_cursor(acme, tmp_path):
    cursor = FileCursor(tmp_path / "cursor")
    cursor.save(T0 + 10)
    with FakeJetstream([]) as server:
        consumer = JetstreamConsumer(url=server.url, cursor_store=cursor, backoff_base=0.01)
        server.consumer = consumer
        consumer.run()

    assert server.params(0)["cursor"] == [str(T0 + 10 - REWIND_US)]
    assert cursor.load() == T0 + 10


def test_it_replays_a_batch_the_pipeline_could_not_store(acme, tmp_path):
    calls = []

    def flaky_ingest(posts):
        calls.append([p.external_id for p in posts])
        if len(calls) == 1:
            raise RuntimeError("database unavailable")
        return ingest(posts)

    cursor = FileCursor(tmp_path / "cursor")
    with FakeJetstream([FIRST, SECOND]) as server:
        consumer = JetstreamConsumer(
            url=server.url,
            flush_seconds=5,
            cursor_store=cursor,
            ingest_batch=flaky_ingest,
            backoff_base=0.01,
        )
        server.consumer = consumer
        stats = consumer.run()

    assert stats.failed_batches == 1
    # The failed batch moved no cursor: the reconnect asked for everything again.
    assert "cursor" not in server.params(1)
    # The replay brought the dropped Acme post again (SECOND starts with it).
    assert Mention.objects.filter(brand=acme).count() == 2
    assert calls[1] == [
        "at://did:plc:alice/app.bsky.feed.post/3k1",
        "at://did:plc:dave/app.bsky.feed.post/3k5",
    ]
    assert cursor.load() == T0 + 5


def test_it_retries_a_refused_connection_with_growing_delays(tmp_path):
    attempts = []

    def refuse(url):
        attempts.append(url)
        if len(attempts) == 3:
            consumer.stop()
        raise ConnectionRefusedError(111, "Connection refused")

    consumer = JetstreamConsumer(
        url="ws://127.0.0.1:9/subscribe",
        cursor_store=FileCursor(tmp_path / "cursor"),
        connect=refuse,
        backoff_base=0.001,
    )
    stats = consumer.run()

    assert len(attempts) == 3
    assert stats.disconnects == 3
    assert stats.connections == 0


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap():
    low = [backoff_delay(n, base=1, cap=60, rand=lambda: 0.0) for n in range(8)]
    high = [backoff_delay(n, base=1, cap=60, rand=lambda: 1.0) for n in range(8)]

    assert low == [0.5, 1, 2, 4, 8, 16, 30, 30]
    assert high == [1, 2, 4, 8, 16, 32, 60, 60]


def test_subscribe_url_keeps_other_parameters_and_replaces_the_cursor():
    url = subscribe_url("wss://jet.example/subscribe?compress=false&cursor=1", 42)

    assert parse_qs(urlsplit(url).query) == {
        "compress": ["false"],
        "wantedCollections": ["app.bsky.feed.post"],
        "cursor": ["42"],
    }


def test_the_command_refuses_an_address_that_is_not_a_websocket():
    with pytest.raises(CommandError, match="ws:// or wss://"):
        call_command("listen_bluesky", url="https://jetstream2.us-east.bsky.network/subscribe")


def test_the_worker_discovers_the_batch_ingest_task():
    # A worker imports each app's tasks module (autodiscovery); that must register it.
    importlib.import_module("listening.tasks")

    assert "listening.ingest_posts" in celery_app.tasks
