"""Small display helpers for the suggestion pages: state colours and timeline wording."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from suggestions.models import AssignmentStatus, SuggestionStatus

register = template.Library()

STATUS_CLASS: dict[str, str] = {
    SuggestionStatus.DRAFT: "text-bg-light border",
    SuggestionStatus.SUBMITTED: "text-bg-info",
    SuggestionStatus.REGISTERED: "text-bg-primary",
    SuggestionStatus.ASSIGNED: "text-bg-primary",
    SuggestionStatus.HANDLING: "text-bg-warning",
    SuggestionStatus.REPLIED: "text-bg-success",
    SuggestionStatus.REHANDLING: "text-bg-danger",
    SuggestionStatus.FOLLOW_UP: "text-bg-warning",
    SuggestionStatus.CLOSED: "text-bg-secondary",
    SuggestionStatus.NOT_ACCEPTED: "text-bg-dark",
    SuggestionStatus.MERGED: "text-bg-secondary",
    SuggestionStatus.WITHDRAWN: "text-bg-dark",
    AssignmentStatus.PENDING: "text-bg-info",
    AssignmentStatus.ACCEPTED: "text-bg-warning",
    AssignmentStatus.RETURN_REQUESTED: "text-bg-dark",
    AssignmentStatus.RETURNED: "text-bg-secondary",
    AssignmentStatus.AWAITING_SIGNOFF: "text-bg-primary",
    AssignmentStatus.OPINION_SENT: "text-bg-success",
}

# Timeline wording for every action the services and the other apps record.
EVENT_LABELS = {
    "create": _("Drafted"),
    "update": _("Draft edited"),
    "cosign_invite": _("Co-signers invited"),
    "cosign": _("Co-signer answered"),
    "submit": _("Submitted"),
    "accept": _("Accepted"),
    "reject": _("Not accepted"),
    "return": _("Returned for revision"),
    "merge": _("Merged into another suggestion"),
    "merged_in": _("Another suggestion merged in"),
    "assign": _("Assigned to units"),
    "await_signing": _("Waiting for a new unit to sign"),
    "start_handling": _("Handling started"),
    "back_to_registered": _("Back to registered"),
    "sign": _("Unit signed for it"),
    "request_return": _("Unit asked to return it"),
    "approve_return": _("Return approved"),
    "refuse_return": _("Return refused"),
    "request_extension": _("Unit asked for an extension"),
    "approve_extension": _("Extension approved"),
    "refuse_extension": _("Extension refused"),
    "contact": _("Contact with the deputy logged"),
    "contact_dispute": _("Deputy disputed a contact"),
    "reply_draft": _("Reply drafted"),
    "reply_send_back": _("Reply draft sent back"),
    "reply_release": _("Reply signed off and released"),
    "all_replied": _("Every lead unit has replied"),
    "opinion": _("Co-unit opinion sent"),
    "evaluate": _("Deputy rated the handling"),
    "rehandling_ordered": _("Re-handling ordered"),
    "reopen": _("Reopened for re-handling"),
    "close": _("Closed"),
    "close_no_evaluation": _("Closed without evaluation"),
    "follow_up_done": _("Commitments fulfilled; closed"),
    "commitment_fulfilled": _("Commitment fulfilled"),
    "withdraw_consent": _("Co-signer consented to withdrawal"),
    "withdraw": _("Withdrawn"),
    "urge": _("Urge notice sent"),
    "consultation_request": _("Deputy consulted a unit before submitting"),
    "consultation_answer": _("Unit answered the consultation"),
    "plan_record": _("Handling plan recorded"),
    "plan_revise": _("Handling plan revised"),
    "plan_step_done": _("Handling plan step done"),
    "commitment_delivered": _("Deputy confirmed a commitment delivered"),
    "commitment_not_delivered": _("Deputy found a commitment not delivered"),
    "delivery_reopen": _("Back under follow-up: a commitment was not delivered"),
}
STATUS_LABELS = dict(SuggestionStatus.choices)


def register_event_labels(labels: dict) -> None:
    """Apps above the core (supervision) name the timeline events they record, from their ready()."""
    EVENT_LABELS.update(labels)


# Events recorded before an app renamed its action, told apart by what their detail carries:
# (action, key in detail) -> the action they really were.
LEGACY_EVENT_ACTIONS: dict[tuple[str, str], str] = {}


@register.filter
def status_class(value: str) -> str:
    return STATUS_CLASS.get(value, "text-bg-secondary")


@register.filter
def event_label(action: str) -> str:
    return str(EVENT_LABELS.get(action, _("Other record")))


@register.filter
def event_title(event) -> str:
    """The label of a timeline event, also for events recorded under an action since renamed."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    for (action, key), renamed in LEGACY_EVENT_ACTIONS.items():
        if event.action == action and key in detail:
            return event_label(renamed)
    return event_label(event.action)


@register.filter
def status_label(value: str) -> str:
    return str(STATUS_LABELS.get(value, value))


@register.filter
def detail_text(detail: dict) -> str:
    """The free text an event carries (a reason or a note), if any."""
    if not isinstance(detail, dict):
        return ""
    for key in ("reason", "note", "comment", "text"):
        if detail.get(key):
            return str(detail[key])
    return ""


@register.filter
def days_left(due, today) -> int | None:
    if not due or not today:
        return None
    return (due - today).days


ROLE_LABELS = {"lead": _("Lead unit"), "co": _("Co-unit")}


@register.filter
def role_label(role: str) -> str:
    """The assignment role without the Chinese term the model's choice carries (for English pages)."""
    return str(ROLE_LABELS.get(role, role))


@register.filter
def join_list(values) -> str:
    """Join names with the language's list separator (、 in Chinese, a comma in English)."""
    return str(_(", ")).join(str(v) for v in values)
