"""The embedded scheduler for `make run` without Redis: sweep and send in-process, in a loop."""

from __future__ import annotations

import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from notifications import services

logger = logging.getLogger(__name__)


def run_once() -> dict[str, int]:
    result = services.reminders_sweep()
    digests = services.digests_queue()
    sent = services.deliveries_send()
    return {"deadlines": len(result.deadlines), "digests": digests, "deliveries": sent}


def _drop_stale_connections() -> None:
    # A long-lived loop must not keep a connection the database has dropped (restart, idle timeout);
    # inside an outer transaction (tests) the connection is not ours to close.
    if not connection.in_atomic_block:
        close_old_connections()


def scheduler_loop(stop: threading.Event, interval: float, *, on_tick=None) -> int:
    """Sweep at once, then every `interval` seconds until `stop` is set. Returns the number of runs."""
    runs = 0
    while not stop.is_set():
        _drop_stale_connections()
        try:
            counts = run_once()
            if on_tick is not None:
                on_tick(counts)
        except Exception:  # one bad run (database busy, …) must not end the scheduler
            logger.exception("reminder sweep failed; trying again in %s s", interval)
        finally:
            _drop_stale_connections()
        runs += 1
        stop.wait(interval)
    return runs


class Command(BaseCommand):
    help = "Run the reminder sweep and outbox delivery every REMINDER_SWEEP_SECONDS until SIGTERM/SIGINT."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=None, help="seconds between sweeps")

    def handle(self, *args, interval=None, **options):
        interval = interval if interval is not None else settings.REMINDER_SWEEP_SECONDS
        stop = threading.Event()

        def request_stop(signum, frame):
            # Only set a flag: the current run finishes its transaction, then the loop ends.
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.stdout.write(f"reminder scheduler: sweeping every {interval:g} s (stop with SIGTERM)")
        self.stdout.flush()

        def report(counts):
            if any(counts.values()):
                self.stdout.write(
                    "swept {deadlines} deadlines, queued {digests} digests, handled {deliveries} messages".format(
                        **counts
                    )
                )
                self.stdout.flush()

        runs = scheduler_loop(stop, interval, on_tick=report)
        self.stdout.write(f"reminder scheduler stopped after {runs} runs")
