"""What can be done to a suggestion: one entry per action, naming the form and the one service it calls,
and the rules for which actions a page offers a user in the current state.

Offering is a convenience; the services alone decide whether an action is allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from suggestions import forms as f
from suggestions import services
from suggestions.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    CoSignerStatus,
    RequestKind,
    Suggestion,
    SuggestionStatus,
)

S = SuggestionStatus
WITHDRAWABLE = services.TRANSITIONS["withdraw"][0]


@dataclass(frozen=True)
class Action:
    name: str
    label: Any
    run: Callable[..., Any]
    form: type | None = None
    done: Any = ""
    style: str = "primary"
    confirm: Any = ""


def cleaned(form) -> dict:
    return form.cleaned_data if form is not None else {}


SUGGESTION_ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action(
            "submit",
            gettext_lazy("Submit"),
            lambda r, s, d: services.suggestion_submit(suggestion=s, actor=r.user),
            done=gettext_lazy("Submitted to the deputy-affairs office."),
        ),
        Action(
            "cosign",
            gettext_lazy("Answer the invitation"),
            lambda r, s, d: services.suggestion_cosign(suggestion=s, actor=r.user, accept=d["accept"]),
            form=f.CosignForm,
            done=gettext_lazy("Your answer is recorded."),
        ),
        Action(
            "consent_withdraw",
            gettext_lazy("Consent to withdrawal"),
            lambda r, s, d: services.suggestion_consent_withdraw(suggestion=s, actor=r.user),
            done=gettext_lazy("Your consent is recorded."),
            style="outline-secondary",
        ),
        Action(
            "withdraw",
            gettext_lazy("Withdraw"),
            lambda r, s, d: services.suggestion_withdraw(suggestion=s, actor=r.user),
            done=gettext_lazy("The suggestion is withdrawn."),
            style="outline-danger",
            confirm=gettext_lazy("Withdraw this suggestion? This cannot be undone."),
        ),
        Action(
            "accept",
            gettext_lazy("Accept"),
            lambda r, s, d: services.suggestion_accept(suggestion=s, actor=r.user),
            done=gettext_lazy("Accepted and numbered."),
            style="success",
        ),
        Action(
            "reject",
            gettext_lazy("Reject"),
            lambda r, s, d: services.suggestion_reject(
                suggestion=s, actor=r.user, reason=d["reason"], keep_as_letter=d["keep_as_letter"]
            ),
            form=f.RejectForm,
            done=gettext_lazy("Rejected."),
            style="danger",
        ),
        Action(
            "return",
            gettext_lazy("Return for revision"),
            lambda r, s, d: services.suggestion_return(suggestion=s, actor=r.user, reason=d["reason"]),
            form=f.ReasonForm,
            done=gettext_lazy("Returned to the deputy for revision."),
            style="warning",
        ),
        Action(
            "merge",
            gettext_lazy("Merge"),
            lambda r, s, d: services.suggestion_merge(suggestion=s, actor=r.user, into=d["into"]),
            form=f.MergeForm,
            done=gettext_lazy("Merged."),
            style="secondary",
        ),
        Action(
            "evaluate",
            gettext_lazy("Rate the handling"),
            lambda r, s, d: services.suggestion_evaluate(
                suggestion=s, actor=r.user, attitude=d["attitude"], result=d["result"], comment=d["comment"]
            ),
            form=f.EvaluateForm,
            done=gettext_lazy("Thank you; your rating is recorded."),
        ),
        Action(
            "close",
            gettext_lazy("Close with a note"),
            lambda r, s, d: services.suggestion_close(suggestion=s, actor=r.user, note=d["note"]),
            form=f.NoteForm,
            done=gettext_lazy("Closed."),
            style="secondary",
        ),
    ]
}

ASSIGNMENT_ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action(
            "sign",
            gettext_lazy("Sign for it"),
            lambda r, a, d: services.assignment_sign(assignment=a, actor=r.user),
            done=gettext_lazy("Signed for."),
            style="success",
        ),
        Action(
            "request_return",
            gettext_lazy("Request return"),
            lambda r, a, d: services.assignment_request_return(assignment=a, actor=r.user, reason=d["reason"]),
            form=f.ReasonForm,
            done=gettext_lazy("Return requested; staff will decide."),
            style="outline-secondary",
        ),
        Action(
            "request_extension",
            gettext_lazy("Request an extension"),
            lambda r, a, d: services.assignment_request_extension(
                assignment=a, actor=r.user, reason=d["reason"], due_date=d["due_date"]
            ),
            form=f.ExtensionForm,
            done=gettext_lazy("Extension requested; staff will decide."),
            style="outline-secondary",
        ),
        Action(
            "contact",
            gettext_lazy("Log a contact"),
            lambda r, a, d: services.contact_log(
                assignment=a,
                actor=r.user,
                phase=d["phase"],
                method=d["method"],
                met_by=d["met_by"],
                contacted_at=d["contacted_at"],
                summary=d["summary"],
            ),
            form=f.ContactForm,
            done=gettext_lazy("Contact logged."),
        ),
        Action(
            "reply",
            gettext_lazy("Draft the reply"),
            lambda r, a, d: services.reply_draft(
                assignment=a,
                actor=r.user,
                body=d["body"],
                result_class=d["result_class"],
                adoption=d["adoption"],
                public=d["public"],
                contact_person=d["contact_person"],
                contact_phone=d["contact_phone"],
                commitments=d["commitments"],
                attachments=d["attachments"],
            ),
            form=f.ReplyForm,
            done=gettext_lazy("Reply drafted; it waits for the unit head's sign-off."),
        ),
        Action(
            "approve_reply",
            gettext_lazy("Sign off and release"),
            lambda r, a, d: services.reply_approve(assignment=a, actor=r.user),
            done=gettext_lazy("Reply signed off and released to the deputy."),
            style="success",
        ),
        Action(
            "send_back",
            gettext_lazy("Send the draft back"),
            lambda r, a, d: services.reply_send_back(assignment=a, actor=r.user, note=d["note"]),
            form=f.NoteForm,
            done=gettext_lazy("Draft sent back to the handler."),
            style="outline-secondary",
        ),
        Action(
            "opinion",
            gettext_lazy("Send the co-unit opinion"),
            lambda r, a, d: services.opinion_send(assignment=a, actor=r.user, body=d["body"]),
            form=f.OpinionForm,
            done=gettext_lazy("Opinion sent to the lead unit."),
        ),
        Action(
            "approve_return",
            gettext_lazy("Approve the return"),
            lambda r, a, d: services.assignment_approve_return(assignment=a, actor=r.user, note=d["note"]),
            form=f.OptionalNoteForm,
            done=gettext_lazy("Return approved; assign the suggestion again."),
            style="success",
        ),
        Action(
            "refuse_return",
            gettext_lazy("Refuse the return"),
            lambda r, a, d: services.assignment_refuse_return(assignment=a, actor=r.user, note=d["note"]),
            form=f.OptionalNoteForm,
            done=gettext_lazy("Return refused."),
            style="outline-danger",
        ),
        Action(
            "approve_extension",
            gettext_lazy("Approve the extension"),
            lambda r, a, d: services.assignment_approve_extension(
                assignment=a, actor=r.user, due_date=d["due_date"], note=d["note"]
            ),
            form=f.DecisionForm,
            done=gettext_lazy("Extension approved."),
            style="success",
        ),
        Action(
            "refuse_extension",
            gettext_lazy("Refuse the extension"),
            lambda r, a, d: services.assignment_refuse_extension(assignment=a, actor=r.user, note=d["note"]),
            form=f.OptionalNoteForm,
            done=gettext_lazy("Extension refused."),
            style="outline-danger",
        ),
    ]
}


# --------------------------------------------------------------------------------------------
# What to offer


def suggestion_actions_for(user, suggestion: Suggestion, *, cosign_row, rated: bool, live: list[Assignment]) -> list:
    """The suggestion-level actions to offer this user now (the services still have the last word)."""
    status = suggestion.status
    names: list[str] = []
    if user.pk == suggestion.lead_deputy_id:
        if status == S.DRAFT:
            names.append("submit")
        if status == S.REPLIED and not rated:
            names.append("evaluate")
        if status in WITHDRAWABLE:
            names.append("withdraw")
    elif cosign_row is not None:
        if status == S.DRAFT and cosign_row.status == CoSignerStatus.INVITED:
            names.append("cosign")
        if cosign_row.status == CoSignerStatus.CONFIRMED:
            if status == S.REPLIED and not rated:
                names.append("evaluate")
            if status in WITHDRAWABLE and not cosign_row.withdraw_consent:
                names.append("consent_withdraw")
    if user.is_office_staff:
        if status == S.SUBMITTED:
            names += ["accept", "reject", "return", "merge"]
        lead_rated = any(e.is_lead and e.round == suggestion.round for e in suggestion.evaluation_rows)
        if status == S.FOLLOW_UP or (status == S.REPLIED and lead_rated):
            names.append("close")
    return names


def can_assign(user, suggestion: Suggestion, live: list[Assignment]) -> bool:
    if not user.is_office_staff:
        return False
    return suggestion.status == S.REGISTERED or (suggestion.status in {S.ASSIGNED, S.HANDLING} and bool(live))


def assignment_actions_for(user, assignment: Assignment, suggestion: Suggestion, pending: set[str]) -> list[str]:
    names: list[str] = []
    status, open_suggestion = assignment.status, suggestion.status in services.HANDLING_STATES
    if user.is_unit_user and user.unit_id == assignment.unit_id:
        if open_suggestion and status == AssignmentStatus.PENDING:
            names.append("sign")
        if open_suggestion and status == AssignmentStatus.ACCEPTED:
            names.append("reply" if assignment.role == AssignmentRole.LEAD else "opinion")
        if status in services.CONTACT_STATES:
            names.append("contact")
        if status == AssignmentStatus.AWAITING_SIGNOFF and user.is_unit_head:
            names += ["approve_reply", "send_back"]
        if (
            open_suggestion
            and status in services.EXTENDABLE
            and RequestKind.EXTENSION not in pending
            and assignment.role == AssignmentRole.LEAD
        ):
            names.append("request_extension")
        if (
            open_suggestion
            and status in {AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED}
            and timezone.localdate() <= services.return_window_end(assignment)
        ):
            names.append("request_return")
    if user.is_office_staff:
        if RequestKind.RETURN in pending:
            names += ["approve_return", "refuse_return"]
        if RequestKind.EXTENSION in pending:
            names += ["approve_extension", "refuse_extension"]
    return names
