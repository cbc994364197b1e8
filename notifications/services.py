"""Writes for reminders and notifications: the sweep, event notices, the outbox sender, urge notices.

The sweep and the sender are loops of small idempotent units (STYLE.md 5):
- a sweep batch claims open deadlines whose `next_reminder_on` has come (row locks, SKIP LOCKED so a
  second sweeper takes other rows), records each (deadline, due date, stage, recipient) under a
  unique constraint, queues the outside messages in the outbox and advances `next_reminder_on`,
  all in one transaction: a crash leaves either nothing or a finished batch;
- the sender claims one pending outbox row at a time, sends it and marks it sent in the same
  transaction; a failure is recorded and retried with backoff.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import UNIT_ROLES, Role, Unit, User
from common.errors import ActionConflict, ActionForbidden, ActionInvalid, ActionNotFound
from suggestions.models import (
    OPEN_ASSIGNMENT_STATUSES,
    Assignment,
    AssignmentRole,
    CoSigner,
    CoSignerStatus,
    Deadline,
    Event,
    Party,
    Suggestion,
)
from suggestions.workdays import Calendar

from . import channels
from .messages import render_in, suggestion_url
from .models import Channel, Delivery, DeliveryStatus, Kind, Notification, NotificationPreference
from .stages import ESCALATE_TO_HEAD_AFTER, ESCALATE_TO_STAFF_AFTER, Stage, calendar_window, stage_due

logger = logging.getLogger(__name__)

DEFAULT_BATCH = 500
MAX_ATTEMPTS = 10
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 3600
DIGEST_HOUR = 8
URGE_MAX_LENGTH = 2000
DEFAULT_PREFERENCE = NotificationPreference()  # unsaved: the defaults for users without a row


class MemoCalendar(Calendar):
    """The core calendar, remembering each day it was asked about: a batch asks about the same few
    dozen days thousands of times, and the holiday package's look-up is not cheap."""

    def day_info(self, day: dt.date) -> tuple[bool, str]:
        memo = self.__dict__.setdefault("_memo", {})
        if day not in memo:
            memo[day] = super().day_info(day)
        return memo[day]


def batch_size_setting() -> int:
    return int(getattr(settings, "REMINDER_SWEEP_BATCH", DEFAULT_BATCH))


# ---------------------------------------------------------------------------------------------
# Quiet hours and preferences


def quiet_release(now: dt.datetime, start: dt.time, end: dt.time) -> dt.datetime:
    """`now`, or the end of the quiet hours when `now` falls inside them (local time)."""
    local = timezone.localtime(now)
    t = local.time()
    if start == end:
        return now
    inside = (start <= t or t < end) if start > end else (start <= t < end)
    if not inside:
        return now
    release = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if release <= local:
        release += dt.timedelta(days=1)
    return release


def group_release(now: dt.datetime) -> dt.datetime:
    """When a unit's group robot may speak: the default quiet hours apply to the group as to a person.

    `NOTIFICATIONS_GROUP_QUIET_HOURS` = (start, end) times, or None for no quiet hours.
    """
    hours = getattr(
        settings, "NOTIFICATIONS_GROUP_QUIET_HOURS", (DEFAULT_PREFERENCE.quiet_start, DEFAULT_PREFERENCE.quiet_end)
    )
    return quiet_release(now, *hours) if hours else now


def preferences_for(user_ids: Iterable[int]) -> dict[int, NotificationPreference]:
    ids = set(user_ids)
    if not ids:
        return {}
    return {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=ids)}


def _user_deliveries(
    notifications: Iterable[Notification], users: dict[int, User], prefs: dict[int, NotificationPreference], now
) -> list[Delivery]:
    """Outbox rows for the channels each recipient chose; in-app needs none."""
    rows: list[Delivery] = []
    for n in notifications:
        user = users.get(n.recipient_id)
        if user is None:
            continue
        pref = prefs.get(user.pk, DEFAULT_PREFERENCE)
        release = quiet_release(now, pref.quiet_start, pref.quiet_end)
        if pref.email and not pref.digest and user.email:
            rows.append(
                Delivery(key=f"email:n{n.pk}", channel=Channel.EMAIL, notification_id=n.pk, user=user,
                         next_attempt_at=release)
            )  # fmt: skip
        if pref.sms and pref.phone:
            rows.append(
                Delivery(key=f"sms:n{n.pk}", channel=Channel.SMS, notification_id=n.pk, user=user,
                         next_attempt_at=release)
            )  # fmt: skip
    return rows


def _suggestion_params(suggestion: Suggestion | None) -> dict[str, str]:
    """Number and (shortened) title, stored apart: each language quotes a title its own way."""
    if suggestion is None:
        return {}
    title = suggestion.title if len(suggestion.title) <= 60 else suggestion.title[:59] + "…"
    number = suggestion.display_number if suggestion.number and suggestion.session_id else ""
    return {"suggestion_number": number, "suggestion_title": title}


# ---------------------------------------------------------------------------------------------
# The sweep


@dataclass
class SweepResult:
    batches: int = 0
    deadlines: list[int] = field(default_factory=list)
    notifications: int = 0


def _claim_due_deadlines(today: dt.date, limit: int) -> list[Deadline]:
    qs = (
        Deadline.objects.open()
        .filter(next_reminder_on__lte=today)
        .select_related("suggestion__session", "unit", "user")
        .order_by("next_reminder_on", "id")
    )
    if connection.features.has_select_for_update_skip_locked:
        # Two sweepers claim disjoint rows: the second skips what the first holds instead of waiting
        # for it and then doing the same stage again. `of` keeps the lock on deadlines only.
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(qs[:limit])


def _stage_kind(deadline: Deadline, stage: Stage) -> str:
    if stage.is_before:
        return Kind.DUE_SOON
    if stage.key == "due_today":
        return Kind.DUE_TODAY
    return Kind.OVERDUE


def _recipients(plans: list[tuple[Deadline, Stage]]) -> tuple[dict[int, list[tuple[int, str]]], dict[int, User]]:
    """deadline id -> [(user id, kind)], and the users by id, in a fixed number of queries."""
    unit_ids = {d.unit_id for d, _s in plans if d.party == Party.UNIT and d.unit_id}
    by_unit: dict[int, list[User]] = defaultdict(list)
    users: dict[int, User] = {}
    if unit_ids:
        for u in User.objects.filter(unit_id__in=unit_ids, role__in=list(UNIT_ROLES), is_active=True).order_by("id"):
            by_unit[u.unit_id].append(u)
            users[u.pk] = u
    needs_staff = any(
        d.party == Party.STAFF or (d.party == Party.UNIT and s.days_overdue >= ESCALATE_TO_STAFF_AFTER)
        for d, s in plans
    )
    staff: list[User] = []
    if needs_staff:
        staff = list(User.objects.filter(Q(role=Role.STAFF) | Q(is_superuser=True), is_active=True).order_by("id"))
        users.update({u.pk: u for u in staff})
    escalated = {
        d.suggestion_id
        for d, s in plans
        if d.party == Party.UNIT and s.days_overdue >= ESCALATE_TO_STAFF_AFTER and d.suggestion_id
    }
    supervisors: dict[int, set[int]] = {}
    if escalated:
        from supervision.selectors import supervisor_ids_for_suggestions  # the supervision app owns the links

        supervisors = supervisor_ids_for_suggestions(escalated)
        wanted = set().union(*supervisors.values()) - users.keys() if supervisors else set()
        if wanted:
            users.update({u.pk: u for u in User.objects.filter(pk__in=wanted, is_active=True)})

    result: dict[int, list[tuple[int, str]]] = {}
    for d, stage in plans:
        kind = _stage_kind(d, stage)
        chosen: dict[int, str] = {}
        if d.party == Party.UNIT:
            members = by_unit.get(d.unit_id, []) if d.unit_id else []
            handlers = [u for u in members if u.role == Role.UNIT_HANDLER]
            heads = [u for u in members if u.role == Role.UNIT_HEAD]
            for u in handlers or heads:  # no handler: the head hears it from the first stage
                chosen[u.pk] = kind
            if stage.days_overdue >= ESCALATE_TO_HEAD_AFTER:
                for u in heads:
                    chosen[u.pk] = Kind.ESCALATION
            if stage.days_overdue >= ESCALATE_TO_STAFF_AFTER:
                for u in staff:
                    chosen.setdefault(u.pk, Kind.ESCALATION)
                for uid in supervisors.get(d.suggestion_id, ()) if d.suggestion_id else ():
                    if uid in users:
                        chosen.setdefault(uid, Kind.ESCALATION)
        elif d.party == Party.DEPUTY and d.user_id and d.user is not None and d.user.is_active:
            users[d.user_id] = d.user
            chosen[d.user_id] = kind
        elif d.party == Party.STAFF:
            for u in staff:
                chosen[u.pk] = kind
        result[d.pk] = list(chosen.items())
    return result, users


def _stage_params(d: Deadline, stage: Stage, today: dt.date) -> dict[str, Any]:
    days = stage.working_days_left if stage.is_before else (today - d.due_date).days
    return {
        "deadline_kind": d.kind,
        **_suggestion_params(d.suggestion),
        "suggestion_id": d.suggestion_id,
        "unit": d.unit.name if d.unit_id and d.unit else "",
        "due": d.due_date.isoformat(),
        "days": days,
        "stage": stage.key,
    }


def reminders_sweep_batch(*, today: dt.date | None = None, batch_size: int | None = None) -> list[int]:
    """One batch: claim, record, queue, advance. Returns the ids of the deadlines it handled.

    The number of queries does not depend on the batch size (pinned by a test).
    """
    today = today or timezone.localdate()
    now = timezone.now()
    limit = batch_size or batch_size_setting()
    with transaction.atomic():
        deadlines = _claim_due_deadlines(today, limit)
        if not deadlines:
            return []
        cal = MemoCalendar.load(*calendar_window([d.due_date for d in deadlines], today))
        plans: list[tuple[Deadline, Stage]] = []
        for d in deadlines:
            stage, next_on = stage_due(cal, due=d.due_date, starts_on=d.starts_on, today=today)
            d.next_reminder_on = next_on
            if stage is not None:
                plans.append((d, stage))

        recipients, users = _recipients(plans)
        notifications: list[Notification] = []
        webhooks: list[Delivery] = []
        release_to_group = group_release(now)
        for d, stage in plans:
            params = _stage_params(d, stage, today)
            for user_id, kind in recipients.get(d.pk, []):
                notifications.append(
                    Notification(recipient_id=user_id, kind=kind, suggestion_id=d.suggestion_id, deadline_id=d.pk,
                                 due_date=d.due_date, stage=stage.key, params=params)
                )  # fmt: skip
            if d.party == Party.UNIT and d.unit_id and d.unit and d.unit.webhook_url:
                webhooks.append(
                    Delivery(key=f"webhook:d{d.pk}:{d.due_date.isoformat()}:{stage.key}", channel=Channel.WEBHOOK,
                             unit_id=d.unit_id, params={"kind": _stage_kind(d, stage), "params": params},
                             next_attempt_at=release_to_group)
                )  # fmt: skip

        if notifications:
            # The unique constraint makes a stage that another run already recorded a silent no-op.
            Notification.objects.bulk_create(notifications, ignore_conflicts=True)
            # Read the rows back (new or not) to queue their outbox rows; these inserts are no-ops too.
            stages = {s.key for _d, s in plans}
            wanted = {(d.pk, d.due_date, s.key) for d, s in plans}
            saved = [
                n
                for n in Notification.objects.filter(deadline_id__in=[d.pk for d, _s in plans], stage__in=stages).only(
                    "id", "recipient_id", "deadline_id", "due_date", "stage"
                )
                if (n.deadline_id, n.due_date, n.stage) in wanted
            ]
            prefs = preferences_for(users.keys())
            Delivery.objects.bulk_create(_user_deliveries(saved, users, prefs, now), ignore_conflicts=True)
        if webhooks:
            Delivery.objects.bulk_create(webhooks, ignore_conflicts=True)
        _advance(deadlines)
    return [d.pk for d in deadlines]


def _advance(deadlines: list[Deadline]) -> None:
    """Store each claimed deadline's next look in one statement."""
    if connection.vendor != "postgresql":
        Deadline.objects.bulk_update(deadlines, ["next_reminder_on"])
        return
    # Django's bulk_update builds a CASE expression per row, which costs more than the rest of the batch;
    # PostgreSQL takes the pairs as one VALUES list instead.
    rows = ", ".join(["(%s, %s::date)"] * len(deadlines))
    params: list[Any] = []
    for d in deadlines:
        params += [d.pk, d.next_reminder_on]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Deadline._meta.db_table} AS d SET next_reminder_on = v.next "  # noqa: S608 (no user input)
            f"FROM (VALUES {rows}) AS v(id, next) WHERE d.id = v.id",
            params,
        )


def reminders_sweep(
    *, today: dt.date | None = None, batch_size: int | None = None, max_batches: int | None = None
) -> SweepResult:
    """Batches until nothing is due. Each batch commits on its own, so a crash loses at most one batch's work
    (which the next sweep redoes: the rows it claimed were never advanced)."""
    result = SweepResult()
    while max_batches is None or result.batches < max_batches:
        handled = reminders_sweep_batch(today=today, batch_size=batch_size)
        if not handled:
            break
        result.batches += 1
        result.deadlines.extend(handled)
    return result


# ---------------------------------------------------------------------------------------------
# Event notifications (the core's timeline tells us what happened)


def _unit_members(unit_ids: Iterable[int]) -> dict[int, list[User]]:
    ids = {int(u) for u in unit_ids if u}
    members: dict[int, list[User]] = defaultdict(list)
    if ids:
        for u in User.objects.filter(unit_id__in=ids, role__in=list(UNIT_ROLES), is_active=True).order_by("id"):
            members[u.unit_id].append(u)
    return members


def _lead_unit_ids(suggestion_id: int) -> list[int]:
    return list(
        Assignment.objects.live()
        .filter(suggestion_id=suggestion_id, role=AssignmentRole.LEAD)
        .values_list("unit_id", flat=True)
    )


def _deputies(suggestion: Suggestion) -> list[User]:
    confirmed = CoSigner.objects.filter(suggestion=suggestion, status=CoSignerStatus.CONFIRMED).values("deputy_id")
    return list(User.objects.filter(Q(pk=suggestion.lead_deputy_id) | Q(pk__in=confirmed), is_active=True))


def _event_plan(event: Event) -> tuple[str, list[User], list[int], dict[str, Any]] | None:
    """(kind, recipients, units whose group robot hears it, extra params) for an event, or None."""
    action, detail, suggestion = event.action, event.detail or {}, event.suggestion
    unit_ids: list[int] = []
    if detail.get("unit"):
        unit_ids = [int(detail["unit"])]
    extra: dict[str, Any] = {}

    def unit_users(ids: list[int]) -> list[User]:
        members = _unit_members(ids)
        return [u for uid in ids for u in members.get(uid, [])]

    if action == "assign":
        ids = [int(u) for u in detail.get("units", [])]
        return Kind.ASSIGNED, unit_users(ids), ids, extra
    if action in ("approve_return", "refuse_return"):
        extra["approved"] = action == "approve_return"
        return Kind.RETURN_DECIDED, unit_users(unit_ids), [], extra
    if action in ("approve_extension", "refuse_extension"):
        extra["approved"] = action == "approve_extension"
        extra["due"] = detail.get("due_date", "")
        return Kind.EXTENSION_DECIDED, unit_users(unit_ids), [], extra
    if action == "reply_release":
        return Kind.REPLIED, _deputies(suggestion), [], extra
    if action == "evaluate":
        return Kind.EVALUATED, unit_users(_lead_unit_ids(suggestion.pk)), [], extra
    if action == "rehandling_ordered":
        ids = [int(u) for u in detail.get("units", [])] or _lead_unit_ids(suggestion.pk)
        return Kind.REHANDLING, unit_users(ids), ids, extra
    if action == "create" and event.actor_id != suggestion.lead_deputy_id:
        # Staff entered a paper suggestion: the deputy checks the draft and submits it.
        return Kind.DRAFTED_FOR_YOU, list(User.objects.filter(pk=suggestion.lead_deputy_id, is_active=True)), [], extra
    if action == "cosign_invite":
        ids = [int(u) for u in detail.get("deputies", [])]
        return Kind.COSIGN_INVITE, list(User.objects.filter(pk__in=ids, is_active=True)), [], extra
    if action == "inspection_report":
        # Only released reports reach here as visible events; the unannounced visit itself stays hidden.
        ids = [int(u) for u in detail.get("units", [])]
        return Kind.INSPECTION_REPORT, unit_users(ids), ids, extra
    if action == "instruction":
        extra["text"] = detail.get("text", "")
        ids = _lead_unit_ids(suggestion.pk)
        return Kind.INSTRUCTION, unit_users(ids), [], extra
    if action == "urge":
        extra["text"] = detail.get("message", "")
        return Kind.URGE, unit_users(unit_ids), unit_ids, extra
    return None


def notify_event(event: Event) -> list[Notification]:
    """Record the notifications an event calls for, in the caller's transaction."""
    plan = _event_plan(event)
    if plan is None:
        return []
    kind, recipients, webhook_units, extra = plan
    if event.hidden_from_units:
        # Unannounced visits: nothing about them may reach the unit before staff release the report.
        recipients = [u for u in recipients if not u.is_unit_user]
        webhook_units = []
    # The actor does not need telling what they just did.
    users = {u.pk: u for u in recipients if u.pk != event.actor_id}
    unit_ids = {*webhook_units, *(u.unit_id for u in users.values() if u.unit_id)}
    units = {u.pk: u for u in Unit.objects.filter(pk__in=unit_ids)} if unit_ids else {}
    suggestion = event.suggestion
    base = {**_suggestion_params(suggestion), "suggestion_id": suggestion.pk, **extra}
    if kind == Kind.REPLIED and event.detail.get("unit"):
        unit = Unit.objects.filter(pk=event.detail["unit"]).first()
        base["unit"] = unit.name if unit else ""
    rows = []
    for user in users.values():
        params = dict(base)
        if user.unit_id in units:
            params["unit"] = units[user.unit_id].name
        rows.append(Notification(recipient=user, kind=kind, suggestion=suggestion, event=event, params=params))
    # Unique per (event, recipient): a signal delivered twice cannot notify twice.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    saved = list(Notification.objects.filter(event=event).only("id", "recipient_id"))
    now = timezone.now()
    deliveries = _user_deliveries(saved, users, preferences_for(users), now)
    release_to_group = group_release(now)
    for unit_id in webhook_units:
        unit = units.get(unit_id)
        if unit is not None and unit.webhook_url:
            deliveries.append(
                Delivery(key=f"webhook:e{event.pk}:u{unit_id}", channel=Channel.WEBHOOK, unit_id=unit_id,
                         params={"kind": kind, "params": {**base, "unit": unit.name}}, next_attempt_at=release_to_group)
            )  # fmt: skip
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    if deliveries and not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True):
        from .tasks import deliver_pending

        # Only after commit: a worker must never look for rows this transaction may still roll back.
        transaction.on_commit(deliver_pending.delay)
    return saved


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


# ---------------------------------------------------------------------------------------------
# Reading and the urge notice


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the caller's own notifications read (a repeat keeps the first time)."""
    try:
        notification = Notification.objects.get(pk=int(notification_id), recipient=user)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise ActionNotFound(_("Not found.")) from None
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def assignment_urge(*, assignment: Assignment, actor: User, message: str) -> Event:
    """催办函: staff urge a unit about one assignment; recorded on the timeline, delivered like a reminder.

    The caller fetched `assignment` through the visibility selector (404 for outsiders).
    """
    from suggestions.services import event_record

    if not actor.is_office_staff:
        raise ActionForbidden(_("Only staff may send an urge notice."))
    message = (message or "").strip()
    if not message:
        raise ActionInvalid.field("message", _("Write the urge notice."))
    if len(message) > URGE_MAX_LENGTH:
        raise ActionInvalid.field(
            "message", _("Ensure this field has at most %(n)d characters.") % {"n": URGE_MAX_LENGTH}
        )
    locked = Assignment.objects.select_for_update().select_related("suggestion").get(pk=assignment.pk)
    if locked.status not in OPEN_ASSIGNMENT_STATUSES:
        raise ActionConflict(_("This assignment is no longer open."))
    return event_record(
        suggestion=locked.suggestion,
        actor=actor,
        action="urge",
        detail={"assignment": locked.pk, "unit": locked.unit_id, "message": message},
    )
