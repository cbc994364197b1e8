"""Daily digests and the outbox sender: pending deliveries claimed a batch at a time, each sent and marked at once, retried with backoff."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import User
from common.errors import ActionConflict, ActionForbidden, ActionNotFound

from .. import channels
from ..messages import render_in, suggestion_url
from ..models import Channel, Delivery, DeliveryStatus, Kind, Notification, NotificationPreference
from .base import (
    BACKOFF_BASE_SECONDS,
    BACKOFF_MAX_SECONDS,
    DEFAULT_PREFERENCE,
    DIGEST_HOUR,
    MAX_ATTEMPTS,
    logger,
    preferences_for,
    quiet_release,
    send_batch_setting,
)
from .bulk import array_literal

# ---------------------------------------------------------------------------------------------
# Digests


def digests_queue(*, now: dt.datetime | None = None) -> int:
    """Once a day after DIGEST_HOUR, one digest e-mail per user who chose it (idempotent per day)."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < DIGEST_HOUR:
        return 0
    until = local.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    since = until - dt.timedelta(days=1)
    rows = []
    for pref in NotificationPreference.objects.filter(digest=True, email=True, user__is_active=True).exclude(
        user__email=""
    ):
        rows.append(
            Delivery(key=f"digest:u{pref.user_id}:{until.date().isoformat()}", channel=Channel.EMAIL,
                     user_id=pref.user_id, params={"digest": True, "since": since.isoformat(), "until": until.isoformat()},
                     next_attempt_at=quiet_release(now, pref.quiet_start, pref.quiet_end))
        )  # fmt: skip
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# ---------------------------------------------------------------------------------------------
# The outbox sender


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def _email_content(delivery: Delivery, pref: NotificationPreference) -> tuple[str, str] | None:
    language = pref.language or settings.LANGUAGE_CODE
    if delivery.params.get("digest"):
        since = dt.datetime.fromisoformat(delivery.params["since"])
        until = dt.datetime.fromisoformat(delivery.params["until"])
        items = list(
            Notification.objects.filter(
                recipient_id=delivery.user_id, created_at__gte=since, created_at__lt=until
            ).order_by("created_at", "id")
        )
        if not items:
            return None
        with override(language):
            subject = _("Daily digest: %(n)d notifications") % {"n": len(items)}
            lines = [f"- {render_in(language, n.kind, n.params)} {suggestion_url(n.suggestion_id)}" for n in items]
        return subject, "\n".join(lines)
    n = delivery.notification
    if n is None:
        return None
    with override(language):
        subject = _("[Deputy suggestions] %(kind)s") % {"kind": Kind(n.kind).label}
        body = f"{render_in(language, n.kind, n.params)}\n\n{suggestion_url(n.suggestion_id)}"
    return subject, body


def _send(delivery: Delivery, pref: NotificationPreference) -> bool:
    """Send one outbox row; False when there is nothing to send any more (no address, no url)."""
    if delivery.channel == Channel.WEBHOOK:
        unit = delivery.unit
        if unit is None or not unit.webhook_url:
            return False
        kind, params = delivery.params.get("kind", ""), delivery.params.get("params", {})
        content = f"{render_in(settings.LANGUAGE_CODE, kind, params)}\n{suggestion_url(params.get('suggestion_id'))}"
        channels.send_webhook(url=unit.webhook_url, content=content, key=delivery.key)
        return True
    user = delivery.user
    if user is None or not user.is_active:
        return False
    if delivery.channel == Channel.EMAIL:
        if not user.email:
            return False
        content = _email_content(delivery, pref)
        if content is None:
            return False
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
        channels.send_email(to=user.email, subject=content[0], body=content[1],
                            message_id=f"<delivery-{delivery.pk}@{domain}>")  # fmt: skip
        return True
    if delivery.channel == Channel.SMS:
        if not pref.phone or delivery.notification is None:
            return False
        n = delivery.notification
        channels.sms_gateway().send(phone=pref.phone, text=render_in(pref.language, n.kind, n.params), key=delivery.key)
        return True
    return False


# The ids of the outbox rows other senders hold: advisory locks with one bigint key show in pg_locks as
# its high half (classid) and low half (objid) with objsubid 1 (the dashboards' two-int keys have 2).
_HELD_ELSEWHERE = """
    SELECT (l.classid::bigint << 32) | l.objid::bigint FROM pg_locks l
    WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.pid <> pg_backend_pid()
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


def _claim(now: dt.datetime, limit: int) -> list[Delivery]:
    """The oldest due pending rows, up to `limit`, each held by this session's advisory lock until it is marked.

    Two senders never hold the same row: rows another sender holds are left out, the rest are read
    `FOR UPDATE SKIP LOCKED` (a row another sender is claiming at this instant is skipped, not waited
    for), and each is kept only if this session gets its advisory lock. The lock is the session's, not
    the transaction's: it outlives this short claim, so no transaction stays open while messages go out,
    and it dies with the connection, so a sender that crashes frees its rows at once.
    """
    qs = (
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .select_related("unit", "user", "notification")
        .order_by("next_attempt_at", "id")
    )
    if connection.vendor != "postgresql":  # SQLite: one writer at a time, no row locks to take
        return list(qs[:limit])
    with transaction.atomic():
        qs = qs.exclude(pk__in=RawSQL(_HELD_ELSEWHERE, []))  # noqa: S611 (no parameters)
        rows = list(qs.select_for_update(skip_locked=True, of=("self",))[:limit])
        if not rows:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM unnest(%s::bigint[]) AS id WHERE pg_try_advisory_lock(id)",
                [array_literal([d.pk for d in rows])],
            )
            held = {pk for (pk,) in cursor.fetchall()}
    # A row another sender locked between the two statements is its to send.
    return [d for d in rows if d.pk in held]


def _release(ids: list[int]) -> None:
    if ids and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(id) FROM unnest(%s::bigint[]) AS id", [array_literal(ids)])


def _send_and_mark(delivery: Delivery, pref: NotificationPreference) -> None:
    """Send one claimed row and record the outcome at once (its own statement, committed before the next
    message goes out when the sender runs outside a transaction, as the tasks do).

    So a sender that dies mid-batch leaves every message it sent marked, and only the one in flight is
    sent again. `status = pending` in the condition: a row that is no longer pending was not ours to mark.
    """
    attempted = timezone.now()
    try:
        sent = _send(delivery, pref)
    except channels.DeliveryError as exc:
        delivery.attempts += 1
        delivery.last_error = str(exc)[:2000]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
        else:
            delivery.next_attempt_at = attempted + backoff(delivery.attempts)
        logger.warning("delivery %s failed (attempt %s): %s", delivery.key, delivery.attempts, exc)
    else:
        delivery.attempts += 1
        delivery.status = DeliveryStatus.SENT if sent else DeliveryStatus.SKIPPED
        delivery.sent_at = attempted if sent else None
    delivery.last_attempt_at = attempted
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
        status=delivery.status,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
        last_attempt_at=attempted,
        last_error=delivery.last_error,
        sent_at=delivery.sent_at,
    )


def deliveries_send_batch(*, now: dt.datetime | None = None, limit: int | None = None) -> list[Delivery]:
    """Claim up to `limit` due outbox rows in one short transaction, send them, mark each as it goes.

    Returns the rows handled (sent, skipped, failed or put back for a retry with backoff). The claim,
    the recipients' preferences and the unlock are one query each for the whole batch; each message
    then costs its sending and one UPDATE. If this process dies mid-send, its connection closes, its
    locks go with it and the message in flight (still pending) is sent on a later run: the receiver
    may see that one twice, with the same key (e-mail Message-ID, webhook idempotency key).
    """
    rows = _claim(now or timezone.now(), limit or send_batch_setting())
    if not rows:
        return []
    done: list[Delivery] = []
    try:
        prefs = preferences_for({d.user_id for d in rows if d.user_id})
        for d in rows:
            _send_and_mark(d, prefs.get(d.user_id, DEFAULT_PREFERENCE) if d.user_id else DEFAULT_PREFERENCE)
            done.append(d)
    finally:
        try:
            _release([d.pk for d in rows])
        except DatabaseError:  # the connection is gone (a database restart): so are its locks
            logger.warning("could not release the outbox locks; the connection is gone", exc_info=True)
    return done


def deliveries_send(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Send due outbox rows in batches, up to `limit`. Returns how many were handled."""
    handled = 0
    while handled < limit:
        done = deliveries_send_batch(now=now, limit=min(send_batch_setting(), limit - handled))
        if not done:
            break
        handled += len(done)
    return handled


@transaction.atomic
def delivery_retry(*, delivery_id: int, actor: User) -> Delivery:
    """Staff put a failed (or waiting) outbox row back in line to be sent now."""
    if not actor.is_office_staff:
        raise ActionForbidden(_("Only staff may retry deliveries."))
    delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None:
        raise ActionNotFound(_("Not found."))
    if delivery.status not in (DeliveryStatus.FAILED, DeliveryStatus.PENDING):
        raise ActionConflict(_("This message has already been sent."))
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = timezone.now()
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.attempts = MAX_ATTEMPTS - 1  # one more try before giving up again
    delivery.save(update_fields=["status", "next_attempt_at", "attempts"])
    return delivery
