"""The bulk sweep records exactly what the per-deadline sweep it replaced recorded (issue 13).

One hand-built set covers every branch that decides who hears what: each stage before, on and after
the due date, escalation to the head (7 days) and to staff and supervisors (14), a unit without a
handler, a unit with a group robot, deputy and staff deadlines (and an inactive deputy), a deadline
created after its "7 working days before" day, a deadline without a suggestion, a closed deadline,
recipients with SMS, digest and their own quiet hours. For each pinned moment the old sweep (kept in
`reference_sweep.py`) and the new one run from the same state, and every notification, outbox row
and next look must be equal, field by field.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Role
from conftest import make_unit, make_user
from notifications import services
from notifications.models import Delivery, Notification, NotificationPreference
from suggestions.models import Deadline, DeadlineKind, Party
from supervision.models import SuggestionSupervisor

from .reference_sweep import reference_sweep

SH = ZoneInfo("Asia/Shanghai")
D = dt.date

# The moments: midnight (the local date has just changed, quiet hours hold the e-mail), a working
# morning, and the last working day before the National Day holiday (1-8 Oct 2026).
MOMENTS = {
    "midnight": dt.datetime(2026, 11, 10, 0, 0, tzinfo=SH),
    "morning": dt.datetime(2026, 11, 10, 9, 30, tzinfo=SH),
    "before_holiday": dt.datetime(2026, 9, 30, 16, 0, tzinfo=SH),
}


@pytest.fixture
def hand_built(make_suggestion, make_deadline, water, finance, henry, hannah, iris, sam, victor, alice, bob):
    """Deadlines due around both moments; the dates are chosen so that every stage fires somewhere."""
    henry.email = "henry@swj.example"
    henry.save()
    iris.email = "iris@czj.example"
    iris.save()
    NotificationPreference.objects.create(user=hannah, sms=True, phone="13900000001", email=False)
    NotificationPreference.objects.create(
        user=iris, digest=False, quiet_start=dt.time(12, 0), quiet_end=dt.time(13, 30)
    )
    robot = make_unit("GTJ", "国土局", webhook_url="http://127.0.0.1:9/robot")
    make_user("gina", Role.UNIT_HANDLER, robot, email="gina@gtj.example")
    make_user("gus", Role.UNIT_HEAD, robot)
    make_user("sara", Role.STAFF, email="sara@rd.example")
    bob.is_active = False
    bob.save()

    watched = make_suggestion(title="关于" + "很长的标题" * 15 + "的建议")  # shortened in the params
    SuggestionSupervisor.objects.create(suggestion=watched, user=victor, assigned_by=sam)
    plain = make_suggestion()
    units = [water, finance, robot]
    dues = [
        # around 10 Nov 2026 (a Tuesday)
        D(2026, 11, 19), D(2026, 11, 13), D(2026, 11, 11), D(2026, 11, 10), D(2026, 11, 9), D(2026, 11, 3),
        D(2026, 10, 27), D(2026, 10, 20), D(2026, 10, 9),
        # around 30 Sep 2026 (the working day before the holiday)
        D(2026, 10, 9), D(2026, 10, 12), D(2026, 9, 30), D(2026, 9, 29), D(2026, 9, 23), D(2026, 9, 16),
        D(2026, 9, 8),
    ]  # fmt: skip
    for i, due in enumerate(dues):
        for j, unit in enumerate(units):
            make_deadline(due=due, unit=unit, suggestion=[watched, plain][(i + j) % 2])
        make_deadline(due=due, kind=DeadlineKind.EVALUATION, party=Party.DEPUTY, user=alice, suggestion=plain)
        make_deadline(due=due, kind=DeadlineKind.ASSIGN, party=Party.STAFF, suggestion=watched)
    make_deadline(due=D(2026, 11, 10), kind=DeadlineKind.EVALUATION, party=Party.DEPUTY, user=bob, suggestion=plain)
    make_deadline(due=D(2026, 11, 10), unit=water)  # no suggestion
    # Created on the due date's eve: its "before" stages passed before it existed.
    make_deadline(due=D(2026, 11, 11), starts_on=D(2026, 11, 10), unit=water, suggestion=plain)
    make_deadline(due=D(2026, 10, 9), starts_on=D(2026, 9, 30), unit=finance, suggestion=plain)
    closed = make_deadline(due=D(2026, 11, 10), unit=water, suggestion=plain)
    Deadline.objects.filter(pk=closed.pk).update(cancelled_at=timezone.now())
    return dict(Deadline.objects.values_list("pk", "next_reminder_on"))


def _state():
    """Everything the sweep wrote, keyed by natural keys (ids differ between the two runs)."""
    natural = {
        n.pk: (n.deadline_id, n.due_date, n.stage, n.recipient_id)
        for n in Notification.objects.only("id", "deadline_id", "due_date", "stage", "recipient_id")
    }
    notifications = sorted(
        (n.deadline_id, n.due_date, n.stage, n.recipient_id, n.kind, n.suggestion_id, n.event_id, n.read_at,
         n.created_at, sorted(n.params.items()))
        for n in Notification.objects.all()
    )  # fmt: skip
    deliveries = sorted(
        (
            d.key.replace(f"n{d.notification_id}", "n") if d.notification_id else d.key,
            natural.get(d.notification_id),
            d.channel, d.user_id, d.unit_id, repr(sorted(d.params.items())), d.status, d.attempts,
            d.next_attempt_at, d.last_attempt_at, d.last_error, d.sent_at, d.created_at,
        )
        for d in Delivery.objects.all()
    )  # fmt: skip
    looks = sorted(Deadline.objects.values_list("pk", "next_reminder_on"))
    return notifications, deliveries, looks


def _reset(initial):
    Delivery.objects.all().delete()
    Notification.objects.all().delete()
    for pk, look in initial.items():
        Deadline.objects.filter(pk=pk).update(next_reminder_on=look)


@pytest.mark.django_db
@pytest.mark.parametrize("moment", list(MOMENTS))
@pytest.mark.parametrize("batch_size", [4, 500])
def test_bulk_sweep_records_what_the_per_deadline_sweep_recorded(hand_built, moment, batch_size):
    with time_machine.travel(MOMENTS[moment], tick=False):
        reference_sweep(batch_size=batch_size)
        before = _state()
        _reset(hand_built)
        services.reminders_sweep(batch_size=batch_size)
        after = _state()

    notifications, deliveries, _looks = before
    assert len(notifications) >= 20, "the hand-built set should fire many stages at every moment"
    assert {n[2] for n in notifications} >= {"before_1", "due_today"} or moment == "before_holiday"
    assert any(d[2] != "email" for d in deliveries), "SMS or group-robot rows expected too"
    assert after[0] == before[0]
    assert after[1] == before[1]
    assert after[2] == before[2]


@pytest.mark.django_db
def test_a_month_of_daily_sweeps_matches_day_by_day(hand_built):
    """Both sweeps walked daily from 1 Sep to 30 Nov: the same reminders on every day, escalations included."""
    day, stages_seen = D(2026, 9, 1), set()
    runs = {}
    for name, sweep in (("reference", lambda: reference_sweep(batch_size=7)),
                        ("bulk", lambda: services.reminders_sweep(batch_size=7))):  # fmt: skip
        _reset(hand_built)
        day = D(2026, 9, 1)
        while day <= D(2026, 11, 30):
            with time_machine.travel(dt.datetime(day.year, day.month, day.day, 8, 0, tzinfo=SH), tick=False):
                sweep()
            day += dt.timedelta(days=1)
        runs[name] = _state()
    stages_seen = {n[2] for n in runs["reference"][0]}
    assert {"before_7", "before_3", "before_1", "due_today", "overdue_1", "overdue_7", "overdue_14"} <= stages_seen
    assert runs["bulk"] == runs["reference"]
