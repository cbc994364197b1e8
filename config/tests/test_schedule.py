"""One schedule table drives Celery beat and the in-process scheduler alike: every periodic task
appears in both, with the same period, and is a registered Celery task."""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.management import call_command

from config.celery import app
from notifications import schedule
from notifications.management.commands import run_scheduler


def _spy(monkeypatch) -> list[str]:
    ran: list[str] = []
    monkeypatch.setattr(schedule, "import_string", lambda path: lambda: ran.append(path) or 0)
    return ran


def test_every_periodic_task_appears_in_beat_and_in_the_in_process_scheduler(monkeypatch, db):
    beat = {name: entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}
    assert "suggestions.tasks.close_unevaluated" in beat.values()
    assert schedule.SWEEP_TASK in beat.values()

    # What the scheduler of `make run` really runs in its first pass.
    ran = _spy(monkeypatch)
    stop = threading.Event()
    run_scheduler.scheduler_loop(stop, 30, on_tick=lambda results: stop.set())
    assert sorted(ran) == sorted(beat.values())

    # Same names and periods as beat's.
    in_process = {t.name: (t.task, t.seconds) for t in schedule.periodic_tasks()}
    assert in_process == {
        name: (entry["task"], float(entry["schedule"])) for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
    }

    # Every entry names a task the Celery worker knows.
    app.loader.import_default_modules()
    for task in beat.values():
        assert task in app.tasks, task


def test_send_reminders_runs_every_other_periodic_task_once(monkeypatch, db):
    ran = _spy(monkeypatch)
    call_command("send_reminders")
    others = sorted(e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] != schedule.SWEEP_TASK)
    assert sorted(ran) == others  # the sweep itself ran through its service, with the command's options
