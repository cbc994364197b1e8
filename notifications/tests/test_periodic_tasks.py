"""Closing suggestions nobody rated runs in every mode: under Celery beat, under `make run`'s
in-process scheduler (`run_scheduler`) and from cron (`send_reminders`), because all three run the
one schedule table; such suggestions are counted apart on the dashboards ("closed without evaluation")."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from dashboards import metrics
from notifications import schedule
from notifications.management.commands.run_scheduler import scheduler_loop
from suggestions.models import DeadlineKind, Event, Party, SuggestionStatus

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(dt.datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def unrated(make_suggestion, make_deadline, alice):
    """A replied suggestion whose evaluation window ended yesterday with no rating."""

    def make(title: str):
        suggestion = make_suggestion(
            title=title, status=SuggestionStatus.REPLIED, assigned_at=dt.datetime(2026, 2, 2, 10, tzinfo=SHANGHAI)
        )
        make_deadline(
            kind=DeadlineKind.EVALUATION, party=Party.DEPUTY, user=alice, suggestion=suggestion,
            due=TODAY - dt.timedelta(days=1),
        )  # fmt: skip
        return suggestion

    return make


def closed_unrated(suggestion) -> bool:
    suggestion.refresh_from_db()
    return suggestion.status == SuggestionStatus.CLOSED and suggestion.no_evaluation


def test_the_in_process_scheduler_closes_unrated_suggestions(unrated):
    suggestion = unrated("关于整治河涌的建议")
    stop = threading.Event()
    ticks = []

    def on_tick(results):
        ticks.append(results)
        stop.set()

    safety = threading.Timer(20, stop.set)  # a failing run must fail the test, not hang it
    safety.start()
    try:
        assert scheduler_loop(stop, interval=30, on_tick=on_tick) == 1
    finally:
        safety.cancel()
    assert ticks[0]["close-unevaluated"] == 1
    assert closed_unrated(suggestion)
    assert Event.objects.filter(suggestion=suggestion, action="close_no_evaluation", actor=None).exists()

    # Counted apart: closed, but neither rated nor satisfied.
    totals = metrics.breakdown(None, metrics.Period(year=2026, today=TODAY))[None]
    assert (totals["closed"], totals["closed_unrated"], totals["rated_final"], totals["rated_first"]) == (1, 1, 0, 0)


def test_send_reminders_runs_the_other_periodic_tasks_too(unrated):
    suggestion = unrated("关于增设公交站的建议")
    call_command("send_reminders", "--reminders-only")
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.REPLIED
    call_command("send_reminders")
    assert closed_unrated(suggestion)


def test_each_task_runs_on_its_own_period(monkeypatch):
    ran: list[str] = []
    monkeypatch.setattr(schedule, "import_string", lambda path: lambda: ran.append(path) or path)
    tasks = schedule.periodic_tasks()
    periods = {t.task: t.seconds for t in tasks}
    assert periods["suggestions.tasks.close_unevaluated"] == 3600
    sweep = periods[schedule.SWEEP_TASK]
    assert sweep < 3600

    def due_after(seconds: float) -> list[str]:
        return sorted(task for task, period in periods.items() if period <= seconds)

    schedule.run_due(tasks)  # start-up: everything runs once
    assert sorted(ran) == sorted(periods)
    ran.clear()
    with time_machine.travel(dt.datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI) + dt.timedelta(seconds=sweep + 1)):
        schedule.run_due(tasks)
    assert sorted(ran) == due_after(sweep + 1)
    assert schedule.SWEEP_TASK in ran and "suggestions.tasks.close_unevaluated" not in ran
    ran.clear()
    with time_machine.travel(dt.datetime(2026, 4, 1, 10, 0, 1, tzinfo=SHANGHAI)):
        schedule.run_due(tasks)
    assert sorted(ran) == due_after(3601)
    assert "suggestions.tasks.close_unevaluated" in ran


def test_a_failing_task_does_not_stop_the_others(monkeypatch):
    ran: list[str] = []

    def fake(path):
        def run():
            if path == schedule.SWEEP_TASK:
                raise RuntimeError("database busy")
            ran.append(path)
            return 0

        return run

    monkeypatch.setattr(schedule, "import_string", fake)
    results = schedule.run_due(schedule.periodic_tasks())
    assert results[next(n for n, e in _beat().items() if e["task"] == schedule.SWEEP_TASK)] is None
    assert "suggestions.tasks.close_unevaluated" in ran


def _beat():
    from django.conf import settings

    return settings.CELERY_BEAT_SCHEDULE
