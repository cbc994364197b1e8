"""A real Celery worker on Redis, killed with SIGKILL in the middle of a delivery batch and restarted:
every due reminder is recorded once and delivered, and only the message in flight at the kill is
sent a second time (with the same idempotency key, so the receiver can tell)."""

import collections
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from conftest import make_unit, make_user
from notifications.models import Channel, Delivery, DeliveryStatus, Notification
from suggestions.models import Deadline

from .sink import RobotSink

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs the same database as the test"),
]

REDIS_URL = "redis://127.0.0.1:6379/14"
ROOT = Path(settings.BASE_DIR)
DEADLINES = 24
KILL_AT = 9


@pytest.fixture
def redis_db():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    client.flushdb()
    yield client
    client.flushdb()


def start_worker(tmp_path, name):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "notifications.tests.worker_settings",
        "ALLOW_INSECURE_SECRET": "true",
    }
    env.pop("PYTEST_VERSION", None)
    log = open(tmp_path / f"{name}.log", "w")
    cmd = [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "prefork", "-c", "1",
           "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{name}@%h", "-l", "INFO"]  # fmt: skip
    # A session of its own, so SIGKILL reaches the pool child that holds the transaction as well.
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def send_sweep():
    from celery import Celery

    producer = Celery("test-producer", broker=REDIS_URL)
    producer.send_task("notifications.tasks.sweep_reminders")
    producer.close()


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(redis_db, tmp_path, make_suggestion, make_deadline):
    today = timezone.localdate()
    with RobotSink(delay=0.05) as sink:
        units = [make_unit(f"K{i}", webhook_url=sink.url) for i in range(4)]
        for u in units:
            make_user(f"handler{u.code}", Role.UNIT_HANDLER, u)
        suggestion = make_suggestion()
        for i in range(DEADLINES):
            make_deadline(due=today, unit=units[i % 4], suggestion=suggestion)

        killed = threading.Event()
        worker = start_worker(tmp_path, "first")

        def kill_mid_request(index):
            if index == KILL_AT:
                # The worker is sending (its batch claimed, its rows held by its session), waiting for us.
                os.killpg(worker.pid, signal.SIGKILL)
                killed.set()

        sink.on_request = kill_mid_request
        try:
            send_sweep()
            assert killed.wait(45), (tmp_path / "first.log").read_text()[-3000:]
            worker.wait(10)
            assert worker.returncode == -signal.SIGKILL
            in_flight = sink.received[KILL_AT - 1]["key"]

            # The sweep had committed every stage; the delivery in flight was never marked: still pending.
            assert Notification.objects.count() == DEADLINES
            wait_for(
                lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() == KILL_AT - 1,
                10,
                "the killed transaction to roll back",
            )
            assert Delivery.objects.get(key=in_flight).status == DeliveryStatus.PENDING

            sink.on_request = None
            worker = start_worker(tmp_path, "second")
            send_sweep()
            wait_for(
                lambda: (
                    Delivery.objects.filter(channel=Channel.WEBHOOK, status=DeliveryStatus.SENT).count() == DEADLINES
                ),
                40,
                "every delivery to be sent after the restart",
            )
            send_sweep()  # another sweep (as beat would send) finds nothing left to do
            time.sleep(1.5)
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(15)

    # Every reminder recorded once, in-app and in the outbox.
    assert Notification.objects.count() == DEADLINES
    assert Delivery.objects.count() == DEADLINES
    assert not Deadline.objects.filter(next_reminder_on__lte=today).exists()
    # Every message reached the robot; only the one in flight at the kill arrived twice, same key.
    counts = collections.Counter(entry["key"] for entry in sink.received)
    assert set(counts) == set(Delivery.objects.values_list("key", flat=True))
    assert {key: n for key, n in counts.items() if n != 1} == {in_flight: 2}
