"""The embedded scheduler for `make run` without Redis: every periodic task of the schedule table
(`settings.CELERY_BEAT_SCHEDULE`, the one Celery beat runs) in-process, each on its own period."""

from __future__ import annotations

import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from notifications import schedule

logger = logging.getLogger(__name__)


def _drop_stale_connections() -> None:
    # A long-lived loop must not keep a connection the database has dropped (restart, idle timeout);
    # inside an outer transaction (tests) the connection is not ours to close.
    if not connection.in_atomic_block:
        close_old_connections()


def check_interval(tasks: list[schedule.PeriodicTask]) -> float:
    """How often to look at the schedule: the shortest period in it (at least a second)."""
    periods = [t.seconds for t in tasks if t.seconds]
    return max(1.0, min(periods)) if periods else 60.0


def scheduler_loop(stop: threading.Event, interval: float | None = None, *, on_tick=None, tasks=None) -> int:
    """Run the due tasks at once, then look again every `interval` seconds until `stop` is set.

    Returns the number of looks."""
    tasks = tasks if tasks is not None else schedule.periodic_tasks()
    interval = interval if interval is not None else check_interval(tasks)
    runs = 0
    while not stop.is_set():
        _drop_stale_connections()
        try:
            results = schedule.run_due(tasks)
            if on_tick is not None:
                on_tick(results)
        except Exception:  # one bad run (database busy, …) must not end the scheduler
            logger.exception("scheduler run failed; trying again in %s s", interval)
        finally:
            _drop_stale_connections()
        runs += 1
        stop.wait(interval)
    return runs


class Command(BaseCommand):
    help = (
        "Run every periodic task of CELERY_BEAT_SCHEDULE (reminder sweep, closing unrated suggestions, …) "
        "in-process on its own period until SIGTERM/SIGINT."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="seconds between looks at the schedule (default: shortest period)",
        )

    def handle(self, *args, interval=None, **options):
        tasks = schedule.periodic_tasks()
        interval = interval if interval is not None else check_interval(tasks)
        stop = threading.Event()

        def request_stop(signum, frame):
            # Only set a flag: the current run finishes its transaction, then the loop ends.
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        plan = ", ".join(f"{t.name} every {t.seconds:g} s" if t.seconds else f"{t.name} ({t.schedule})" for t in tasks)
        self.stdout.write(f"scheduler: {plan}; looking every {interval:g} s (stop with SIGTERM)")
        self.stdout.flush()

        def report(results):
            done = {name: result for name, result in results.items() if result}
            if done:
                self.stdout.write("; ".join(f"{name}: {result}" for name, result in done.items()))
                self.stdout.flush()

        runs = scheduler_loop(stop, interval, on_tick=report, tasks=tasks)
        self.stdout.write(f"scheduler stopped after {runs} runs")
