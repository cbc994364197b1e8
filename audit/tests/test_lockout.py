"""Issue 12, finding 6: wrong passwords lock an account and an address out (django-axes), on the
login page and on the token endpoint, with a clear message; staff can lift a lockout; all audited."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from rest_framework.throttling import ScopedRateThrottle

from audit.models import AuditAction, AuditEvent
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3


def web_login(client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def token(api, username: str, password: str, ip: str = "10.0.0.1"):
    return api().post("/api/v1/auth/token/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused(client, alice):
    for _ in range(2):
        assert web_login(client, "alice", "wrong").status_code == 200
    assert web_login(client, "alice", "wrong").status_code == 429  # the limit-th failure locks
    locked = web_login(client, "alice", PASSWORD)
    assert locked.status_code == 429
    assert "data-lockout-message" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, username="alice").count() >= 3
    assert AuditEvent.objects.filter(action=AuditAction.LOCKOUT, username="alice").exists()


def test_the_account_is_locked_from_every_address(client, alice):
    for n in range(3):
        web_login(client, "alice", "wrong", ip=f"10.0.1.{n}")
    assert web_login(client, "alice", PASSWORD, ip="10.0.9.9").status_code == 429


def test_an_address_spraying_many_accounts_is_locked(client, alice, bob, carol):
    for name in ("alice", "bob", "carol"):
        web_login(client, name, "wrong", ip="10.0.2.2")
    # A fourth account, with its right password, from the same address: refused.
    assert web_login(client, "bob", PASSWORD, ip="10.0.2.2").status_code == 429
    # The same account from another address is not locked by the address rule alone.
    assert web_login(client, "sam_unknown", "x", ip="10.0.3.3").status_code == 200


def test_logging_into_ones_own_account_does_not_wipe_the_guesses_at_another(client, alice, bob):
    # bob guesses alice's password, logs into his own account in between, and guesses again.
    web_login(client, "alice", "wrong", ip="10.0.6.6")
    web_login(client, "alice", "wrong", ip="10.0.6.6")
    assert web_login(client, "bob", PASSWORD, ip="10.0.6.6").status_code == 302
    client.logout()
    assert web_login(client, "alice", "wrong", ip="10.0.6.6").status_code == 429
    assert web_login(client, "alice", PASSWORD, ip="10.0.7.7").status_code == 429  # locked from everywhere


def test_failures_expire_with_the_cool_off(client, alice, settings):
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        for _ in range(3):
            web_login(client, "alice", "wrong")
        assert web_login(client, "alice", PASSWORD).status_code == 429
        clock.shift(dt.timedelta(minutes=settings.AXES_COOLOFF_TIME * 60 + 1))
        assert web_login(client, "alice", PASSWORD).status_code == 302


def test_the_token_endpoint_locks_out_with_a_json_429(api, alice):
    for _ in range(2):
        assert token(api, "alice", "wrong").status_code == 400
    assert token(api, "alice", "wrong").status_code == 429
    locked = token(api, "alice", PASSWORD)
    assert locked.status_code == 429
    assert "detail" in locked.json()
    assert int(locked["Retry-After"]) > 0
    assert AuditEvent.objects.filter(action=AuditAction.LOCKOUT, username="alice").exists()


def test_the_token_endpoint_is_throttled_per_address(api, alice, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "2/min"})
    assert token(api, "alice", PASSWORD, ip="10.0.4.4").status_code == 200
    assert token(api, "alice", PASSWORD, ip="10.0.4.4").status_code == 200
    throttled = token(api, "alice", PASSWORD, ip="10.0.4.4")
    assert throttled.status_code == 429 and "Retry-After" in throttled
    assert token(api, "alice", PASSWORD, ip="10.0.4.5").status_code == 200


def test_staff_see_and_lift_a_lockout(client, alice, sam):
    for _ in range(3):
        web_login(client, "alice", "wrong", ip="10.0.5.5")
    client.force_login(sam)
    page = client.get("/audit/lockouts/")
    assert page.status_code == 200 and "alice" in page.content.decode()
    response = client.post("/audit/lockouts/unlock/", {"username": "alice", "ip_address": "10.0.5.5"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="alice").exists()
    unlock = AuditEvent.objects.get(action=AuditAction.UNLOCK)
    assert unlock.actor == sam and unlock.object_id == "alice"
    client.logout()
    assert web_login(client, "alice", PASSWORD, ip="10.0.5.5").status_code == 302


@pytest.mark.parametrize("who", ["alice", "henry", "victor"])
def test_only_staff_may_lift_lockouts(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/audit/lockouts/").status_code == 403
    assert client.post("/audit/lockouts/unlock/", {"username": "alice"}).status_code == 403
