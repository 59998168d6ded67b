"""The Celery app and its tasks: run in-process, and with a real broker in a real worker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery.exceptions import TimeoutError as CeleryTimeoutError

from socialhub.celery import app as celery_app
from socialhub.tasks import health_check

# Generous: a cold worker imports Django and connects to the broker before it consumes.
RESULT_TIMEOUT = 120


def test_health_check_reaches_the_database(db):
    # apply() runs the task here, whatever the broker settings.
    result = health_check.apply().get()

    assert result["status"] == "ok"
    assert result["worker"] == f"{socket.gethostname()}:{os.getpid()}"


def test_it_discovers_the_tasks_of_the_tenancy_core():
    assert {"socialhub.tasks.health_check", "socialhub.tasks.heartbeat"} <= set(celery_app.tasks)


@pytest.fixture
def redis_broker(settings):
    """The Redis broker of CELERY_BROKER_URL, with tasks sent to it (not run eagerly);
    skips the test without one."""
    broker_url = settings.CELERY_BROKER_URL
    if not broker_url.startswith("redis://"):
        pytest.skip(f"needs CELERY_BROKER_URL=redis://...; CI sets it (here: {broker_url!r})")
    # The app reads its configuration from the Django settings, and a CELERY_ setting wins
    # over a value set on celery_app.conf; so eagerness is switched off here. The result
    # backend defaults to the Redis broker (socialhub/settings.py).
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert not celery_app.conf.task_always_eager
    assert celery_app.conf.broker_url == broker_url
    assert celery_app.conf.result_backend.startswith("redis://")
    return broker_url


def worker_database_url(tmp_path) -> str:
    """A database the worker can open. pytest-django's test database is not one: on
    SQLite it may live in memory, on PostgreSQL it is a name only this process knows;
    the task only runs SELECT 1, so the configured database (or a scratch SQLite file)
    will do."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'worker.sqlite3'}"


def delete_queue(name: str) -> None:
    """Remove the test's queue and its binding from the broker. The transport forgets
    a binding it has not declared itself, hence the declare before the delete."""
    with celery_app.connection_for_write() as connection:
        queue = celery_app.amqp.queues[name](connection.default_channel)
        queue.declare()
        queue.delete()


def wait_for_result(result, worker: subprocess.Popen, log: Path) -> dict[str, str]:
    """The task's result, waiting up to RESULT_TIMEOUT seconds; fails at once, with the
    worker's log, if the worker exits (e.g. it cannot import the project)."""
    for _ in range(RESULT_TIMEOUT):
        if worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}); its log:\n{log.read_text()}")
        try:
            return result.get(timeout=1)
        except CeleryTimeoutError:
            continue
    pytest.fail(f"no result from the worker in {RESULT_TIMEOUT} s; its log:\n{log.read_text()}")


@pytest.mark.broker
def test_a_worker_runs_health_check_from_the_broker(redis_broker, settings, tmp_path):
    # A queue of our own, so no other worker on this broker takes the task.
    queue = f"socialhub-test-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "socialhub.settings",
        "DATABASE_URL": worker_database_url(tmp_path),
        "CELERY_BROKER_URL": redis_broker,
        "CELERY_RESULT_BACKEND": celery_app.conf.result_backend,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "SOCIALHUB_VAR_DIR": str(tmp_path / "var"),
    }
    log = tmp_path / "worker.log"
    command = [
        *(sys.executable, "-m", "celery", "-A", "socialhub", "worker"),
        *("--pool=solo", "--concurrency=1", "--loglevel=INFO"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        *("-Q", queue, "-n", f"{queue}@%h"),
    ]
    with open(log, "wb") as output:
        worker = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        result = health_check.apply_async(queue=queue)
        outcome = wait_for_result(result, worker, log)
        result.forget()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        delete_queue(queue)

    assert outcome["status"] == "ok"
    pid = int(outcome["worker"].rsplit(":", 1)[1])
    assert pid != os.getpid()
    assert pid == worker.pid
