"""Every write in supervision goes through here: one keyword-only function per action.

Callers fetch objects through `supervision.selectors` / `suggestions.selectors` first, so an
object the actor may not see has already been answered with 404; these functions then check the
role (ActionForbidden, 403), the state (ActionConflict, 409) and the input (ActionInvalid, 400),
and write rows, deadlines and timeline events in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, Unit, User
from common.errors import ActionConflict, ActionForbidden, ActionInvalid
from suggestions import deadlines as dl
from suggestions.models import (
    Assignment,
    AssignmentStatus,
    Deadline,
    DeadlineKind,
    Party,
    Rating,
    Suggestion,
    SuggestionStatus,
)
from suggestions.services import event_record, suggestion_close, suggestion_reopen

from . import selectors
from .models import (
    SUGGESTION_KINDS,
    Campaign,
    Committee,
    FollowUpAction,
    HalfYearReport,
    Inspection,
    InspectionKind,
    Instruction,
    KeyItemStatus,
    KeySuggestion,
    Milestone,
    MonthlyReport,
    SuggestionSupervisor,
    Verdict,
    YearEndResult,
    YearEndScore,
)
from .regime import regime_deadlines, regime_generate

S = SuggestionStatus
# A suggestion that never entered handling cannot be supervised.
NOT_SUPERVISABLE = frozenset({S.DRAFT, S.SUBMITTED, S.NOT_ACCEPTED, S.MERGED, S.WITHDRAWN})
AFTER_CLOSING = frozenset({S.CLOSED, S.FOLLOW_UP})


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ActionForbidden(message)


def _require_staff(actor: User) -> None:
    _require(actor.is_office_staff, _("Only deputy-affairs staff may do this."))


def _text(value: str | None, field: str, *, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ActionInvalid.field(field, _("This field is required."))
    if len(text) > max_length:
        raise ActionInvalid.field(field, _("Ensure this field has at most %(n)d characters.") % {"n": max_length})
    return text


def _require_supervisable(suggestion: Suggestion) -> None:
    if suggestion.status in NOT_SUPERVISABLE:
        raise ActionConflict(
            _("This action is not allowed while the suggestion is %(status)s.")
            % {"status": suggestion.get_status_display()}
        )


def _lock_item(item: KeySuggestion) -> KeySuggestion:
    fresh = KeySuggestion.objects.select_for_update().get(pk=item.pk)
    item.status = fresh.status
    return item


def _require_active(item: KeySuggestion) -> None:
    if item.status != KeyItemStatus.ACTIVE:
        raise ActionConflict(_("This key item is completed."))


def _item_event(item: KeySuggestion, actor: User | None, action: str, detail: dict[str, Any], **kw: Any) -> None:
    """Write the same timeline entry on every suggestion of a key item."""
    for suggestion in item.suggestions.all():
        event_record(suggestion=suggestion, actor=actor, action=action, detail=detail, **kw)


def _today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------------------------------------
# Supervisors and instructions


@transaction.atomic
def supervisor_attach(*, suggestion: Suggestion, user: User, actor: User) -> SuggestionSupervisor:
    """Staff attach a supervising leader to any suggestion in handling."""
    _require_staff(actor)
    if not (user.is_supervisor and user.is_active):
        raise ActionInvalid.field("user", _("Choose an active supervisor."))
    _require_supervisable(suggestion)
    try:
        # The unique constraint makes a concurrent second attach fail instead of duplicating.
        with transaction.atomic():
            link = SuggestionSupervisor.objects.create(suggestion=suggestion, user=user, assigned_by=actor)
    except IntegrityError:
        raise ActionConflict(_("This supervisor is already attached.")) from None
    event_record(
        suggestion=suggestion, actor=actor, action="supervisor_attach", detail={"user": user.pk, "name": str(user)}
    )
    return link


@transaction.atomic
def supervisor_detach(*, suggestion: Suggestion, user: User, actor: User) -> None:
    _require_staff(actor)
    deleted, _rows = SuggestionSupervisor.objects.filter(suggestion=suggestion, user=user).delete()
    if not deleted:
        raise ActionConflict(_("This supervisor is not attached."))
    event_record(
        suggestion=suggestion, actor=actor, action="supervisor_detach", detail={"user": user.pk, "name": str(user)}
    )


@transaction.atomic
def instruction_record(
    *, actor: User, text: str, suggestion: Suggestion | None = None, key_item: KeySuggestion | None = None
) -> Instruction:
    """批示 by a supervising leader (or staff recording it), shown on the timeline."""
    text = _text(text, "text", max_length=5000)
    if (suggestion is None) == (key_item is None):
        raise ActionInvalid.field("suggestion", _("Give either a suggestion or a key item."))
    if key_item is not None:
        _require(selectors.can_supervise_key_item(actor, key_item), _("Only the item's leaders may instruct on it."))
        _lock_item(key_item)
        _require_active(key_item)
    else:
        assert suggestion is not None
        _require(
            selectors.can_supervise_suggestion(actor, suggestion),
            _("Only the suggestion's supervisors may instruct on it."),
        )
        _require_supervisable(suggestion)
    instruction = Instruction.objects.create(suggestion=suggestion, key_item=key_item, author=actor, text=text)
    detail = {"instruction": instruction.pk, "text": text}
    if key_item is not None:
        _item_event(key_item, actor, "instruction", {**detail, "key_item": key_item.pk})
    else:
        assert suggestion is not None
        event_record(suggestion=suggestion, actor=actor, action="instruction", detail=detail)
    return instruction


# ---------------------------------------------------------------------------------------------
# Key items and the "五个一" regime


def _validate_key_item_members(suggestions: Sequence[Suggestion], leaders: Sequence[User]) -> None:
    if not suggestions:
        raise ActionInvalid.field("suggestions", _("Choose at least one suggestion."))
    bad = [s for s in suggestions if s.status in NOT_SUPERVISABLE]
    if bad:
        raise ActionInvalid.field(
            "suggestions", _("%(title)s is not a suggestion being handled.") % {"title": bad[0].title}
        )
    if any(not (u.is_supervisor and u.is_active) for u in leaders):
        raise ActionInvalid.field("leaders", _("Supervising leaders must be active supervisors."))


@transaction.atomic
def key_item_create(
    *,
    actor: User,
    year: int,
    topic: str,
    suggestions: Sequence[Suggestion],
    leaders: Sequence[User] = (),
    description: str = "",
    committee: str = "",
    committee_ref: Committee | None = None,
    government_leader: str = "",
    council_meeting: str = "",
    council_date: dt.date | None = None,
    work_plan: str = "",
    milestones: Sequence[dict[str, Any]] = (),
    regime_starts_on: dt.date | None = None,
) -> KeySuggestion:
    """重点督办事项 chosen by the chair's council; opens the year's "五个一" deadlines at once."""
    _require_staff(actor)
    topic = _text(topic, "topic", max_length=200)
    today = _today()
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ActionInvalid.field("year", _("Enter a valid year."))
    starts = regime_starts_on or (today if today.year == year else dt.date(year, 1, 1))
    if starts.year != year:
        raise ActionInvalid.field("regime_starts_on", _("The regime must start within the item's year."))
    suggestions, leaders = list(dict.fromkeys(suggestions)), list(dict.fromkeys(leaders))
    _validate_key_item_members(suggestions, leaders)
    _require_not_chosen_twice(year, suggestions)
    parsed_milestones = _parse_milestones(milestones)
    item = KeySuggestion.objects.create(
        year=year,
        topic=topic,
        description=_text(description, "description", max_length=5000, required=False),
        committee=_text(
            committee or (committee_ref.name if committee_ref else ""), "committee", max_length=100, required=False
        ),
        committee_ref=committee_ref,
        government_leader=_text(government_leader, "government_leader", max_length=100, required=False),
        council_meeting=_text(council_meeting, "council_meeting", max_length=200, required=False),
        council_date=council_date,
        work_plan=_text(work_plan, "work_plan", max_length=20000, required=False),
        regime_starts_on=starts,
        created_by=actor,
    )
    item.suggestions.set(suggestions)
    item.leaders.set(leaders)
    Milestone.objects.bulk_create(Milestone(key_item=item, **m) for m in parsed_milestones)
    regime_generate(item)
    _item_event(item, actor, "key_item", {"key_item": item.pk, "topic": topic, "year": year})
    return item


def _require_not_chosen_twice(year: int, suggestions: Sequence[Suggestion], exclude: int | None = None) -> None:
    """A suggestion is supervised under one active key item a year; a second would double its regime."""
    taken = KeySuggestion.objects.filter(year=year, status=KeyItemStatus.ACTIVE, suggestions__in=suggestions)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ActionConflict(_("A suggestion of this item is already a key item this year."))


def _parse_milestones(milestones: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    parsed = []
    for m in milestones:
        title = (m.get("title") or "").strip()
        target = m.get("target_date")
        if isinstance(target, str):
            try:
                target = dt.date.fromisoformat(target)
            except ValueError:
                target = None
        if not title or not isinstance(target, dt.date) or len(title) > 200:
            raise ActionInvalid.field("milestones", _("Each milestone needs a title and a target date."))
        parsed.append({"title": title, "target_date": target})
    return parsed


KEY_ITEM_TEXT_FIELDS = {
    "topic": 200,
    "description": 5000,
    "committee": 100,
    "government_leader": 100,
    "council_meeting": 200,
    "work_plan": 20000,
}


@transaction.atomic
def key_item_update(*, key_item: KeySuggestion, actor: User, **changes: Any) -> KeySuggestion:
    """Edit an active item; new suggestions or lead units get their regime deadlines added."""
    _require_staff(actor)
    _lock_item(key_item)
    _require_active(key_item)
    allowed = {*KEY_ITEM_TEXT_FIELDS, "council_date", "suggestions", "leaders", "committee_ref"}
    unknown = set(changes) - allowed
    if unknown:
        raise ActionInvalid.field(sorted(unknown)[0], _("This field cannot be changed."))
    fields = []
    for name, limit in KEY_ITEM_TEXT_FIELDS.items():
        if name in changes:
            setattr(key_item, name, _text(changes[name], name, max_length=limit, required=name == "topic"))
            fields.append(name)
    if "council_date" in changes:
        key_item.council_date = changes["council_date"]
        fields.append("council_date")
    if "committee_ref" in changes:
        # The record names the committee; its name becomes the text unless a text came with it.
        key_item.committee_ref = changes["committee_ref"]
        fields.append("committee_ref")
        if key_item.committee_ref is not None and "committee" not in changes:
            key_item.committee = key_item.committee_ref.name
            fields.append("committee")
    suggestions = list(changes.get("suggestions", key_item.suggestions.all()))
    leaders = list(changes.get("leaders", key_item.leaders.all()))
    _validate_key_item_members(suggestions, leaders)
    _require_not_chosen_twice(key_item.year, suggestions, exclude=key_item.pk)
    if fields:
        key_item.save(update_fields=fields)
    if "suggestions" in changes:
        key_item.suggestions.set(suggestions)
    if "leaders" in changes:
        key_item.leaders.set(leaders)
    regime_generate(key_item)
    _item_event(key_item, actor, "key_item_update", {"key_item": key_item.pk, "fields": sorted(changes)})
    return key_item


@transaction.atomic
def key_item_complete(*, key_item: KeySuggestion, actor: User, note: str = "") -> KeySuggestion:
    """Supervision of the item ends; what the regime still expected is cancelled."""
    _require_staff(actor)
    _lock_item(key_item)
    _require_active(key_item)
    now = timezone.now()
    KeySuggestion.objects.filter(pk=key_item.pk).update(status=KeyItemStatus.COMPLETED, completed_at=now)
    key_item.status, key_item.completed_at = KeyItemStatus.COMPLETED, now
    dl.deadline_cancel(regime_deadlines(key_item), at=now)
    _item_event(key_item, actor, "key_item_complete", {"key_item": key_item.pk, "note": note})
    return key_item


@transaction.atomic
def regime_regenerate(*, key_item: KeySuggestion, actor: User) -> list[Deadline]:
    _require_staff(actor)
    _lock_item(key_item)
    _require_active(key_item)
    return regime_generate(key_item)


@transaction.atomic
def milestone_done(*, milestone: Milestone, actor: User) -> Milestone:
    _require(selectors.can_supervise_key_item(actor, milestone.key_item), _("Only staff or the leaders may do this."))
    if Milestone.objects.filter(pk=milestone.pk, done_at__isnull=True).update(done_at=timezone.now()) != 1:
        raise ActionConflict(_("This milestone is already done."))
    milestone.refresh_from_db()
    return milestone


def _month_start(value: dt.date) -> dt.date:
    return value.replace(day=1)


@transaction.atomic
def monthly_report_submit(
    *,
    key_item: KeySuggestion,
    actor: User,
    period: dt.date,
    progress: str,
    problems: str = "",
    next_steps: str = "",
) -> MonthlyReport:
    """一月一情况 written in the system by a lead unit; it meets that month's deadline."""
    _require(
        actor.is_unit_user and selectors.unit_is_lead_on(key_item, actor.unit_id),
        _("Only a lead unit of this item writes its monthly report."),
    )
    progress = _text(progress, "progress", max_length=10000)
    problems = _text(problems, "problems", max_length=5000, required=False)
    next_steps = _text(next_steps, "next_steps", max_length=5000, required=False)
    if not isinstance(period, dt.date):
        raise ActionInvalid.field("period", _("Enter a valid month."))
    period = _month_start(period)
    if period < _month_start(key_item.regime_starts_on) or period > _month_start(_today()):
        raise ActionInvalid.field("period", _("Report on a month between the regime's start and this month."))
    _lock_item(key_item)
    _require_active(key_item)
    try:
        with transaction.atomic():
            report = MonthlyReport.objects.create(
                key_item=key_item,
                unit_id=actor.unit_id,
                period=period,
                progress=progress,
                problems=problems,
                next_steps=next_steps,
                submitted_by=actor,
            )
    except IntegrityError:
        raise ActionConflict(_("Your unit has already reported on this month.")) from None
    dl.deadline_satisfy(
        regime_deadlines(key_item).filter(
            kind=DeadlineKind.MONTHLY_REPORT,
            unit_id=actor.unit_id,
            due_date__year=period.year,
            due_date__month=period.month,
        ),
        at=report.submitted_at,
    )
    _item_event(
        key_item,
        actor,
        "monthly_report",
        {"key_item": key_item.pk, "report": report.pk, "unit": actor.unit_id, "period": period.strftime("%Y-%m")},
    )
    return report


def _open_regime(key_item: KeySuggestion, kind: str, year: int) -> Deadline:
    deadline = (
        regime_deadlines(key_item)
        .filter(kind=kind, due_date__year=year, satisfied_at__isnull=True, cancelled_at__isnull=True)
        .first()
    )
    if deadline is None:
        raise ActionConflict(_("Nothing of this kind is due for this item in %(year)s.") % {"year": year})
    return deadline


@transaction.atomic
def half_year_report_record(
    *, key_item: KeySuggestion, actor: User, reported_on: dt.date, summary: str, meeting: str = ""
) -> HalfYearReport:
    """半年一汇报 to the standing committee, recorded by staff."""
    _require_staff(actor)
    summary = _text(summary, "summary", max_length=20000)
    meeting = _text(meeting, "meeting", max_length=200, required=False)
    if not isinstance(reported_on, dt.date) or reported_on > _today():
        raise ActionInvalid.field("reported_on", _("Enter the date of the report (not in the future)."))
    _lock_item(key_item)
    _require_active(key_item)
    deadline = _open_regime(key_item, DeadlineKind.HALF_YEAR_REPORT, reported_on.year)
    report = HalfYearReport.objects.create(
        key_item=key_item,
        year=reported_on.year,
        reported_on=reported_on,
        meeting=meeting,
        summary=summary,
        recorded_by=actor,
    )
    dl.deadline_satisfy(deadline)
    _item_event(key_item, actor, "half_year_report", {"key_item": key_item.pk, "report": report.pk})
    return report


def can_score_year_end(user: User, key_item: KeySuggestion) -> bool:
    """Committee members (supervisors) and the deputies of the item's suggestions fill in the form."""
    if user.is_supervisor:
        return selectors.key_items_visible_to(user).filter(pk=key_item.pk).exists()
    if user.is_deputy:
        return key_item.suggestions.filter(
            Q(lead_deputy=user) | Q(cosignatures__deputy=user, cosignatures__status="confirmed")
        ).exists()
    return False


@transaction.atomic
def year_end_score_submit(
    *, key_item: KeySuggestion, actor: User, rating: str, score: int, comment: str = ""
) -> YearEndScore:
    """年度一测评: one form per committee member or deputy, while the year-end evaluation is open."""
    _require(can_score_year_end(actor, key_item), _("Only committee members and the item's deputies score it."))
    if rating not in Rating.values:
        raise ActionInvalid.field("rating", _("Choose satisfied, basically satisfied or unsatisfied."))
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 100:
        raise ActionInvalid.field("score", _("Enter a score from 0 to 100."))
    comment = _text(comment, "comment", max_length=5000, required=rating == Rating.UNSATISFIED)
    _lock_item(key_item)
    _require_active(key_item)
    deadline = _open_regime(key_item, DeadlineKind.YEAR_END_EVALUATION, key_item.year)
    try:
        with transaction.atomic():
            form = YearEndScore.objects.create(
                key_item=key_item,
                year=deadline.due_date.year,
                scorer=actor,
                rating=rating,
                score=score,
                comment=comment,
            )
    except IntegrityError:
        raise ActionConflict(_("You have already scored this item this year.")) from None
    return form


def year_end_verdict(satisfied: int, basically: int, unsatisfied: int) -> str:
    """The rating most forms give; a tie goes to the less favourable rating (the cautious reading)."""
    counts = [(unsatisfied, Rating.UNSATISFIED), (basically, Rating.BASICALLY_SATISFIED), (satisfied, Rating.SATISFIED)]
    best = max(n for n, _r in counts)
    return next(rating for n, rating in counts if n == best)


@transaction.atomic
def year_end_result_record(*, key_item: KeySuggestion, actor: User, note: str = "") -> YearEndResult:
    """Staff close the year-end evaluation: the result is computed from the forms and recorded."""
    _require_staff(actor)
    _lock_item(key_item)
    _require_active(key_item)
    deadline = _open_regime(key_item, DeadlineKind.YEAR_END_EVALUATION, key_item.year)
    year = deadline.due_date.year
    forms = list(YearEndScore.objects.filter(key_item=key_item, year=year).values_list("rating", "score"))
    if not forms:
        raise ActionConflict(_("No evaluation forms have been submitted yet."))
    counts = {r: sum(1 for rating, _s in forms if rating == r) for r in Rating.values}
    average = Decimal(sum(s for _r, s in forms)) / len(forms)
    result = YearEndResult.objects.create(
        key_item=key_item,
        year=year,
        forms=len(forms),
        average_score=average.quantize(Decimal("0.1")),
        satisfied=counts[Rating.SATISFIED],
        basically_satisfied=counts[Rating.BASICALLY_SATISFIED],
        unsatisfied=counts[Rating.UNSATISFIED],
        result=year_end_verdict(
            counts[Rating.SATISFIED], counts[Rating.BASICALLY_SATISFIED], counts[Rating.UNSATISFIED]
        ),
        note=_text(note, "note", max_length=5000, required=False),
        recorded_by=actor,
    )
    dl.deadline_satisfy(deadline)
    _item_event(
        key_item,
        actor,
        "year_end_evaluation",
        {"key_item": key_item.pk, "result": result.result, "forms": result.forms, "average": str(result.average_score)},
    )
    return result


# ---------------------------------------------------------------------------------------------
# Inspections of every kind


def _live_unit_ids(suggestion_ids: Iterable[int]) -> list[int]:
    return list(
        Assignment.objects.filter(suggestion_id__in=list(suggestion_ids))
        .exclude(status=AssignmentStatus.RETURNED)
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


@transaction.atomic
def inspection_create(
    *,
    actor: User,
    kind: str,
    held_on: dt.date,
    suggestion: Suggestion | None = None,
    key_item: KeySuggestion | None = None,
    units: Sequence[Unit] | None = None,
    participants: Sequence[User] = (),
    other_participants: str = "",
    findings: str = "",
    report: str = "",
    answers: str = "",
    renewed_opinions: str = "",
    verdict: str = "",
    follow_up_actions: Sequence[dict[str, Any]] = (),
) -> Inspection:
    """Record a 督查. A second acceptance takes effect at once: fail reopens, pass ends the look-back."""
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
    ct = ContentType.objects.get_for_model(FollowUpAction)
    dl.deadline_satisfy(Deadline.objects.filter(content_type=ct, object_id=action.pk), at=now)
    if action.inspection.suggestion is not None:
        event_record(
            suggestion=action.inspection.suggestion,
            actor=actor,
            # Not "follow_up_done": that is the core's "commitments fulfilled, closed" transition.
            action="inspection_follow_up_done",
            detail={"inspection": action.inspection_id, "action": action.pk, "note": note},
        )
    return action


# ---------------------------------------------------------------------------------------------
# Campaigns (督办周)


@transaction.atomic
def campaign_save(
    *,
    actor: User,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    key_items: Sequence[KeySuggestion] = (),
    suggestions: Sequence[Suggestion] = (),
    outcome: str = "",
    campaign: Campaign | None = None,
) -> Campaign:
    _require_staff(actor)
    name = _text(name, "name", max_length=200)
    outcome = _text(outcome, "outcome", max_length=20000, required=False)
    if not isinstance(starts_on, dt.date):
        raise ActionInvalid.field("starts_on", _("Enter a valid date."))
    if not isinstance(ends_on, dt.date) or ends_on < starts_on:
        raise ActionInvalid.field("ends_on", _("The campaign cannot end before it starts."))
    if campaign is None:
        campaign = Campaign.objects.create(
            name=name, starts_on=starts_on, ends_on=ends_on, outcome=outcome, created_by=actor
        )
    else:
        campaign.name, campaign.starts_on, campaign.ends_on, campaign.outcome = name, starts_on, ends_on, outcome
        campaign.save(update_fields=["name", "starts_on", "ends_on", "outcome"])
    campaign.key_items.set(key_items)
    campaign.suggestions.set(suggestions)
    return campaign


# ---------------------------------------------------------------------------------------------
# Repeated and follow-up suggestions


@transaction.atomic
def suggestion_link_repeat(*, suggestion: Suggestion, earlier: Suggestion, actor: User) -> Suggestion:
    """Staff link a suggestion to the earlier one on the same matter (重复提出)."""
    _require_staff(actor)
    suggestion = Suggestion.objects.select_for_update().select_related("session").get(pk=suggestion.pk)
    if earlier.pk == suggestion.pk:
        raise ActionInvalid.field("repeat_of", _("A suggestion cannot repeat itself."))
    if earlier.session.year > suggestion.session.year:
        raise ActionInvalid.field("repeat_of", _("Link to a suggestion raised earlier."))
    if earlier.pk in {s.pk for s in selectors.repeat_chain(suggestion)}:
        raise ActionConflict(_("These suggestions are already linked."))
    previous = suggestion.repeat_of_id
    # A plain column write (not a status): the link is a fact about the matter, logged on the timeline.
    Suggestion.objects.filter(pk=suggestion.pk).update(repeat_of=earlier, updated_at=timezone.now())
    suggestion.repeat_of = earlier
    event_record(
        suggestion=suggestion,
        actor=actor,
        action="link_repeat",
        detail={"repeat_of": earlier.pk, "previous": previous},
    )
    return suggestion


@transaction.atomic
def suggestion_link_follow_up(*, suggestion: Suggestion, look_back: Inspection, actor: User) -> Suggestion:
    """A suggestion raised after a look-back is linked to the suggestion that look-back examined."""
    _require_staff(actor)
    if (
        look_back.kind not in (InspectionKind.LOOK_BACK, InspectionKind.SECOND_ACCEPTANCE)
        or not look_back.suggestion_id
    ):
        raise ActionInvalid.field("look_back", _("Choose a look-back or second acceptance."))
    if look_back.suggestion_id == suggestion.pk:
        raise ActionInvalid.field("look_back", _("A suggestion cannot follow up on itself."))
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.follows_up_id == look_back.suggestion_id:
        raise ActionConflict(_("These suggestions are already linked."))
    Suggestion.objects.filter(pk=suggestion.pk).update(follows_up_id=look_back.suggestion_id, updated_at=timezone.now())
    suggestion.follows_up_id = look_back.suggestion_id
    event_record(
        suggestion=suggestion,
        actor=actor,
        action="link_follow_up",
        detail={"follows_up": look_back.suggestion_id, "look_back": look_back.pk},
    )
    return suggestion


# ---------------------------------------------------------------------------------------------
# Reactions to the core's timeline (connected in SupervisionConfig.ready)


def look_back_open_on_close(*, suggestion: Suggestion, from_event: str = "close") -> Deadline | None:
    """Open the look-back (回头看) a closed key or unsatisfied suggestion is due; a repeat is a no-op."""
    if not selectors.look_back_due_for(suggestion) or selectors.open_look_backs(suggestion).exists():
        return None
    today = _today()
    deadline = dl.deadline_open(
        kind=DeadlineKind.LOOK_BACK, party=Party.STAFF, starts_on=today, suggestion=suggestion, from_event=from_event
    )
    event_record(
        suggestion=suggestion, actor=None, action="look_back_due", detail={"due_date": deadline.due_date.isoformat()}
    )
    return deadline


def on_event_recorded(sender, event, **kwargs) -> None:
    """Runs inside the core's transaction, so what it writes commits or rolls back with the change."""
    if event.to_status == S.CLOSED:
        look_back_open_on_close(suggestion=event.suggestion, from_event=event.action)
    elif event.action == "assign":
        # A suggestion of an active key item got a (new) lead unit: it owes monthly reports too.
        for item in KeySuggestion.objects.filter(suggestions=event.suggestion_id, status=KeyItemStatus.ACTIVE):
            regime_generate(item)
