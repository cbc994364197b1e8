"""The reminder sweep: stages, recipients, escalation, exactly-once records and constant queries per batch."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from conftest import make_unit, make_user
from notifications import services
from notifications.models import Channel, Delivery, DeliveryStatus, Kind, Notification, NotificationPreference
from suggestions.models import Deadline, DeadlineKind, Party
from supervision.models import SuggestionSupervisor

SH = ZoneInfo("Asia/Shanghai")
D = dt.date


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SH), tick=False)


def inbox(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("stage", "kind"))


@pytest.fixture
def reply_deadline(make_suggestion, make_deadline, water, henry, hannah, sam, victor):
    suggestion = make_suggestion()
    SuggestionSupervisor.objects.create(suggestion=suggestion, user=victor, assigned_by=sam)
    henry.email = "henry@swj.example"
    henry.save()
    # Due Thu 8 Oct 2026, right after the National Day week.
    return make_deadline(due=D(2026, 10, 8), starts_on=D(2026, 7, 1), unit=water, suggestion=suggestion)


@pytest.mark.django_db
def test_a_unit_deadline_walks_through_every_stage_and_escalates(reply_deadline, henry, hannah, sam, victor):
    expected_days = {
        D(2026, 9, 21): ("before_7", Kind.DUE_SOON),
        D(2026, 9, 28): ("before_3", Kind.DUE_SOON),
        D(2026, 9, 30): ("before_1", Kind.DUE_SOON),
        D(2026, 10, 8): ("due_today", Kind.DUE_TODAY),
        D(2026, 10, 9): ("overdue_1", Kind.OVERDUE),
        D(2026, 10, 15): ("overdue_7", Kind.OVERDUE),
        D(2026, 10, 22): ("overdue_14", Kind.OVERDUE),
    }
    day = D(2026, 9, 1)
    while day <= D(2026, 10, 23):
        with at(day):
            services.reminders_sweep()
            services.reminders_sweep()  # a second sweep the same day adds nothing
        day += dt.timedelta(days=1)

    assert inbox(henry) == sorted(expected_days.values())
    # The head hears of it from 7 days overdue, as an escalation; staff and the supervisor from 14.
    assert inbox(hannah) == [("overdue_14", Kind.ESCALATION), ("overdue_7", Kind.ESCALATION)]
    assert inbox(sam) == [("overdue_14", Kind.ESCALATION)]
    assert inbox(victor) == [("overdue_14", Kind.ESCALATION)]
    reply_deadline.refresh_from_db()
    assert reply_deadline.next_reminder_on == D(2026, 10, 29)
    # Henry has an address and the default channels: one e-mail row per notification, none for the others.
    assert Delivery.objects.filter(channel=Channel.EMAIL, user=henry).count() == len(expected_days)
    assert not Delivery.objects.exclude(user=henry).exists()


@pytest.mark.django_db
def test_messages_name_the_deadline_and_days(reply_deadline, henry):
    with at(D(2026, 10, 15)):
        services.reminders_sweep()
    n = Notification.objects.get(recipient=henry)
    assert n.params["days"] == 7 and n.params["due"] == "2026-10-08"
    from django.utils.translation import override

    with override("en"):
        assert "7 days overdue" in n.message
    with override("zh-hans"):
        assert "逾期" in n.message


@pytest.mark.django_db
def test_a_unit_without_handlers_reminds_its_head(make_suggestion, make_deadline, finance, iris):
    make_deadline(due=D(2026, 11, 10), unit=finance, suggestion=make_suggestion())
    with at(D(2026, 11, 10)):
        services.reminders_sweep()
    assert inbox(iris) == [("due_today", Kind.DUE_TODAY)]


@pytest.mark.django_db
def test_deputy_and_staff_deadlines_go_to_their_party(make_suggestion, make_deadline, alice, sam, henry, water):
    s = make_suggestion()
    make_deadline(due=D(2026, 11, 10), kind=DeadlineKind.EVALUATION, party=Party.DEPUTY, user=alice, suggestion=s)
    make_deadline(due=D(2026, 11, 10), kind=DeadlineKind.ASSIGN, party=Party.STAFF, suggestion=s)
    with at(D(2026, 11, 10)):
        services.reminders_sweep()
    assert inbox(alice) == [("due_today", Kind.DUE_TODAY)]
    assert inbox(sam) == [("due_today", Kind.DUE_TODAY)]
    assert inbox(henry) == []


@pytest.mark.django_db
def test_closed_deadlines_are_left_alone(reply_deadline, henry):
    Deadline.objects.filter(pk=reply_deadline.pk).update(satisfied_at=dt.datetime(2026, 9, 1, tzinfo=SH))
    with at(D(2026, 10, 9)):
        result = services.reminders_sweep()
    assert result.deadlines == []
    assert inbox(henry) == []


@pytest.mark.django_db
def test_an_extension_starts_the_stages_afresh(reply_deadline, henry):
    from suggestions.deadlines import deadline_extend

    with at(D(2026, 10, 8)):
        services.reminders_sweep()
        deadline_extend(deadline=reply_deadline, new_due_date=D(2026, 10, 16), reason="需要协调")
        services.reminders_sweep()
    with at(D(2026, 10, 16)):
        services.reminders_sweep()
    assert sorted(Notification.objects.filter(recipient=henry).values_list("due_date", "stage")) == [
        (D(2026, 10, 8), "due_today"),
        # Extended on 8 Oct to Fri 16 Oct: 8 Oct is itself 7 working days before (Sat 10 Oct is a 调休 day).
        (D(2026, 10, 16), "before_7"),
        (D(2026, 10, 16), "due_today"),
    ]


@pytest.mark.django_db
def test_quiet_hours_hold_email_but_not_the_bell(reply_deadline, henry):
    with at(D(2026, 10, 8), hour=23):
        services.reminders_sweep()
        assert services.deliveries_send() == 0
    assert Notification.objects.filter(recipient=henry).count() == 1  # the bell has it at once
    assert len(mail.outbox) == 0
    with at(D(2026, 10, 9), hour=6):
        assert services.deliveries_send() == 0
    with time_machine.travel(dt.datetime(2026, 10, 9, 7, 0, 1, tzinfo=SH), tick=False):
        assert services.deliveries_send() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["henry@swj.example"]


@pytest.mark.django_db
def test_email_follows_the_recipients_language(reply_deadline, henry):
    NotificationPreference.objects.create(user=henry, language="en")
    with at(D(2026, 10, 15)):
        services.reminders_sweep()
        services.deliveries_send()
    assert "7 days overdue" in mail.outbox[0].body
    assert "/suggestions/" in mail.outbox[0].body


@pytest.mark.django_db
def test_channel_choices_sms_and_digest(reply_deadline, henry, caplog):
    NotificationPreference.objects.create(user=henry, email=True, digest=True, sms=True, phone="13900000000")
    with at(D(2026, 10, 8)):
        services.reminders_sweep()
        with caplog.at_level("INFO", logger="notifications.channels"):
            services.deliveries_send()
    # No single e-mail (digest chosen), one SMS through the logging gateway.
    assert len(mail.outbox) == 0
    assert Delivery.objects.get(channel=Channel.SMS).status == DeliveryStatus.SENT
    assert "13900000000" in caplog.text
    with at(D(2026, 10, 9), hour=9):
        services.digests_queue()
        services.digests_queue()  # once a day, however often the sweep runs
        services.deliveries_send()
    assert len(mail.outbox) == 1
    assert "due today" in mail.outbox[0].body or "今天到期" in mail.outbox[0].body


@pytest.mark.django_db
def test_webhook_rows_are_queued_for_units_with_a_robot(reply_deadline, water, henry):
    water.webhook_url = "http://127.0.0.1:9/robot"
    water.save()
    with at(D(2026, 10, 8)):
        services.reminders_sweep()
        services.reminders_sweep()
    hook = Delivery.objects.get(channel=Channel.WEBHOOK)
    assert hook.unit == water and hook.key.endswith(":due_today")


def _populate(n, *, make_suggestion, make_deadline, units):
    s = make_suggestion()
    for i in range(n):
        # A mix: due soon, due today, overdue with head escalation, overdue with staff escalation.
        due = [D(2026, 11, 11), D(2026, 11, 10), D(2026, 11, 2), D(2026, 10, 26)][i % 4]
        make_deadline(due=due, unit=units[i % len(units)], suggestion=s)


@pytest.mark.django_db
def test_queries_per_batch_do_not_grow_with_the_batch(make_suggestion, make_deadline, sam, victor):
    units = [make_unit(f"U{i}") for i in range(5)]
    for u in units:
        make_user(f"h{u.code}", Role.UNIT_HANDLER, u, email=f"h{u.code}@x.example")
        make_user(f"boss{u.code}", Role.UNIT_HEAD, u)
    SuggestionSupervisor.objects.create(suggestion=make_suggestion(), user=victor, assigned_by=sam)

    counts, non_inserts = {}, {}
    for size in (10, 100):
        Deadline.objects.all().delete()
        _populate(size, make_suggestion=make_suggestion, make_deadline=make_deadline, units=units)
        with at(D(2026, 11, 10)), CaptureQueriesContext(connection) as ctx:
            handled = services.reminders_sweep_batch(batch_size=size)
        assert len(handled) == size
        counts[size] = len(ctx.captured_queries)
        non_inserts[size] = sum(1 for q in ctx.captured_queries if not q["sql"].startswith("INSERT"))
    assert non_inserts[10] == non_inserts[100]
    if connection.vendor == "postgresql":
        assert counts[10] == counts[100], counts
        # Claim, holidays, unit people, staff, supervisors (direct and through key items), notifications
        # (their ids returned: no read-back, one query fewer than before), preferences, outbox rows, advance,
        # and the savepoint pair.
        assert counts[10] == 12, counts
    # SQLite caps the parameters of one statement, so there a bulk insert of many rows is split in chunks.
    assert counts[10] <= 14, counts


@pytest.mark.django_db
def test_send_reminders_command_runs_the_sweep(reply_deadline, henry):
    with at(D(2026, 10, 8)):
        call_command("send_reminders")
    assert inbox(henry) == [("due_today", Kind.DUE_TODAY)]
    assert len(mail.outbox) == 1
