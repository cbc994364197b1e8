"""The group robot fails, then recovers: the message is retried with backoff, delivered once, and staff see it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications import services
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.selectors import deliveries_in_trouble

from .sink import RobotSink

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def due_today(make_suggestion, make_deadline, water, henry):
    return make_deadline(due=dt.date(2026, 10, 8), unit=water, suggestion=make_suggestion())


@pytest.mark.django_db
def test_robot_fails_then_recovers_and_gets_the_message_once(due_today, water, sam):
    with RobotSink(fail_first=2) as sink:
        water.webhook_url = sink.url
        water.save()
        start = dt.datetime(2026, 10, 8, 10, 0, tzinfo=SH)
        with time_machine.travel(start, tick=False):
            services.reminders_sweep()
            assert services.deliveries_send() == 1
        hook = Delivery.objects.get(channel=Channel.WEBHOOK)
        assert hook.status == DeliveryStatus.PENDING and hook.attempts == 1
        assert "HTTP 500" in hook.last_error
        assert hook.next_attempt_at == start + dt.timedelta(seconds=60)
        assert list(deliveries_in_trouble()) == [hook]  # what the staff page lists

        with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
            assert services.deliveries_send() == 0  # still backing off
        with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
            assert services.deliveries_send() == 1  # second failure: the pause doubles
        hook.refresh_from_db()
        assert hook.attempts == 2 and hook.next_attempt_at == start + dt.timedelta(seconds=61 + 120)
        with time_machine.travel(start + dt.timedelta(seconds=200), tick=False):
            assert services.deliveries_send() == 1
            assert services.deliveries_send() == 0
        with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
            services.reminders_sweep()  # a later sweep the same day does not queue the same stage again
            services.deliveries_send()

    hook.refresh_from_db()
    assert hook.status == DeliveryStatus.SENT and hook.attempts == 3
    assert list(deliveries_in_trouble()) == []
    assert len(sink.received) == 3
    assert len(sink.accepted) == 1
    body = sink.accepted[0]["body"]
    assert body["msgtype"] == "text" and "2026-10-08" in body["text"]["content"]
    assert sink.accepted[0]["key"] == hook.key


@pytest.mark.django_db
def test_unreachable_robot_and_errcode_are_failures_staff_can_see(due_today, water, sam):
    water.webhook_url = "http://127.0.0.1:9/unreachable"  # the discard port: connection refused
    water.save()
    with time_machine.travel(dt.datetime(2026, 10, 8, 10, 0, tzinfo=SH), tick=False):
        services.reminders_sweep()
        services.deliveries_send()
    hook = Delivery.objects.get(channel=Channel.WEBHOOK)
    assert hook.status == DeliveryStatus.PENDING and "ConnectionError" in hook.last_error

    Delivery.objects.filter(pk=hook.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    with time_machine.travel(dt.datetime(2026, 10, 8, 12, 0, tzinfo=SH), tick=False):
        services.deliveries_send()
    hook.refresh_from_db()
    assert hook.status == DeliveryStatus.FAILED  # given up, still listed for staff
    assert list(deliveries_in_trouble()) == [hook]


@pytest.mark.django_db
def test_errcode_in_a_200_answer_is_a_failure():
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            payload = b'{"errcode":93000,"errmsg":"invalid webhook url"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        from notifications.channels import DeliveryError, send_webhook

        with pytest.raises(DeliveryError, match="93000"):
            send_webhook(url=f"http://127.0.0.1:{server.server_address[1]}/", content="x", key="k")
    finally:
        server.shutdown()
        server.server_close()
