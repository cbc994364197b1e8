"""Event notifications: the core's timeline tells us what happened and we tell the people concerned."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import UNIT_ROLES, Unit, User
from suggestions.models import (
    Assignment,
    AssignmentRole,
    CoSigner,
    CoSignerStatus,
    Event,
    Suggestion,
)

from ..models import Channel, Delivery, Kind, Notification
from .base import (
    _suggestion_params,
    _user_deliveries,
    group_release,
    preferences_for,
)

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
        from ..tasks import deliver_pending

        # Only after commit: a worker must never look for rows this transaction may still roll back.
        transaction.on_commit(deliver_pending.delay)
    return saved
