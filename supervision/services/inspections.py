"""Inspections of every kind (督查, 暗访, 回头看, 二次验收, 面对面) and their follow-up actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, Unit, User
from common.checks import require as _require
from common.checks import require_staff as _require_staff
from common.checks import require_text as _text
from common.errors import ActionConflict, ActionInvalid
from suggestions import deadlines as dl
from suggestions.models import (
    Assignment,
    Deadline,
    DeadlineKind,
    Party,
    Suggestion,
)
from suggestions.services import event_record, suggestion_close, suggestion_reopen

from .. import selectors
from ..models import (
    SUGGESTION_KINDS,
    FollowUpAction,
    Inspection,
    InspectionKind,
    KeySuggestion,
    Verdict,
)
from ..regime import regime_deadlines
from .base import (
    AFTER_CLOSING,
    S,
    _lock_item,
    _require_active,
    _require_supervisable,
    _today,
)

# ---------------------------------------------------------------------------------------------
# Inspections of every kind


def _live_unit_ids(suggestion_ids: Iterable[int]) -> list[int]:
    return list(
        Assignment.objects.live()
        .filter(suggestion_id__in=list(suggestion_ids))
        .values_list("unit_id", flat=True)
        .distinct()
    )


def _parse_follow_ups(actions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    parsed = []
    for a in actions:
        unit, description, due = a.get("unit"), (a.get("description") or "").strip(), a.get("due_date")
        if isinstance(unit, int):
            unit = Unit.objects.filter(pk=unit).first()
        if isinstance(due, str):
            try:
                due = dt.date.fromisoformat(due)
            except ValueError:
                due = None
        if not isinstance(unit, Unit) or not description or not isinstance(due, dt.date) or len(description) > 5000:
            raise ActionInvalid.field(
                "follow_up_actions", _("Each follow-up action needs a unit, a description and a due date.")
            )
        parsed.append({"unit": unit, "description": description, "due_date": due})
    return parsed


@dataclass(frozen=True)
class InspectionInput:
    """What a 督查 record says, as the forms and the API parse it; `inspection_create` checks it."""

    kind: str
    held_on: dt.date
    suggestion: Suggestion | None = None
    key_item: KeySuggestion | None = None
    units: Sequence[Unit] | None = None  # None: the units holding the subjects' live assignments
    participants: Sequence[User] = ()
    other_participants: str = ""
    findings: str = ""
    report: str = ""
    answers: str = ""
    renewed_opinions: str = ""
    verdict: str = ""
    follow_up_actions: Sequence[dict[str, Any]] = ()


def inspection_create(*, actor: User, data: InspectionInput | None = None, **fields: Any) -> Inspection:
    """Record a 督查 described by `data` (or by the same fields given as keywords).

    A second acceptance takes effect at once: fail reopens, pass ends the look-back.
    """
    if data is None:
        data = InspectionInput(**fields)
    elif fields:
        raise TypeError("give the inspection either as `data` or as keywords, not both")
    return _inspection_record(actor, data)


@transaction.atomic
def _inspection_record(actor: User, data: InspectionInput) -> Inspection:
    kind, held_on, suggestion, key_item = data.kind, data.held_on, data.suggestion, data.key_item
    units, participants, verdict = data.units, data.participants, data.verdict
    other_participants, findings, report = data.other_participants, data.findings, data.report
    answers, renewed_opinions, follow_up_actions = data.answers, data.renewed_opinions, data.follow_up_actions
    if kind not in InspectionKind.values:
        raise ActionInvalid.field("kind", _("Choose a kind of inspection."))
    if not isinstance(held_on, dt.date):
        raise ActionInvalid.field("held_on", _("Enter a valid date."))
    if suggestion is None and key_item is None:
        raise ActionInvalid.field("suggestion", _("Give a suggestion or a key item."))
    if kind in SUGGESTION_KINDS and suggestion is None:
        raise ActionInvalid.field("suggestion", _("This kind of inspection concerns one suggestion."))
    allowed = (key_item is None or selectors.can_supervise_key_item(actor, key_item)) and (
        suggestion is None or selectors.can_supervise_suggestion(actor, suggestion)
    )
    _require(allowed, _("Only staff or the supervising leaders may record an inspection."))
    if kind == InspectionKind.SECOND_ACCEPTANCE:
        if verdict not in Verdict.values:
            raise ActionInvalid.field("verdict", _("Choose pass or fail."))
    elif verdict:
        raise ActionInvalid.field("verdict", _("Only a second acceptance has a verdict."))
    if held_on > _today() and kind in (InspectionKind.LOOK_BACK, InspectionKind.SECOND_ACCEPTANCE):
        raise ActionInvalid.field("held_on", _("Record a look-back or acceptance once it has taken place."))
    texts = {
        "other_participants": _text(other_participants, "other_participants", max_length=500, required=False),
        "findings": _text(findings, "findings", max_length=20000, required=kind == InspectionKind.SECOND_ACCEPTANCE),
        "report": _text(report, "report", max_length=20000, required=False),
        "answers": _text(answers, "answers", max_length=20000, required=False),
        "renewed_opinions": _text(renewed_opinions, "renewed_opinions", max_length=20000, required=False),
    }
    participants = list(dict.fromkeys(participants))
    if any(p.role not in (Role.STAFF, Role.SUPERVISOR, Role.DEPUTY) and not p.is_superuser for p in participants):
        raise ActionInvalid.field("participants", _("Participants are staff, supervisors or deputies."))
    follow_ups = _parse_follow_ups(follow_up_actions)

    if key_item is not None:
        _lock_item(key_item)
        _require_active(key_item)
    if suggestion is not None:
        suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if kind in (InspectionKind.LOOK_BACK, InspectionKind.SECOND_ACCEPTANCE):
            if suggestion.status not in AFTER_CLOSING:
                raise ActionConflict(_("A look-back or second acceptance follows the closing of a suggestion."))
        else:
            _require_supervisable(suggestion)

    subject_ids = [suggestion.pk] if suggestion is not None else []
    if key_item is not None:
        subject_ids += list(key_item.suggestions.values_list("id", flat=True))
    unit_ids = [u.pk for u in units] if units else _live_unit_ids(subject_ids)
    unit_ids = list(dict.fromkeys([*unit_ids, *(f["unit"].pk for f in follow_ups)]))

    inspection = Inspection.objects.create(
        kind=kind, key_item=key_item, suggestion=suggestion, held_on=held_on, verdict=verdict, created_by=actor, **texts
    )
    inspection.units.set(unit_ids)
    inspection.participants.set(participants)
    FollowUpAction.objects.bulk_create(FollowUpAction(inspection=inspection, **f) for f in follow_ups)

    hidden = kind == InspectionKind.UNANNOUNCED
    detail = {"inspection": inspection.pk, "kind": kind, "held_on": held_on.isoformat(), "units": unit_ids}
    if verdict:
        detail["verdict"] = verdict
    for subject in Suggestion.objects.filter(pk__in=subject_ids).order_by("id"):
        # Without hidden_from_units the unit would learn of the 暗访 from its timeline and notifications.
        event_record(suggestion=subject, actor=actor, action="inspection", detail=detail, hidden_from_units=hidden)

    _inspection_effects(inspection, actor)
    return inspection


def _inspection_effects(inspection: Inspection, actor: User) -> None:
    """Which deadlines an inspection meets, and what a second acceptance does to the suggestion."""
    kind, suggestion = inspection.kind, inspection.suggestion
    if inspection.key_item is not None and kind not in SUGGESTION_KINDS:
        # 一季一检查: any inspection of the item during a quarter meets that quarter's deadline.
        quarter = (inspection.held_on.month - 1) // 3
        dl.deadline_satisfy(
            regime_deadlines(inspection.key_item).filter(
                kind=DeadlineKind.QUARTERLY_INSPECTION,
                due_date__year=inspection.held_on.year,
                due_date__month__in=[quarter * 3 + 1, quarter * 3 + 2, quarter * 3 + 3],
            )
        )
    if suggestion is None:
        return
    if kind == InspectionKind.FACE_TO_FACE:
        dl.deadline_satisfy(suggestion.deadlines.filter(kind=DeadlineKind.FACE_TO_FACE))
    if kind in (InspectionKind.LOOK_BACK, InspectionKind.SECOND_ACCEPTANCE):
        # Either ends the look-back that closing opened; a failed acceptance starts a new round,
        # whose closing opens the next look-back.
        dl.deadline_satisfy(selectors.open_look_backs(suggestion))
    if kind == InspectionKind.SECOND_ACCEPTANCE:
        reason = _("Second acceptance failed: %(findings)s") % {"findings": inspection.findings}
        if inspection.verdict == Verdict.FAIL:
            suggestion_reopen(suggestion=suggestion, actor=actor, reason=reason[:5000])
        elif suggestion.status == S.FOLLOW_UP and actor.is_office_staff:
            suggestion_close(
                suggestion=suggestion,
                actor=actor,
                note=(_("Second acceptance passed: %(findings)s") % {"findings": inspection.findings})[:5000],
            )


@transaction.atomic
def inspection_release_report(*, inspection: Inspection, actor: User) -> Inspection:
    """Staff send the written report to the unit; its follow-up actions become the unit's deadlines."""
    _require_staff(actor)
    locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if locked.report_released_at is not None:
        raise ActionConflict(_("The report has already been released."))
    if not locked.report.strip():
        raise ActionConflict(_("Write the report before releasing it."))
    now, today = timezone.now(), _today()
    Inspection.objects.filter(pk=inspection.pk).update(report_released_at=now, released_by=actor)
    inspection.report_released_at, inspection.released_by = now, actor
    for action in FollowUpAction.objects.filter(inspection=inspection).select_related("unit"):
        dl.deadline_open(
            kind=DeadlineKind.INSPECTION_FOLLOW_UP,
            party=Party.UNIT,
            starts_on=today,
            unit=action.unit,
            suggestion=inspection.suggestion,
            owner=action,
            due_date=action.due_date,
            from_event="inspection_release",
        )
    subject_ids = [inspection.suggestion_id] if inspection.suggestion_id else []
    if inspection.key_item_id:
        subject_ids += list(inspection.key_item.suggestions.values_list("id", flat=True))
    detail = {
        "inspection": inspection.pk,
        "kind": inspection.kind,
        "units": list(inspection.units.values_list("id", flat=True)),
    }
    for subject in Suggestion.objects.filter(pk__in=subject_ids).order_by("id"):
        event_record(suggestion=subject, actor=actor, action="inspection_report", detail=detail)
    return inspection


@transaction.atomic
def follow_up_action_complete(*, action: FollowUpAction, actor: User, note: str) -> FollowUpAction:
    """The unit reports a follow-up action done (整改到位); it meets the action's deadline."""
    _require(actor.is_unit_user and actor.unit_id == action.unit_id, _("Only the unit concerned may do this."))
    note = _text(note, "note", max_length=5000)
    now = timezone.now()
    # The condition on done_at makes a double click a 409 instead of a second completion.
    updated = FollowUpAction.objects.filter(pk=action.pk, done_at__isnull=True).update(
        done_at=now, done_by=actor, done_note=note
    )
    if updated != 1:
        raise ActionConflict(_("This action is already reported as done."))
    action.done_at, action.done_by, action.done_note = now, actor, note
    dl.deadline_satisfy(Deadline.objects.owned_by(action), at=now)
    if action.inspection.suggestion is not None:
        event_record(
            suggestion=action.inspection.suggestion,
            actor=actor,
            # Not "follow_up_done": that is the core's "commitments fulfilled, closed" transition.
            action="inspection_follow_up_done",
            detail={"inspection": action.inspection_id, "action": action.pk, "note": note},
        )
    return action
