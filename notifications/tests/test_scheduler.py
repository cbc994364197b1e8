"""`manage.py run_scheduler` (the embedded default of `make run`): sweeps at start-up, then on an interval,
and stops cleanly on SIGTERM."""

import datetime as dt
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
from django.test import RequestFactory
from django.utils import timezone

from notifications.context_processors import unread_notifications
from notifications.management.commands.run_scheduler import scheduler_loop
from notifications.models import Kind, Notification
from notifications.stages import stage_due
from suggestions.workdays import Calendar

ROOT = Path(settings.BASE_DIR)


def overdue_due_date(today):
    """A due date 10–40 days back whose current stage is an overdue one, whatever today's calendar."""
    cal = Calendar.load(today - dt.timedelta(days=90), today + dt.timedelta(days=60))
    for back in range(10, 40):
        due = today - dt.timedelta(days=back)
        stage, _next = stage_due(cal, due=due, starts_on=due - dt.timedelta(days=90), today=today)
        if stage is not None and stage.key.startswith("overdue_"):
            return due, stage
    raise AssertionError("no overdue stage found")


@pytest.mark.django_db
def test_the_loop_sweeps_at_once_and_stops_when_told(make_suggestion, make_deadline, water, henry):
    due, stage = overdue_due_date(timezone.localdate())
    make_deadline(due=due, starts_on=due - dt.timedelta(days=90), unit=water, suggestion=make_suggestion())
    stop = threading.Event()
    ticks = []

    def on_tick(counts):
        ticks.append(counts)
        stop.set()  # as SIGTERM's handler does

    safety = threading.Timer(20, stop.set)  # a failing run must fail the test, not hang it
    safety.start()
    try:
        assert scheduler_loop(stop, interval=30, on_tick=on_tick) == 1
    finally:
        safety.cancel()
    assert ticks[0]["sweep-reminders"]["deadlines"] == 1
    n = Notification.objects.get(recipient=henry)
    assert n.stage == stage.key and n.kind in (Kind.OVERDUE, Kind.ESCALATION)
    request = RequestFactory().get("/")
    request.user = henry
    assert unread_notifications(request) == {"unread_notifications": 1}


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the subprocess needs the test database on a server")
@pytest.mark.django_db(transaction=True)
def test_run_scheduler_process_notifies_within_seconds_and_stops_on_sigterm(
    make_suggestion, make_deadline, water, henry
):
    due, _stage = overdue_due_date(timezone.localdate())
    make_deadline(due=due, starts_on=due - dt.timedelta(days=90), unit=water, suggestion=make_suggestion())
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "notifications.tests.worker_settings",
        "ALLOW_INSECURE_SECRET": "true",
    }
    env.pop("REDIS_URL", None)
    env.pop("PYTEST_VERSION", None)
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "run_scheduler", "--interval", "1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not Notification.objects.filter(recipient=henry).exists():
            time.sleep(0.3)
        assert Notification.objects.filter(recipient=henry).exists(), "no notification from the scheduler"
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, out
    assert "stopped after" in out
    assert Notification.objects.filter(recipient=henry).count() == 1  # later runs found nothing new
