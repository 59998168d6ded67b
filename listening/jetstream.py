"""Bluesky's Jetstream firehose, consumed live (``manage.py listen_bluesky``).

One websocket subscribed to ``wantedCollections=app.bsky.feed.post``; each event goes
through :func:`normalize_jetstream_event`, new posts are batched (``batch_size`` posts or
``flush_seconds``, whichever comes first) and each batch runs through
:func:`listening.pipeline.ingest`, which matches every active query of every brand.

- **Cursor.** Jetstream numbers events with ``time_us`` (microseconds since the epoch).
  The newest ``time_us`` received is saved to a small file (``var/jetstream/cursor``) only
  after the batch holding it is committed, so a crash or a lost connection replays what was
  not stored. A file rather than the Django cache: the cursor must outlive a cache flush or
  eviction, and one consumer runs per deployment. On reconnect the subscription asks for
  ``cursor=<saved time_us> - REWIND_US``: Jetstream replays from there (a cursor is a time,
  valid on any Jetstream instance; the rewind covers the instances' small clock
  differences); the replayed posts are duplicates the pipeline stores and counts once.
- **Reconnects** use exponential backoff with jitter, reset once a connection has stored
  something; a database error drops the batch and reconnects from the saved cursor.
- **Bad messages** (not JSON, not an object, no ``time_us``) are skipped and counted;
  deletes, likes, identity and account events are valid but not posts ("ignored").
- **Stop** with :meth:`JetstreamConsumer.stop` (the command calls it on SIGINT/SIGTERM):
  the buffered posts are stored and the cursor saved before :meth:`run` returns.
"""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import close_old_connections, connection
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect as websocket_connect

from listening.connectors.base import NormalizedPost
from listening.connectors.bluesky import POST_COLLECTION, normalize_jetstream_event
from listening.pipeline import IngestResult, ingest

logger = logging.getLogger(__name__)

DEFAULT_URL = "wss://jetstream2.us-east.bsky.network/subscribe"
# Replay this much before the saved cursor on reconnect (Jetstream's advice for gapless
# playback); the overlap is deduplicated by the pipeline.
REWIND_US = 2_000_000
# How often a quiet connection wakes up to flush and to notice stop().
TICK_SECONDS = 0.5


class Connection(Protocol):
    """What the consumer needs of a websocket (websockets' sync ClientConnection)."""

    def recv(self, timeout: float | None = None) -> str | bytes: ...


Connect = Callable[[str], AbstractContextManager[Connection]]


def default_connect(url: str) -> AbstractContextManager[Connection]:
    """A websocket to ``url`` (websockets' sync client; keepalive pings every 20 s)."""
    return websocket_connect(url, open_timeout=15, close_timeout=5)


class FileCursor:
    """The newest committed ``time_us``, kept in a small text file."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else Path(settings.VAR_DIR) / "jetstream" / "cursor"

    def load(self) -> int | None:
        try:
            text = self.path.read_text().strip()
        except FileNotFoundError:
            return None
        if not text.isdigit():
            logger.warning("Ignoring the unreadable Jetstream cursor in %s: %r", self.path, text)
            return None
        return int(text)

    def save(self, time_us: int) -> None:
        # Written beside and renamed over, so a crash never leaves half a number.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(f"{time_us}\n")
        os.replace(temporary, self.path)


def subscribe_url(base: str, cursor: int | None) -> str:
    """``base`` with ``wantedCollections=app.bsky.feed.post`` and, if given, ``cursor``."""
    parts = urlsplit(base)
    params = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key not in ("wantedCollections", "cursor")
    ]
    params.append(("wantedCollections", POST_COLLECTION))
    if cursor is not None:
        params.append(("cursor", str(cursor)))
    return urlunsplit(parts._replace(query=urlencode(params)))


def backoff_delay(
    failures: int, *, base: float, cap: float, rand: Callable[[], float] = random.random
) -> float:
    """Seconds to wait after ``failures`` consecutive failed connections: exponential,
    capped, with "equal jitter" (half fixed, half random) so that consumers restarted
    together spread out but none retries at once."""
    ceiling = min(cap, base * 2 ** min(failures, 30))
    return ceiling / 2 + rand() * ceiling / 2


@dataclass
class JetstreamStats:
    """What the consumer has done since it started."""

    messages: int = 0  # frames received
    posts: int = 0  # new posts with text, sent to the pipeline
    ignored: int = 0  # valid events that are not new posts (deletes, likes, identity…)
    malformed: int = 0  # frames that are not a Jetstream event
    batches: int = 0
    new_mentions: int = 0
    connections: int = 0
    disconnects: int = 0  # connections refused or lost
    failed_batches: int = 0  # batches the pipeline could not store (replayed later)


class _BatchFailed(Exception):
    """The pipeline could not store a batch: drop the connection and replay."""


class JetstreamConsumer:
    """The firehose loop; see the module docstring."""

    def __init__(
        self,
        *,
        url: str = DEFAULT_URL,
        batch_size: int = 200,
        flush_seconds: float = 2.0,
        cursor_store: FileCursor | None = None,
        connect: Connect = default_connect,
        ingest_batch: Callable[[Sequence[NormalizedPost]], IngestResult] = ingest,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        log_seconds: float = 60.0,
    ) -> None:
        self.url = url
        self.batch_size = max(1, batch_size)
        self.flush_seconds = max(0.0, flush_seconds)
        self.cursor_store = cursor_store or FileCursor()
        self.connect = connect
        self.ingest_batch = ingest_batch
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.log_seconds = log_seconds
        self.stats = JetstreamStats()
        self._stop = threading.Event()
        self._buffer: list[NormalizedPost] = []
        self._committed: int | None = None  # the saved cursor
        self._pending: int | None = None  # newest time_us received, not saved yet
        self._flush_at = 0.0
        self._log_at = 0.0
        self._logged = (0.0, JetstreamStats())

    # -- control ------------------------------------------------------------------------

    def stop(self) -> None:
        """Ask :meth:`run` to store what it holds and return (safe from a signal handler)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def resume_cursor(self) -> int | None:
        """The ``cursor`` to subscribe with: the saved one, rewound a little."""
        if self._committed is None:
            return None
        return max(0, self._committed - REWIND_US)

    # -- the loop -----------------------------------------------------------------------

    def run(self) -> JetstreamStats:
        """Consume until :meth:`stop`; returns the counters."""
        self._committed = self.cursor_store.load()
        now = time.monotonic()
        self._log_at = now + self.log_seconds
        self._logged = (now, JetstreamStats(**vars(self.stats)))
        failures = 0
        while not self.stopping:
            url = subscribe_url(self.url, self.resume_cursor())
            committed_before = (self.stats.batches, self._committed)
            try:
                with self.connect(url) as websocket:
                    self.stats.connections += 1
                    logger.info("Jetstream: connected to %s", url)
                    self._consume(websocket)
            except _BatchFailed:
                pass  # logged where it happened
            except (OSError, WebSocketException) as exc:
                self.stats.disconnects += 1
                logger.warning("Jetstream: connection to %s ended: %s", self.url, exc or repr(exc))
            # What arrived before the connection ended is stored now.
            self._flush_safely()
            if self.stopping:
                break
            progressed = (self.stats.batches, self._committed) != committed_before
            failures = 0 if progressed else failures + 1
            delay = backoff_delay(failures, base=self.backoff_base, cap=self.backoff_cap)
            logger.info("Jetstream: reconnecting in %.1f s", delay)
            self._stop.wait(delay)
        self._log_throughput(time.monotonic())
        logger.info("Jetstream: stopped; cursor %s", self._committed)
        return self.stats

    def _consume(self, websocket: Connection) -> None:
        self._flush_at = time.monotonic() + self.flush_seconds
        while not self.stopping:
            now = time.monotonic()
            try:
                message = websocket.recv(timeout=min(TICK_SECONDS, max(0.0, self._flush_at - now)))
            except TimeoutError:
                pass
            else:
                self._handle(message)
            now = time.monotonic()
            if len(self._buffer) >= self.batch_size or now >= self._flush_at:
                if not self._flush_safely():
                    raise _BatchFailed
            if now >= self._log_at:
                self._log_throughput(now)

    def _handle(self, message: str | bytes) -> None:
        self.stats.messages += 1
        try:
            event: Any = json.loads(message)
        except ValueError:
            event = None
        time_us = event.get("time_us") if isinstance(event, dict) else None
        if not isinstance(time_us, int) or isinstance(time_us, bool) or time_us < 0:
            self._skip_malformed(message, "not a Jetstream event")
            return
        try:
            post = normalize_jetstream_event(event)
        except Exception as exc:  # a shape normalize does not expect: one event lost, not all
            self._skip_malformed(message, f"{type(exc).__name__}: {exc}")
            return
        self._pending = max(self._pending or 0, time_us)
        if post is None:
            self.stats.ignored += 1
        else:
            self.stats.posts += 1
            self._buffer.append(post)

    def _skip_malformed(self, message: str | bytes, why: str) -> None:
        self.stats.malformed += 1
        logger.warning("Jetstream: skipped a malformed message (%s): %.200r", why, message)

    # -- storing ------------------------------------------------------------------------

    def _flush_safely(self) -> bool:
        """Store the buffered posts, then save the cursor; False if the pipeline failed
        (the batch is dropped and will be replayed from the saved cursor)."""
        self._flush_at = time.monotonic() + self.flush_seconds
        try:
            if self._buffer:
                # A long-running process: let Django drop a broken or expired connection
                # (never inside a transaction someone else opened, e.g. a test's).
                if not connection.in_atomic_block:
                    close_old_connections()
                result = self.ingest_batch(self._buffer)
                self.stats.batches += 1
                self.stats.new_mentions += result.new_mentions
            self._buffer = []
            if self._pending is not None and self._pending != self._committed:
                self.cursor_store.save(self._pending)
                self._committed = self._pending
            return True
        except Exception:
            self.stats.failed_batches += 1
            logger.exception(
                "Jetstream: could not store %d posts; replaying from cursor %s",
                len(self._buffer),
                self._committed,
            )
            self._buffer = []
            self._pending = None
            return False

    def _log_throughput(self, now: float) -> None:
        since, before = self._logged
        seconds = max(now - since, 1e-6)
        stats = self.stats
        lag = (
            f"{time.time() - self._committed / 1_000_000:.1f} s behind"
            if self._committed
            else "no cursor yet"
        )
        logger.info(
            "Jetstream: %.1f messages/s, %.1f posts/s, %d new mentions in %.0f s "
            "(%d malformed, %d failed batches in total); %s",
            (stats.messages - before.messages) / seconds,
            (stats.posts - before.posts) / seconds,
            stats.new_mentions - before.new_mentions,
            seconds,
            stats.malformed,
            stats.failed_batches,
            lag,
        )
        self._logged = (now, JetstreamStats(**vars(stats)))
        self._log_at = now + self.log_seconds
