"""Key suggestions (重点督办) and their "五个一" regime: monthly and half-year reports, year-end scoring."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.checks import require as _require
from common.checks import require_staff as _require_staff
from common.checks import require_text as _text
from common.errors import ActionConflict, ActionInvalid
from suggestions import deadlines as dl
from suggestions.models import (
    Deadline,
    DeadlineKind,
    Rating,
    Suggestion,
)

from .. import selectors
from ..models import (
    Committee,
    HalfYearReport,
    KeyItemStatus,
    KeySuggestion,
    Milestone,
    MonthlyReport,
    YearEndResult,
    YearEndScore,
)
from ..regime import regime_deadlines, regime_generate
from .base import (
    NOT_SUPERVISABLE,
    _item_event,
    _lock_item,
    _require_active,
    _today,
)

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
    deadline = regime_deadlines(key_item).open().filter(kind=kind, due_date__year=year).first()
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
