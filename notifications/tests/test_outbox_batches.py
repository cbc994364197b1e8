"""The outbox sender claims a batch at a time: a fixed number of queries per batch plus one mark per message,
each message marked as soon as it is sent (a sender that dies mid-batch repeats only the one in flight), and
two senders at once never hold the same row."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from conftest import make_user
from notifications import channels, services
from notifications.models import Channel, Delivery, DeliveryStatus, Kind, Notification
from notifications.services.outbox import _claim, _release

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 10, 10, 0, tzinfo=SH)

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite takes no locks")


def queue_emails(people, per_person=1):
    """One bell notification and one pending e-mail per person (and round), oldest first."""
    rows = []
    for i in range(per_person):
        for p in people:
            n = Notification.objects.create(recipient=p, kind=Kind.URGE, params={"text": f"催办 {i}"})
            rows.append(
                Delivery.objects.create(key=f"email:n{n.pk}", channel=Channel.EMAIL, notification=n, user=p,
                                        next_attempt_at=NOW - dt.timedelta(minutes=60 - len(rows)))
            )  # fmt: skip
    return rows


@pytest.fixture
def people(db):
    return [make_user(f"p{i}", Role.STAFF, email=f"p{i}@x.example") for i in range(4)]


@pytest.mark.django_db
def test_a_batch_costs_fixed_queries_plus_one_mark_per_message(people, settings):
    settings.OUTBOX_SEND_BATCH = 50
    counts = {}
    for size in (3, 12):
        Delivery.objects.all().delete()
        queue_emails(people[:3], per_person=size // 3)
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as ctx:
            done = services.deliveries_send_batch()
        assert len(done) == size
        marks = [q for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
        assert len(marks) == size
        counts[size] = len(ctx.captured_queries) - len(marks)
    # The claim (with its savepoint on PostgreSQL, where the advisory locks are one more statement and
    # their release another) and the preferences: the same for 3 messages as for 12.
    assert counts[3] == counts[12], counts
    assert counts[3] <= 6, counts
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 12
    assert len(mail.outbox) == 15


@pytest.mark.django_db
def test_sending_goes_oldest_first_batch_after_batch(people, settings):
    settings.OUTBOX_SEND_BATCH = 3
    rows = queue_emails(people, per_person=2)  # 8 rows
    with time_machine.travel(NOW, tick=False):
        first = services.deliveries_send_batch()
        assert [d.pk for d in first] == [d.pk for d in rows[:3]]
        assert services.deliveries_send(limit=4) == 4  # batches of 3 and of the 1 left under the limit
        assert services.deliveries_send() == 1
        assert services.deliveries_send() == 0
    assert [m.to for m in mail.outbox] == [[d.user.email] for d in rows]


@pytest.mark.django_db
def test_a_failure_mid_batch_backs_off_that_message_only(people, settings, monkeypatch):
    settings.OUTBOX_SEND_BATCH = 10
    rows = queue_emails(people)
    real = channels.send_email

    def flaky(*, to, **kw):
        if to == people[1].email:
            raise channels.DeliveryError("SMTP 451 try later")
        return real(to=to, **kw)

    monkeypatch.setattr(channels, "send_email", flaky)
    with time_machine.travel(NOW, tick=False):
        assert services.deliveries_send() == 4
        assert services.deliveries_send() == 0  # the failed one waits for its backoff
    statuses = {d.pk: (d.status, d.attempts) for d in Delivery.objects.all()}
    assert statuses[rows[1].pk] == (DeliveryStatus.PENDING, 1)
    assert {statuses[d.pk] for d in rows if d is not rows[1]} == {(DeliveryStatus.SENT, 1)}
    failed = Delivery.objects.get(pk=rows[1].pk)
    assert failed.next_attempt_at == NOW + services.backoff(1) and "451" in failed.last_error
    monkeypatch.setattr(channels, "send_email", real)
    with time_machine.travel(NOW + dt.timedelta(minutes=2), tick=False):
        assert services.deliveries_send() == 1
    assert Delivery.objects.get(pk=rows[1].pk).status == DeliveryStatus.SENT
    assert len(mail.outbox) == 4  # each message once


@pytest.mark.django_db
def test_a_sender_that_breaks_mid_batch_leaves_what_it_sent_marked(people, settings, monkeypatch):
    """What a killed worker leaves: the messages sent before are marked, the rest are pending and free."""
    settings.OUTBOX_SEND_BATCH = 10
    rows = queue_emails(people)
    real = channels.send_email

    def dies_on_the_third(*, to, **kw):
        if to == people[2].email:
            raise KeyboardInterrupt  # not a delivery error: nothing is recorded for it
        return real(to=to, **kw)

    monkeypatch.setattr(channels, "send_email", dies_on_the_third)
    with time_machine.travel(NOW, tick=False), pytest.raises(KeyboardInterrupt):
        services.deliveries_send()
    assert [Delivery.objects.get(pk=d.pk).status for d in rows] == ["sent", "sent", "pending", "pending"]
    monkeypatch.setattr(channels, "send_email", real)
    with time_machine.travel(NOW, tick=False):
        assert services.deliveries_send() == 2  # the locks went with the failed batch
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)  # nobody twice


@postgres_only
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_senders_never_hold_the_same_row(people, settings):
    settings.OUTBOX_SEND_BATCH = 3
    rows = queue_emails(people, per_person=2)  # 8 rows
    with time_machine.travel(NOW, tick=False):
        held = _claim(NOW, 3)  # this session is "sending" the three oldest
        assert [d.pk for d in held] == [d.pk for d in rows[:3]]
        other: list[int] = []

        def second_sender():
            try:
                while done := services.deliveries_send_batch():
                    other.extend(d.pk for d in done)
            finally:
                connections.close_all()

        t = threading.Thread(target=second_sender)
        t.start()
        t.join(30)
        # The second sender skipped the rows this one holds (pending, not locked by a transaction) ...
        assert sorted(other) == sorted(d.pk for d in rows[3:])
        assert Delivery.objects.filter(pk__in=[d.pk for d in held], status=DeliveryStatus.PENDING).count() == 3
        # ... and takes them once they are free again.
        _release([d.pk for d in held])
        assert [d.pk for d in services.deliveries_send_batch()] == [d.pk for d in held]
    assert len(mail.outbox) == 8
