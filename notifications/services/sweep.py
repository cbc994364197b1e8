"""The reminder sweep: claim due deadlines, record each (deadline, due date, stage, recipient) once, queue the outside messages, advance next_reminder_on."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import UNIT_ROLES, Role, User
from suggestions.models import (
    CongressSession,
    Deadline,
    Party,
)
from suggestions.workdays import Calendar

from ..models import Channel, Delivery, Kind, Notification
from ..stages import ESCALATE_TO_HEAD_AFTER, ESCALATE_TO_STAFF_AFTER, Stage, calendar_window, stage_due
from .base import (
    MemoCalendar,
    _user_delivery_rows,
    batch_size_setting,
    group_release,
    preferences_for,
)
from .bulk import array_literal, insert_ignoring_conflicts

# ---------------------------------------------------------------------------------------------
# The sweep
#
# A batch works on plain rows, never on a model instance per deadline or per reminder: at 100,000 due
# deadlines the instances (and `bulk_create`'s per-value preparation) cost more than the database.
# Everything that decides who hears what is set-based: one query per kind of fact (the due rows with
# their suggestion and unit, the units' people, staff, supervisors, preferences), then dictionaries.


@dataclass
class SweepResult:
    batches: int = 0
    deadlines: list[int] = field(default_factory=list)
    notifications: int = 0


@dataclass(frozen=True, slots=True)
class _Due:
    """A claimed deadline with what its message needs (one row of the claim query)."""

    pk: int
    kind: str
    party: str
    unit_id: int | None
    user_id: int | None
    suggestion_id: int | None
    due_date: dt.date
    starts_on: dt.date
    title: str | None
    number: int | None
    session_id: int | None
    term: int | None
    session_number: int | None
    unit_name: str | None
    webhook_url: str | None


_DUE_COLUMNS = (
    "id", "kind", "party", "unit_id", "user_id", "suggestion_id", "due_date", "starts_on",
    "suggestion__title", "suggestion__number", "suggestion__session", "suggestion__session__term",
    "suggestion__session__number", "unit__name", "unit__webhook_url",
)  # fmt: skip


def _claim_due_deadlines(today: dt.date, limit: int) -> list[_Due]:
    """Lock up to `limit` due open deadlines (oldest look first) and read them with their suggestion and unit.

    One statement. Its sub-select walks the partial index (next_reminder_on, id) of open deadlines,
    stops after `limit` rows and locks them with SKIP LOCKED: two sweepers claim disjoint rows, the
    second skipping what the first holds instead of waiting for it and then doing the same stage
    again. The outer select adds the joined columns and locks the same rows again (`FOR UPDATE OF`
    the deadline only), which makes PostgreSQL return each row's latest committed version (an
    extension committed a moment before the lock included), as a plain join would not.
    """
    claim = Deadline.objects.open().filter(next_reminder_on__lte=today).order_by("next_reminder_on", "id")
    if not connection.features.has_select_for_update_skip_locked:  # SQLite: one writer at a time anyway
        return [_Due(*row) for row in claim.values_list(*_DUE_COLUMNS)[:limit]]
    ids = claim.select_for_update(skip_locked=True).values("id")[:limit]
    rows = Deadline.objects.filter(pk__in=ids).order_by("next_reminder_on", "id").values_list(*_DUE_COLUMNS)
    sql, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(Deadline._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} FOR UPDATE OF {table}", params)
        return [_Due(*row) for row in cursor.fetchall()]


def _stage_kind(stage: Stage) -> str:
    if stage.is_before:
        return Kind.DUE_SOON
    if stage.key == "due_today":
        return Kind.DUE_TODAY
    return Kind.OVERDUE


def _recipients(plans: list[tuple[_Due, Stage]]) -> tuple[dict[int, list[tuple[int, str]]], dict[int, User]]:
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
    # Supervisors not loaded yet and the deputies whose own deadlines these are: one query for both.
    wanted = set().union(*supervisors.values()) if supervisors else set()
    wanted |= {d.user_id for d, _s in plans if d.party == Party.DEPUTY and d.user_id}
    wanted -= users.keys()
    if wanted:
        users.update({u.pk: u for u in User.objects.filter(pk__in=wanted, is_active=True)})

    # Who hears a unit's stage depends only on the unit, the stage's kind and how far overdue it is.
    unit_choice: dict[tuple[int | None, str, int, int | None], list[tuple[int, str]]] = {}
    result: dict[int, list[tuple[int, str]]] = {}
    for d, stage in plans:
        kind = _stage_kind(stage)
        if d.party == Party.UNIT:
            to_staff = stage.days_overdue >= ESCALATE_TO_STAFF_AFTER
            key = (
                d.unit_id,
                kind,
                min(stage.days_overdue, ESCALATE_TO_STAFF_AFTER),
                d.suggestion_id if to_staff else None,
            )
            if key not in unit_choice:
                chosen: dict[int, str] = {}
                members = by_unit.get(d.unit_id, []) if d.unit_id else []
                handlers = [u for u in members if u.role == Role.UNIT_HANDLER]
                heads = [u for u in members if u.role == Role.UNIT_HEAD]
                for u in handlers or heads:  # no handler: the head hears it from the first stage
                    chosen[u.pk] = kind
                if stage.days_overdue >= ESCALATE_TO_HEAD_AFTER:
                    for u in heads:
                        chosen[u.pk] = Kind.ESCALATION
                if to_staff:
                    for u in staff:
                        chosen.setdefault(u.pk, Kind.ESCALATION)
                    for uid in supervisors.get(d.suggestion_id, ()) if d.suggestion_id else ():
                        if uid in users:
                            chosen.setdefault(uid, Kind.ESCALATION)
                unit_choice[key] = list(chosen.items())
            result[d.pk] = unit_choice[key]
        elif d.party == Party.DEPUTY and d.user_id and d.user_id in users:
            result[d.pk] = [(d.user_id, kind)]
        elif d.party == Party.STAFF:
            result[d.pk] = [(u.pk, kind) for u in staff]
        else:
            result[d.pk] = []
    return result, users


def _suggestion_part(d: _Due, labels: dict[int, str]) -> dict[str, Any]:
    """What `_suggestion_params` says of the deadline's suggestion, from the claimed columns."""
    if d.suggestion_id is None or d.title is None:
        return {}
    title = d.title if len(d.title) <= 60 else d.title[:59] + "…"
    number = ""
    if d.number and d.session_id:
        if d.session_id not in labels:
            labels[d.session_id] = CongressSession(term=d.term, number=d.session_number).label
        number = f"{labels[d.session_id]}第{d.number:04d}号"
    return {"suggestion_number": number, "suggestion_title": title}


def _stage_params(d: _Due, stage: Stage, today: dt.date, labels: dict[int, str]) -> dict[str, Any]:
    days = stage.working_days_left if stage.is_before else (today - d.due_date).days
    return {
        "deadline_kind": d.kind,
        **_suggestion_part(d, labels),
        "suggestion_id": d.suggestion_id,
        "unit": d.unit_name if d.unit_id and d.unit_name is not None else "",
        "due": d.due_date.isoformat(),
        "days": days,
        "stage": stage.key,
    }


def _stages(cal: Calendar, deadlines: list[_Due], today: dt.date) -> list[tuple[_Due, Stage | None, dt.date]]:
    """Each deadline's stage today (or None) and its next look, computed once per due date.

    `stage_due` depends on `starts_on` only to drop a "before" stage whose day passed before the
    deadline existed; that check is applied per deadline on the shared answer.
    """
    per_due: dict[dt.date, tuple[Stage | None, dt.date]] = {}
    out = []
    for d in deadlines:
        if d.due_date not in per_due:
            per_due[d.due_date] = stage_due(cal, due=d.due_date, starts_on=dt.date.min, today=today)
        stage, next_on = per_due[d.due_date]
        if stage is not None and stage.is_before and stage.fires_on < d.starts_on:
            stage = None
        out.append((d, stage, next_on))
    return out


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
        cal = MemoCalendar.load(*calendar_window(sorted({d.due_date for d in deadlines}), today))
        staged = _stages(cal, deadlines, today)
        plans = [(d, stage) for d, stage, _next in staged if stage is not None]

        recipients, users = _recipients(plans)
        notifications: list[dict[str, Any]] = []
        webhooks: list[dict[str, Any]] = []
        release_to_group = group_release(now)
        labels: dict[int, str] = {}
        for d, stage in plans:
            params = _stage_params(d, stage, today, labels)
            for user_id, kind in recipients.get(d.pk, []):
                notifications.append(
                    {"recipient_id": user_id, "kind": kind, "suggestion_id": d.suggestion_id, "deadline_id": d.pk,
                     "due_date": d.due_date, "stage": stage.key, "params": params}
                )  # fmt: skip
            if d.party == Party.UNIT and d.unit_id and d.webhook_url:
                webhooks.append(
                    {"key": f"webhook:d{d.pk}:{d.due_date.isoformat()}:{stage.key}", "channel": Channel.WEBHOOK,
                     "notification_id": None, "user_id": None, "unit_id": d.unit_id,
                     "params": {"kind": _stage_kind(stage), "params": params}, "next_attempt_at": release_to_group}
                )  # fmt: skip

        if notifications:
            # The unique constraint makes a stage that another run already recorded a silent no-op.
            saved = insert_ignoring_conflicts(Notification, notifications, returning=("id", "recipient_id"))
            if saved is None or len(saved) < len(notifications):
                # Some were there already (or SQLite, which returns nothing): read them all back, new or
                # not, to queue their outbox rows; the outbox inserts for the old ones are no-ops too.
                saved = _recorded(plans)
            prefs = preferences_for(users.keys())
            insert_ignoring_conflicts(Delivery, _user_delivery_rows(saved, users, prefs, now) + webhooks)
        elif webhooks:
            insert_ignoring_conflicts(Delivery, webhooks)
        _advance([(d.pk, next_on) for d, _stage, next_on in staged])
    return [d.pk for d in deadlines]


def _recorded(plans: list[tuple[_Due, Stage]]) -> list[tuple[int, int]]:
    """(notification id, recipient id) of every reminder recorded for these deadlines' current stages."""
    stages = {s.key for _d, s in plans}
    wanted = {(d.pk, d.due_date, s.key) for d, s in plans}
    return [
        (pk, recipient_id)
        for pk, recipient_id, deadline_id, due_date, stage_key in Notification.objects.filter(
            deadline_id__in=[d.pk for d, _s in plans], stage__in=stages
        ).values_list("id", "recipient_id", "deadline_id", "due_date", "stage")
        if (deadline_id, due_date, stage_key) in wanted
    ]


def _advance(pairs: list[tuple[int, dt.date]]) -> None:
    """Store each claimed deadline's next look in one statement."""
    if connection.vendor != "postgresql":
        Deadline.objects.bulk_update(
            [Deadline(pk=pk, next_reminder_on=next_on) for pk, next_on in pairs], ["next_reminder_on"]
        )
        return
    # Django's bulk_update builds a CASE expression per row, which costs more than the rest of the batch;
    # PostgreSQL takes the pairs as two arrays instead.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Deadline._meta.db_table} AS d SET next_reminder_on = v.next "  # noqa: S608 (no user input)
            "FROM unnest(%s::bigint[], %s::date[]) AS v(id, next) WHERE d.id = v.id",
            [array_literal([pk for pk, _n in pairs]), array_literal([n for _pk, n in pairs])],
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
