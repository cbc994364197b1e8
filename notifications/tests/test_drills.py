"""Reliability drills on real servers (issue 12): a real Celery worker and real beat schedulers on a
PRIVATE Redis, against the test database. In each one every due reminder is recorded once and
delivered once: the database is the queue of record, so a lost or repeated broker message changes
only the timing.

(a) Redis is killed and restarted empty in the middle of a sweep's deliveries;
(b) two beat schedulers run at once, each sending the sweep every second, to two workers.
The PostgreSQL drill is in test_drill_postgres.py (it needs a private cluster of its own).
"""

from __future__ import annotations

import collections
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from conftest import make_unit, make_user
from notifications.models import Channel, Delivery, DeliveryStatus, Notification
from suggestions.models import Deadline

from .private_servers import PrivateRedis, celery_process, stop, wait_for
from .sink import RobotSink

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs the same database as the test"),
]

DEADLINES = 24


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.kill()


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def seed(sink, make_suggestion, make_deadline) -> None:
    today = timezone.localdate()
    units = [make_unit(f"D{i}", webhook_url=sink.url) for i in range(4)]
    for u in units:
        make_user(f"handler{u.code}", Role.UNIT_HANDLER, u)
    suggestion = make_suggestion()
    for i in range(DEADLINES):
        make_deadline(due=today, unit=units[i % 4], suggestion=suggestion)


def all_sent() -> bool:
    return Delivery.objects.filter(channel=Channel.WEBHOOK, status=DeliveryStatus.SENT).count() == DEADLINES


def assert_each_reminder_once(sink) -> None:
    assert Notification.objects.count() == DEADLINES
    assert Delivery.objects.count() == DEADLINES
    assert not Deadline.objects.filter(next_reminder_on__lte=timezone.localdate()).exists()
    counts = collections.Counter(entry["key"] for entry in sink.accepted)
    assert set(counts) == set(Delivery.objects.values_list("key", flat=True))
    assert {key: n for key, n in counts.items() if n != 1} == {}


@pytest.mark.django_db(transaction=True)
def test_redis_restarted_in_the_middle_of_a_sweep(private_redis, tmp_path, make_suggestion, make_deadline):
    with RobotSink(delay=0.1) as sink:
        seed(sink, make_suggestion, make_deadline)
        restarted = threading.Event()

        def restart_redis(index):
            if index == 8 and not restarted.is_set():
                private_redis.restart()  # every queued message is gone; the worker and beat must reconnect
                restarted.set()

        sink.on_request = restart_redis
        env = {"REMINDER_SWEEP_SECONDS": "1"}
        worker = beat = None
        try:
            worker = celery_process(tmp_path, "worker", kind="worker", redis_url=private_redis.url,
                                    database_url=database_url(), **env)  # fmt: skip
            beat = celery_process(tmp_path, "beat", kind="beat", redis_url=private_redis.url,
                                  database_url=database_url(), **env)  # fmt: skip
            assert restarted.wait(90), (tmp_path / "worker.log").read_text()[-3000:]
            wait_for(all_sent, 90, "every reminder to be delivered after the restart")
            # The scheduler kept sending sweeps after the restart, and they find nothing more to do.
            sweeps_after = (tmp_path / "beat.log").read_text().count("sweep-reminders")
            time.sleep(3)
            assert (tmp_path / "beat.log").read_text().count("sweep-reminders") > sweeps_after
        finally:
            stop(worker, beat)
    assert_each_reminder_once(sink)


@pytest.mark.django_db(transaction=True)
def test_two_beat_schedulers_at_once_send_each_reminder_once(private_redis, tmp_path, make_suggestion, make_deadline):
    with RobotSink(delay=0.05) as sink:
        seed(sink, make_suggestion, make_deadline)
        env = {"REMINDER_SWEEP_SECONDS": "1"}
        procs = []
        try:
            for name in ("worker1", "worker2"):
                procs.append(celery_process(tmp_path, name, kind="worker", redis_url=private_redis.url,
                                            database_url=database_url(), **env))  # fmt: skip
            for name in ("beat1", "beat2"):
                procs.append(celery_process(tmp_path, name, kind="beat", redis_url=private_redis.url,
                                            database_url=database_url(), **env))  # fmt: skip
            wait_for(all_sent, 120, "every reminder to be delivered")
            wait_for(
                lambda: all((tmp_path / f"beat{n}.log").read_text().count("sweep-reminders") >= 3 for n in (1, 2)),
                30,
                "both schedulers to have sent several sweeps",
            )
            time.sleep(2)
        finally:
            stop(*procs)
    assert_each_reminder_once(sink)
