"""Two sweepers at the same moment on PostgreSQL: each deadline's stage is recorded exactly once,
and the two never claim the same deadline (row locks with SKIP LOCKED)."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, connections

from accounts.models import Role
from conftest import make_unit, make_user
from notifications import services
from notifications.models import Notification
from suggestions.models import Deadline

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite ignores row locks"),
]

SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 10)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_record_each_reminder_once(make_suggestion, make_deadline, sam):
    units = [make_unit(f"C{i}") for i in range(4)]
    for u in units:
        make_user(f"handler{u.code}", Role.UNIT_HANDLER, u)
    suggestion = make_suggestion()
    for i in range(240):
        # Due soon, due today and overdue with escalation to the head: one or two recipients each.
        due = [dt.date(2026, 11, 11), TODAY, dt.date(2026, 11, 2)][i % 3]
        make_deadline(due=due, unit=units[i % 4], suggestion=suggestion)
    for u in units:
        make_user(f"head{u.code}", Role.UNIT_HEAD, u)

    barrier = threading.Barrier(2)
    handled: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def sweeper(name: str) -> None:
        try:
            with time_machine.travel(dt.datetime(2026, 11, 10, 10, 0, tzinfo=SH), tick=True):
                barrier.wait()
                handled[name] = services.reminders_sweep(batch_size=7).deadlines
        except BaseException as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweeper, args=(name,)) for name in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors

    everything = set(Deadline.objects.values_list("id", flat=True))
    a, b = set(handled["a"]), set(handled["b"])
    assert len(handled["a"]) == len(a) and len(handled["b"]) == len(b)
    assert a.isdisjoint(b), "two sweepers handled the same deadline"
    assert a | b == everything
    assert a and b, "both sweepers should have taken a share of the work"

    # 80 due soon + 80 due today to the handler; 80 at 7 days overdue to the handler and the head.
    assert Notification.objects.count() == 80 + 80 + 80 * 2
    per_key = Notification.objects.values_list("deadline_id", "stage", "recipient_id")
    assert len(set(per_key)) == len(per_key)
    assert not Deadline.objects.filter(next_reminder_on__lte=TODAY).exists()
