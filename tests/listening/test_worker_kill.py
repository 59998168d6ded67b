"""A worker killed with SIGKILL in the middle of a batch loses and duplicates nothing.

A real worker on Redis ingests a batch task (``listening.ingest_posts``, acknowledged
late) in sub-batches; the test kills it with SIGKILL once the first sub-batch is
committed, then starts a second worker. Redis gives the unacknowledged message to the
second worker once the visibility timeout (3 s here) has passed, the whole batch runs
again, and every post is stored and counted exactly once.

Needs CELERY_BROKER_URL=redis://... and DATABASE_URL=postgres://... (the worker must
reach the test database, which an SQLite test database does not allow):

    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/socialhub_kill \\
    .venv/bin/pytest tests/listening/test_worker_kill.py -v
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.db import connection
from django.db.models import Count, Sum

from listening import services
from listening.ingest_tasks import SLOW_INGEST_ENV, ingest_posts
from listening.models import Mention, MentionMatch, Post, Rollup
from socialhub.celery import app as celery_app
from tests.factories import BrandFactory

pytestmark = pytest.mark.broker

POSTS = 400
SUB_BATCH = 50
# The first worker sleeps this long after each committed sub-batch: the test kills it
# during the first sleep, with one sub-batch stored and seven to go.
SLOW_SECONDS = 3
VISIBILITY_TIMEOUT = 3
# Generous: a cold worker imports Django and connects to the broker before it consumes.
TIMEOUT = 120


@pytest.fixture
def redis_broker(settings):
    """The Redis broker of CELERY_BROKER_URL, with tasks sent to it (not run eagerly);
    skips the test without one (as tests/test_celery.py)."""
    broker_url = settings.CELERY_BROKER_URL
    if not broker_url.startswith("redis://"):
        pytest.skip(f"needs CELERY_BROKER_URL=redis://...; CI sets it (here: {broker_url!r})")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert not celery_app.conf.task_always_eager
    assert celery_app.conf.result_backend.startswith("redis://")
    return broker_url


@pytest.fixture
def test_database_url(transactional_db) -> str:
    """DATABASE_URL of pytest-django's test database, for the workers. transactional_db:
    the test's data is committed, so the workers see it (and it is flushed afterwards)."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs DATABASE_URL=postgres://...: the worker must open the test database, "
            f"and a {connection.vendor} test database is private to this process"
        )
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


def start_worker(name: str, queue: str, env: dict[str, str], log: Path, cwd) -> subprocess.Popen:
    """A solo-pool worker: the task runs in the worker process itself, so SIGKILL ends
    the task with no parent left to reject the message; Redis must hand it on."""
    command = [
        *(sys.executable, "-m", "celery", "-A", "socialhub", "worker"),
        *("--pool=solo", "--concurrency=1", "--loglevel=INFO"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        *("-Q", queue, "-n", f"{name}-{queue}@%h"),
    ]
    with open(log, "wb") as output:
        return subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def delete_queue(name: str) -> None:
    """Remove the test's queue and its binding from the broker (as tests/test_celery.py)."""
    with celery_app.connection_for_write() as broker:
        queue = celery_app.amqp.queues[name](broker.default_channel)
        queue.declare()
        queue.delete()


def payload(count: int) -> list[dict]:
    """Posts that all match the brand's query, spread over a day of hours."""
    start = datetime(2025, 10, 1, tzinfo=UTC)
    return [
        {
            "platform": "bluesky",
            "external_id": f"at://did:plc:kill/app.bsky.feed.post/{i:05d}",
            "text": f"Acme post number {i}: the coffee is {'great' if i % 2 else 'terrible'}",
            "published_at": (start + timedelta(minutes=7 * i)).isoformat(),
            "author_handle": f"author{i % 13}.bsky.social",
            "lang": "en",
            "likes": i % 5,
        }
        for i in range(count)
    ]


def test_it_stores_every_post_once_when_a_worker_is_killed_mid_batch(
    redis_broker, test_database_url, world, settings, tmp_path
):
    brand = BrandFactory(agency=world.agency, name="Acme")
    query = services.query_create(
        actor=world.users["admin"], brand=brand, name="Acme", expression="acme"
    )
    queue = f"socialhub-test-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "socialhub.settings",
        "DATABASE_URL": test_database_url,
        "CELERY_BROKER_URL": redis_broker,
        "CELERY_RESULT_BACKEND": celery_app.conf.result_backend,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "SOCIALHUB_VAR_DIR": str(tmp_path / "var"),
    }
    env.pop(SLOW_INGEST_ENV, None)
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    mentions = Mention.objects.filter(brand=brand)
    workers: list[subprocess.Popen] = []
    try:
        workers.append(
            start_worker(
                "first",
                queue,
                {**env, SLOW_INGEST_ENV: str(SLOW_SECONDS)},
                logs[0],
                settings.BASE_DIR,
            )
        )
        result = ingest_posts.apply_async(
            args=[payload(POSTS), brand.pk], kwargs={"batch_size": SUB_BATCH}, queue=queue
        )

        # Wait for the first committed sub-batch, then kill the worker in its pause.
        deadline = time.monotonic() + TIMEOUT
        while not mentions.exists():
            if workers[0].poll() is not None:
                pytest.fail(f"the first worker exited; its log:\n{logs[0].read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"no sub-batch in {TIMEOUT} s; the log:\n{logs[0].read_text()}")
            time.sleep(0.05)
        first_seen = time.time()
        os.kill(workers[0].pid, signal.SIGKILL)
        workers[0].wait(timeout=30)
        stored_when_killed = mentions.count()
        assert workers[0].returncode == -signal.SIGKILL
        assert stored_when_killed == SUB_BATCH, "killed during the first pause"

        # The message went to the first worker before its first sub-batch was visible;
        # Redis restores it once its visibility timeout has passed, when a worker starts.
        time.sleep(max(0.0, first_seen + VISIBILITY_TIMEOUT + 1 - time.time()))
        assert mentions.count() == stored_when_killed
        workers.append(start_worker("second", queue, env, logs[1], settings.BASE_DIR))
        outcome = None
        deadline = time.monotonic() + TIMEOUT
        while outcome is None:
            if workers[1].poll() is not None:
                pytest.fail(f"the second worker exited; its log:\n{logs[1].read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the batch was not run again in {TIMEOUT} s; the second worker's log:\n"
                    f"{logs[1].read_text()}"
                )
            try:
                outcome = result.get(timeout=1)
            except CeleryTimeoutError:
                continue
        task_id = result.id
        result.forget()
    finally:
        for worker in workers:
            stop(worker)
        delete_queue(queue)

    # The second worker ran the whole batch: the stored sub-batch came back as duplicates.
    assert outcome == {
        "received": POSTS,
        "invalid": 0,
        "new_mentions": POSTS - SUB_BATCH,
        "duplicates": SUB_BATCH,
    }
    # The same message, handed on by Redis after the kill.
    assert f"listening.ingest_posts[{task_id}] received" in logs[1].read_text()
    # Every post once, one mention each, one match each, counted once in the rollups.
    posts = Post.objects.filter(external_id__startswith="at://did:plc:kill/")
    assert posts.count() == POSTS
    assert mentions.count() == POSTS
    assert not mentions.values("post").annotate(n=Count("id")).filter(n__gt=1).exists()
    matches = MentionMatch.objects.filter(brand=brand, query=query).count()
    assert matches == POSTS
    rollups = Rollup.objects.filter(brand=brand, query=query).aggregate(count=Sum("count"))
    assert rollups["count"] == matches
