"""The reminder sweep as it was before the bulk rewrite (issue 13): one model instance per deadline and
per reminder, `bulk_create` through the ORM. Kept only as the oracle that `test_sweep_equivalence`
compares the bulk sweep against; nothing outside the tests imports it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import UNIT_ROLES, Role, User
from notifications.models import Channel, Delivery, Kind, Notification
from notifications.services.base import (
    MemoCalendar,
    _suggestion_params,
    _user_deliveries,
    group_release,
    preferences_for,
)
from notifications.stages import ESCALATE_TO_HEAD_AFTER, ESCALATE_TO_STAFF_AFTER, Stage, calendar_window, stage_due
from suggestions.models import Deadline, Party


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


def reference_sweep_batch(*, today: dt.date | None = None, batch_size: int) -> list[int]:
    """One batch: claim, record, queue, advance. Returns the ids of the deadlines it handled.

    The number of queries does not depend on the batch size (pinned by a test).
    """
    today = today or timezone.localdate()
    now = timezone.now()
    limit = batch_size
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
    Deadline.objects.bulk_update(deadlines, ["next_reminder_on"])


def reference_sweep(*, batch_size: int) -> None:
    """Batches until nothing is due, like `services.reminders_sweep`."""
    while reference_sweep_batch(batch_size=batch_size):
        pass
