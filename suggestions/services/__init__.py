"""Every write to a suggestion goes through here: one function per action (one door per change).

Each function checks the actor's role (ActionForbidden, 403) and the current state
(ActionConflict, 409), changes rows with conditional updates inside one transaction, and writes the
timeline event in that same transaction. Callers fetch objects through `selectors` first, so an
object the actor may not see has already been answered with 404. The web views, the API, the
admin and background jobs all call these functions; nothing else writes `status`.
"""

from .base import (
    HANDLING_STATES,
    SATISFIED,
    TRANSITIONS,
    event_record,
)
from .closing import (
    commitment_fulfil,
    suggestion_close,
    suggestion_close_without_evaluation,
    suggestion_evaluate,
    suggestion_reopen,
    suggestions_close_unevaluated,
)
from .delivery import commitment_confirm_delivery, commitment_due_for_confirmation
from .drafting import (
    ALLOWED_ATTACHMENT_TYPES,
    ALLOWED_EXTENSIONS,
    EDITABLE_FIELDS,
    attachments_add,
    suggestion_attach,
    suggestion_consent_withdraw,
    suggestion_cosign,
    suggestion_create,
    suggestion_submit,
    suggestion_update,
    suggestion_withdraw,
    validate_attachment,
)
from .handling import (
    CONTACT_STATES,
    EXTENDABLE,
    assignment_approve_extension,
    assignment_approve_return,
    assignment_refuse_extension,
    assignment_refuse_return,
    assignment_request_extension,
    assignment_request_return,
    assignment_sign,
    contact_dispute,
    contact_log,
    contact_required,
    extension_limit,
    opinion_send,
    reply_approve,
    reply_draft,
    reply_send_back,
    return_window_end,
)
from .intake import (
    suggestion_accept,
    suggestion_assign,
    suggestion_merge,
    suggestion_reject,
    suggestion_return,
)
from .links import suggestion_link

__all__ = [
    "ALLOWED_ATTACHMENT_TYPES",
    "ALLOWED_EXTENSIONS",
    "CONTACT_STATES",
    "EDITABLE_FIELDS",
    "EXTENDABLE",
    "HANDLING_STATES",
    "SATISFIED",
    "TRANSITIONS",
    "assignment_approve_extension",
    "assignment_approve_return",
    "assignment_refuse_extension",
    "assignment_refuse_return",
    "assignment_request_extension",
    "assignment_request_return",
    "assignment_sign",
    "attachments_add",
    "commitment_confirm_delivery",
    "commitment_due_for_confirmation",
    "commitment_fulfil",
    "contact_dispute",
    "contact_log",
    "contact_required",
    "event_record",
    "extension_limit",
    "opinion_send",
    "reply_approve",
    "reply_draft",
    "reply_send_back",
    "return_window_end",
    "suggestion_accept",
    "suggestion_assign",
    "suggestion_attach",
    "suggestion_close",
    "suggestion_close_without_evaluation",
    "suggestion_consent_withdraw",
    "suggestion_cosign",
    "suggestion_create",
    "suggestion_evaluate",
    "suggestion_link",
    "suggestion_merge",
    "suggestion_reject",
    "suggestion_reopen",
    "suggestion_return",
    "suggestion_submit",
    "suggestion_update",
    "suggestion_withdraw",
    "suggestions_close_unevaluated",
    "validate_attachment",
]
