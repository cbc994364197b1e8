"""Pages for consultations and handling plans: parse, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from suggestions.detail_selectors import get_commitment_for
from suggestions.selectors import get_assignment_for, get_suggestion_for
from suggestions.services import commitment_confirm_delivery
from suggestions.views.common import not_found_as_404, paginate, run_service

from . import selectors, services
from .forms import AnswerForm, ConsultForm, DeliveryForm, PlanForm, StepFormSet


def _errors_as_messages(request, form) -> None:
    """Forms shown inside the suggestion page report their errors as messages after the redirect."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error), extra_tags="danger")


@login_required
@require_POST
@not_found_as_404
def consult(request, pk: int):
    suggestion = get_suggestion_for(request.user, pk)
    form = ConsultForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            lambda: services.consultation_request(
                suggestion=suggestion,
                actor=request.user,
                unit=form.cleaned_data["unit"],
                question=form.cleaned_data["question"],
            ),
            done=_("Your question was sent to the unit."),
        )
    else:
        _errors_as_messages(request, form)
    return redirect("suggestion_detail", suggestion.pk)


@login_required
@not_found_as_404
def consultations(request):
    show = request.GET.get("show", "open")
    qs = selectors.consultation_list(request.user, open_only=show == "open")
    page = paginate(request, qs)
    return render(
        request,
        "handling/consultations.html",
        {"page": page, "show": show, "answer_form": AnswerForm() if request.user.is_unit_user else None},
    )


@login_required
@require_POST
@not_found_as_404
def answer(request, pk: int):
    consultation = selectors.get_consultation_for(request.user, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        ok, _result = run_service(
            request,
            lambda: services.consultation_answer(
                consultation=consultation, actor=request.user, answer=form.cleaned_data["answer"]
            ),
            form=form,
            done=_("Your answer was sent to the deputy."),
        )
        if ok:
            return redirect("handling:consultations")
    page = paginate(request, selectors.consultation_list(request.user, pk=consultation.pk))
    return render(
        request, "handling/consultations.html", {"page": page, "show": "all", "answer_form": form}, status=400
    )


@login_required
@not_found_as_404
def plan_edit(request, pk: int):
    assignment = get_assignment_for(request.user, pk)
    if not (request.user.is_unit_user and request.user.unit_id == assignment.unit_id):
        # Everyone else who may read the suggestion reads the plan on its page; only the unit writes it.
        raise PermissionDenied
    plan = selectors.plan_for_assignment(assignment)
    if request.method == "POST":
        form = PlanForm(request.POST)
        steps = StepFormSet(request.POST, prefix="steps")
        if form.is_valid() and steps.is_valid():
            inputs = [
                services.StepInput(
                    description=s.cleaned_data["description"],
                    responsible_person=s.cleaned_data["responsible_person"],
                    division=s.cleaned_data.get("division", ""),
                    milestone_on=s.cleaned_data["milestone_on"],
                )
                for s in steps
                if not s.is_blank()
            ]
            ok, _result = run_service(
                request,
                lambda: services.plan_record(
                    assignment=assignment,
                    actor=request.user,
                    summary=form.cleaned_data["summary"],
                    meeting_on=form.cleaned_data["meeting_on"],
                    meeting_notes=form.cleaned_data["meeting_notes"],
                    steps=inputs,
                ),
                form=form,
                done=_("The handling plan was recorded."),
            )
            if ok:
                return redirect("suggestion_detail", assignment.suggestion_id)
        status = 400
    else:
        initial = {}
        pending = []
        if plan is not None:
            initial = {"summary": plan.summary, "meeting_on": plan.meeting_on, "meeting_notes": plan.meeting_notes}
            pending = [
                {
                    "description": s.description,
                    "responsible_person": s.responsible_person,
                    "division": s.division,
                    "milestone_on": s.milestone_on,
                }
                for s in plan.steps.all()
                if s.done_at is None
            ]
        form = PlanForm(initial=initial)
        steps = StepFormSet(prefix="steps", initial=pending)
        status = 200
    return render(
        request,
        "handling/plan_form.html",
        {"assignment": assignment, "plan": plan, "form": form, "steps": steps},
        status=status,
    )


@login_required
@require_POST
@not_found_as_404
def step_done(request, pk: int):
    step = selectors.get_plan_step_for(request.user, pk)
    run_service(
        request,
        lambda: services.plan_step_complete(step=step, actor=request.user, note=request.POST.get("note", "")),
        done=_("Step marked done."),
    )
    return redirect("suggestion_detail", step.plan.assignment.suggestion_id)


@login_required
@require_POST
@not_found_as_404
def confirm_delivery(request, pk: int):
    commitment, _suggestion = get_commitment_for(request.user, pk)
    form = DeliveryForm(request.POST)
    suggestion_id = commitment.reply.assignment.suggestion_id
    if not form.is_valid():
        _errors_as_messages(request, form)
        return redirect("suggestion_detail", suggestion_id)
    run_service(
        request,
        lambda: commitment_confirm_delivery(
            commitment=commitment,
            actor=request.user,
            delivered=form.cleaned_data["delivered"],
            note=form.cleaned_data["note"],
        ),
        done=_("Thank you: the delivery of the commitment is recorded."),
    )
    return redirect("suggestion_detail", suggestion_id)
