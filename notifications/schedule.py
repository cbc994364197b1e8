"""The periodic tasks, read from the one schedule table: `settings.CELERY_BEAT_SCHEDULE`.

Celery beat runs that table when Redis is configured; without Redis, `manage.py run_scheduler` (the
in-process scheduler of `make run`) runs the same entries on the same periods, and
`manage.py send_reminders` (for cron) runs each of them once. A task added to the table therefore
runs in every mode; nothing else lists the periodic tasks.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from celery.schedules import maybe_schedule
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

SWEEP_TASK = "notifications.tasks.sweep_reminders"


@dataclass
class PeriodicTask:
    name: str
    task: str  # the Celery task's registered name, which is also its import path
    schedule: Any  # a celery.schedules.schedule (or crontab)
    last_run_at: dt.datetime | None = None

    def is_due(self) -> bool:
        """Due at start-up, then whenever its schedule says so (the same rule Celery beat applies)."""
        if self.last_run_at is None:
            return True
        due, _next_check = self.schedule.is_due(self.last_run_at)
        return bool(due)

    def run(self) -> Any:
        """Run the task here, in this process (calling a Celery task object runs its body)."""
        self.last_run_at = timezone.now()
        return import_string(self.task)()

    @property
    def seconds(self) -> float | None:
        run_every = getattr(self.schedule, "run_every", None)
        return run_every.total_seconds() if run_every is not None else None


def periodic_tasks() -> list[PeriodicTask]:
    return [
        PeriodicTask(name=name, task=entry["task"], schedule=maybe_schedule(entry["schedule"]))
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
    ]


def run_due(tasks: list[PeriodicTask]) -> dict[str, Any]:
    """Run every task that is due; one failing task does not keep the others from running."""
    results: dict[str, Any] = {}
    for task in tasks:
        if not task.is_due():
            continue
        try:
            results[task.name] = task.run()
        except Exception:
            logger.exception("periodic task %s failed; it runs again on its next turn", task.name)
            results[task.name] = None
    return results
