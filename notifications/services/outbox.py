"""Daily digests and the outbox sender: one pending delivery at a time, sent and marked in one transaction, retried with backoff."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
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
    quiet_release,
)

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


def _send(delivery: Delivery) -> bool:
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
    pref = NotificationPreference.objects.filter(user=user).first() or DEFAULT_PREFERENCE
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


def delivery_send_one(*, now: dt.datetime | None = None) -> Delivery | None:
    """Claim the oldest due outbox row, send it, record the outcome. None when nothing is due.

    The row stays locked while it is sent: a second sender skips it rather than sending it again.
    If this process dies mid-send, the transaction rolls back and the row is sent on a later run
    (the receiver may then see it twice; the key travels with it to let receivers tell).
    """
    with transaction.atomic():
        qs = (
            Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now or timezone.now())
            .select_related("unit", "user", "notification")
            .order_by("next_attempt_at", "id")
        )
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        delivery = qs.first()
        if delivery is None:
            return None
        attempted = timezone.now()
        delivery.last_attempt_at = attempted
        try:
            sent = _send(delivery)
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
        delivery.save(
            update_fields=["status", "attempts", "next_attempt_at", "last_attempt_at", "last_error", "sent_at"]
        )
        return delivery


def deliveries_send(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Send due outbox rows, one transaction each, up to `limit`. Returns how many were handled."""
    handled = 0
    while handled < limit and delivery_send_one(now=now) is not None:
        handled += 1
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
