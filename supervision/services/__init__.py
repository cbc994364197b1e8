"""Every write in supervision goes through here: one keyword-only function per action.

Callers fetch objects through `supervision.selectors` / `suggestions.selectors` first, so an
object the actor may not see has already been answered with 404; these functions then check the
role (ActionForbidden, 403), the state (ActionConflict, 409) and the input (ActionInvalid, 400),
and write rows, deadlines and timeline events in one transaction.
"""

# The package is split by subject; every public name stays importable from `<app>.services`.
from .base import (
    AFTER_CLOSING,
    NOT_SUPERVISABLE,
)
from .campaigns import (
    campaign_save,
)
from .inspections import (
    InspectionInput,
    follow_up_action_complete,
    inspection_create,
    inspection_release_report,
)
from .key_items import (
    KEY_ITEM_TEXT_FIELDS,
    can_score_year_end,
    half_year_report_record,
    key_item_complete,
    key_item_create,
    key_item_update,
    milestone_done,
    monthly_report_submit,
    regime_regenerate,
    year_end_result_record,
    year_end_score_submit,
    year_end_verdict,
)
from .links import (
    suggestion_link_follow_up,
    suggestion_link_repeat,
)
from .reactions import (
    look_back_open_on_close,
    on_event_recorded,
)
from .supervisors import (
    instruction_record,
    supervisor_attach,
    supervisor_detach,
)

__all__ = [
    "AFTER_CLOSING",
    "KEY_ITEM_TEXT_FIELDS",
    "NOT_SUPERVISABLE",
    "InspectionInput",
    "campaign_save",
    "can_score_year_end",
    "follow_up_action_complete",
    "half_year_report_record",
    "inspection_create",
    "inspection_release_report",
    "instruction_record",
    "key_item_complete",
    "key_item_create",
    "key_item_update",
    "look_back_open_on_close",
    "milestone_done",
    "monthly_report_submit",
    "on_event_recorded",
    "regime_regenerate",
    "suggestion_link_follow_up",
    "suggestion_link_repeat",
    "supervisor_attach",
    "supervisor_detach",
    "year_end_result_record",
    "year_end_score_submit",
    "year_end_verdict",
]
