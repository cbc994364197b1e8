"""Timeline wording for every action supervision records on a suggestion's timeline."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "supervisor_attach": _("Supervisor attached"),
    "supervisor_detach": _("Supervisor detached"),
    "instruction": _("Leader's instruction (批示)"),
    "key_item": _("Chosen as a key suggestion (重点督办)"),
    "key_item_update": _("Key item edited"),
    "key_item_complete": _("Supervision of the key item ended"),
    "monthly_report": _("Monthly status report (一月一情况)"),
    "half_year_report": _("Half-year report to the standing committee"),
    "year_end_evaluation": _("Year-end evaluation recorded (年度一测评)"),
    "inspection": _("Inspection recorded (督查)"),
    "inspection_report": _("Inspection report sent to the unit"),
    "inspection_follow_up_done": _("Unit reported a follow-up action done (整改)"),
    "link_repeat": _("Linked to the earlier suggestion on the same matter"),
    "link_follow_up": _("Linked to the look-back it follows up"),
    "look_back_due": _("Look-back (回头看) due"),
}
