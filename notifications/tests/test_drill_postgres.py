"""Reliability drill (issue 12): PostgreSQL restarted during delivery. A PRIVATE cluster (initdb into
a temp dir, its own port) is migrated and seeded; a real Celery worker and beat on a private Redis
send the reminders to a robot endpoint, and the cluster is restarted in "immediate" mode (every
backend killed, as in a crash) while a delivery's transaction is open.

Afterwards every reminder is recorded exactly once and delivered. Only a message whose sending
straddled the crash (one per sender process at most) may reach the receiver twice, with the same
idempotency key: a webhook cannot be exactly-once (the robot answered, the database never heard
the commit). Nothing is lost.
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import threading
import time

import pytest

from .private_servers import ROOT, PrivatePostgres, PrivateRedis, celery_process, stop, wait_for
from .sink import RobotSink

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres_only]

DEADLINES = 16
RESTART_AT = 6

SEED = """
import datetime as dt
from django.utils import timezone
from accounts.models import Role, Unit, User
from suggestions.models import CongressSession, Category, Suggestion, SuggestionStatus, Deadline, DeadlineKind, Party
url, n = {url!r}, {n}
today = timezone.localdate()
session = CongressSession.objects.create(term=16, number=4, year=today.year, start_date=today - dt.timedelta(days=90))
deputy = User.objects.create_user("alice", password="x-drill-1", role=Role.DEPUTY)
suggestion = Suggestion.objects.create(session=session, category=Category.objects.create(name="城乡建设"),
    lead_deputy=deputy, title="关于加快建设排涝站的建议", body="内涝", status=SuggestionStatus.HANDLING, number=1)
units = [Unit.objects.create(code=f"P{{i}}", name=f"P{{i}}局", webhook_url=url) for i in range(4)]
for u in units:
    User.objects.create_user(f"handler{{u.code}}", password="x-drill-1", role=Role.UNIT_HANDLER, unit=u)
for i in range(n):
    Deadline.objects.create(kind=DeadlineKind.REPLY, party=Party.UNIT, unit=units[i % 4], suggestion=suggestion,
        starts_on=today - dt.timedelta(days=60), due_date=today, original_due_date=today,
        next_reminder_on=today - dt.timedelta(days=60))
"""


def manage(database_url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "ALLOW_INSECURE_SECRET": "true",
           "DJANGO_SETTINGS_MODULE": "notifications.tests.worker_settings"}  # fmt: skip
    env.pop("PYTEST_VERSION", None)
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]


def test_postgres_restarted_during_delivery_loses_nothing(tmp_path):
    pg = PrivatePostgres()
    redis = PrivateRedis(tmp_path)
    pg.start()
    redis.start()
    worker = beat = None
    try:
        pg.psql("CREATE DATABASE drill")
        database_url = pg.url("drill")
        manage(database_url, "migrate", "--noinput", "-v", "0")

        def count(sql: str) -> int:
            try:
                return pg.psql(sql, "drill")[0][0]
            except Exception:  # the server may be restarting
                return -1

        with RobotSink(delay=0.1) as sink:
            manage(database_url, "shell", "-c", SEED.format(url=sink.url, n=DEADLINES))
            restarted = threading.Event()
            straddled: set[str] = set()

            def crash_postgres(index):
                if index == RESTART_AT and not restarted.is_set():
                    # The worker is sending (its rows held by its session), its connection open.
                    pg.restart()
                    # Messages whose sending began before the database came back: their transactions died.
                    with sink.lock:
                        straddled.update(entry["key"] for entry in sink.received)
                    restarted.set()

            sink.on_request = crash_postgres
            env = {"REMINDER_SWEEP_SECONDS": "1"}
            worker = celery_process(tmp_path, "worker", kind="worker", redis_url=redis.url, database_url=database_url,
                                    **env)  # fmt: skip
            beat = celery_process(tmp_path, "beat", kind="beat", redis_url=redis.url, database_url=database_url, **env)
            assert restarted.wait(120), (tmp_path / "worker.log").read_text()[-3000:]
            wait_for(
                lambda: count("SELECT count(*) FROM notifications_delivery WHERE status = 'sent'") == DEADLINES,
                120,
                "every reminder to be delivered after the restart",
            )
            time.sleep(3)  # more sweeps from beat: nothing left to do
            stop(worker, beat)
            worker = beat = None

            assert count("SELECT count(*) FROM notifications_notification") == DEADLINES
            assert count("SELECT count(*) FROM notifications_delivery") == DEADLINES
            keys = {row[0] for row in pg.psql("SELECT key FROM notifications_delivery", "drill")}
            accepted = collections.Counter(entry["key"] for entry in sink.accepted)
            assert set(accepted) == keys  # none lost
            repeated = {key: n for key, n in accepted.items() if n != 1}
            # At most one message per sender process (the worker runs two) was in flight at the crash;
            # only those can arrive twice, and with the same key.
            assert set(repeated) <= straddled and len(repeated) <= 2 and all(n == 2 for n in repeated.values())
            assert "Connection" in (tmp_path / "worker.log").read_text() or repeated  # the crash was felt
    finally:
        stop(worker, beat)
        redis.kill()
        pg.stop()
