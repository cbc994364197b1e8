"""Writes for consultations and handling plans: one function per action, each in one transaction.

Each checks the actor (403), the state (409) and the input (400), writes its rows, opens or meets
the deadlines it owns, and records the step on the suggestion's timeline in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit, User
from common.checks import require as _require
from common.checks import require_text as _require_text
from common.errors import ActionConflict, ActionInvalid
from suggestions import deadlines as dl
from suggestions.models import Assignment, AssignmentRole, AssignmentStatus, Deadline, DeadlineKind, Party, Suggestion
from suggestions.models import SuggestionStatus as S
from suggestions.services import event_record
from suggestions.services.base import _lock

from .models import Consultation, HandlingPlan, PlanStep

# A plan may be recorded or revised while the unit still handles the suggestion.
PLAN_STATUSES = {AssignmentStatus.ACCEPTED, AssignmentStatus.RETURN_REQUESTED, AssignmentStatus.AWAITING_SIGNOFF}


# ---------------------------------------------------------------------------------------------
# 提办对接: pre-submission consultation


@transaction.atomic
def consultation_request(*, suggestion: Suggestion, actor: User, unit: Unit | None, question: str) -> Consultation:
    """The lead deputy asks a unit about a draft; the unit owes an answer in working days."""
    _require(actor.pk == suggestion.lead_deputy_id, _("Only the lead deputy may ask a unit about this draft."))
    question = _require_text(question, "question", max_length=5000)
    if unit is None or not unit.active:
        raise ActionInvalid.field("unit", _("Choose an active unit."))
    suggestion = _lock(suggestion)
    if suggestion.status != S.DRAFT:
        raise ActionConflict(_("Units are consulted on drafts, before the suggestion is submitted."))
    if Consultation.objects.filter(suggestion=suggestion, unit=unit, answered_at__isnull=True).exists():
        raise ActionConflict(_("This unit has not answered your last question yet."))
    now = timezone.now()
    consultation = Consultation.objects.create(
        suggestion=suggestion,
        unit=unit,
        question=question,
        draft_title=suggestion.title,
        draft_body=suggestion.body,
        asked_by=actor,
        asked_at=now,
    )
    dl.deadline_open(
        kind=DeadlineKind.CONSULTATION,
        party=Party.UNIT,
        unit=unit,
        suggestion=suggestion,
        owner=consultation,
        starts_on=timezone.localdate(now),
        from_event="consultation_request",
    )
    event_record(
        suggestion=suggestion,
        actor=actor,
        action="consultation_request",
        detail={"consultation": consultation.pk, "unit": unit.pk, "unit_name": unit.name},
    )
    return consultation


@transaction.atomic
def consultation_answer(*, consultation: Consultation, actor: User, answer: str) -> Consultation:
    """The consulted unit answers; the answer stays on the suggestion's record."""
    _require(actor.is_unit_user and actor.unit_id == consultation.unit_id, _("Only the consulted unit may answer."))
    answer = _require_text(answer, "answer", max_length=10000)
    now = timezone.now()
    # The conditional update keeps a double submit from overwriting the first answer.
    updated = Consultation.objects.filter(pk=consultation.pk, answered_at__isnull=True).update(
        answer=answer, answered_by=actor, answered_at=now
    )
    if updated != 1:
        raise ActionConflict(_("This consultation has already been answered."))
    consultation.refresh_from_db()
    dl.deadline_satisfy(_owned_deadlines(consultation, DeadlineKind.CONSULTATION), at=now)
    event_record(
        suggestion=consultation.suggestion,
        actor=actor,
        action="consultation_answer",
        detail={"consultation": consultation.pk, "unit": consultation.unit_id, "unit_name": consultation.unit.name},
    )
    return consultation


def _owned_deadlines(owner, kind: str):
    return Deadline.objects.owned_by(owner).filter(kind=kind)


# ---------------------------------------------------------------------------------------------
# 办理方案: the lead unit's handling plan


@dataclass(frozen=True)
class StepInput:
    description: str
    responsible_person: str
    milestone_on: dt.date
    division: str = ""


def plan_deadline_open(*, assignment: Assignment, signed_on: dt.date) -> None:
    """The lead unit owes a plan within the configured working days of signing (SPEC section 12)."""
    dl.deadline_open(
        kind=DeadlineKind.HANDLING_PLAN,
        party=Party.UNIT,
        unit=assignment.unit,
        suggestion=assignment.suggestion,
        assignment=assignment,
        starts_on=signed_on,
        from_event="sign",
    )


def _clean_steps(steps: Sequence[StepInput]) -> list[StepInput]:
    if not steps:
        raise ActionInvalid.field("steps", _("A plan needs at least one step."))
    if len(steps) > 50:
        raise ActionInvalid.field("steps", _("A plan has at most 50 steps."))
    cleaned = []
    for step in steps:
        description = _require_text(step.description, "steps", max_length=500)
        person = _require_text(step.responsible_person, "steps", max_length=100)
        if not isinstance(step.milestone_on, dt.date):
            raise ActionInvalid.field("steps", _("Each step needs a milestone date."))
        cleaned.append(StepInput(description, person, step.milestone_on, (step.division or "").strip()[:100]))
    return cleaned


@transaction.atomic
def plan_record(
    *,
    assignment: Assignment,
    actor: User,
    summary: str,
    steps: Sequence[StepInput],
    meeting_on: dt.date | None = None,
    meeting_notes: str = "",
) -> HandlingPlan:
    """Record or revise the plan. Steps not yet done are replaced; done steps are kept as history."""
    _require(
        actor.is_unit_user and actor.unit_id == assignment.unit_id, _("Only the assigned unit may record its plan.")
    )
    _require(assignment.role == AssignmentRole.LEAD, _("Only a lead unit records a handling plan."))
    summary = _require_text(summary, "summary", max_length=10000)
    cleaned = _clean_steps(steps)
    suggestion = _lock(assignment.suggestion)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status not in PLAN_STATUSES:
        raise ActionConflict(_("A plan is recorded after signing and before the reply is released."))
    today = timezone.localdate()
    if meeting_on is not None and meeting_on > today:
        raise ActionInvalid.field("meeting_on", _("The meeting cannot be dated after today."))
    now = timezone.now()
    plan, created = HandlingPlan.objects.update_or_create(
        assignment=assignment,
        defaults={
            "summary": summary,
            "meeting_on": meeting_on,
            "meeting_notes": (meeting_notes or "").strip()[:5000],
            "updated_at": now,
        },
        create_defaults={
            "summary": summary,
            "meeting_on": meeting_on,
            "meeting_notes": (meeting_notes or "").strip()[:5000],
            "recorded_by": actor,
            "recorded_at": now,
            "updated_at": now,
        },
    )
    pending = list(plan.steps.filter(done_at__isnull=True))
    for old in pending:
        dl.deadline_cancel(_owned_deadlines(old, DeadlineKind.PLAN_MILESTONE), at=now)
    PlanStep.objects.filter(pk__in=[s.pk for s in pending]).delete()
    for item in cleaned:
        step = PlanStep.objects.create(
            plan=plan,
            description=item.description,
            responsible_person=item.responsible_person,
            division=item.division,
            milestone_on=item.milestone_on,
        )
        dl.deadline_open(
            kind=DeadlineKind.PLAN_MILESTONE,
            party=Party.UNIT,
            unit=assignment.unit,
            suggestion=suggestion,
            assignment=assignment,
            owner=step,
            starts_on=today,
            due_date=item.milestone_on,
            from_event="plan_record",
        )
    dl.deadline_satisfy(assignment.deadlines.filter(kind=DeadlineKind.HANDLING_PLAN), at=now)
    event_record(
        suggestion=suggestion,
        actor=actor,
        action="plan_record" if created else "plan_revise",
        detail={"assignment": assignment.pk, "unit": assignment.unit_id, "steps": len(cleaned)},
    )
    return plan


@transaction.atomic
def plan_step_complete(*, step: PlanStep, actor: User, note: str = "") -> PlanStep:
    assignment = step.plan.assignment
    _require(actor.is_unit_user and actor.unit_id == assignment.unit_id, _("Only the assigned unit may do this."))
    now = timezone.now()
    updated = PlanStep.objects.filter(pk=step.pk, done_at__isnull=True).update(
        done_at=now, done_note=(note or "").strip()[:1000]
    )
    if updated != 1:
        raise ActionConflict(_("This step is already done."))
    step.refresh_from_db()
    dl.deadline_satisfy(_owned_deadlines(step, DeadlineKind.PLAN_MILESTONE), at=now)
    event_record(
        suggestion=assignment.suggestion,
        actor=actor,
        action="plan_step_done",
        detail={"assignment": assignment.pk, "step": step.description},
    )
    return step
