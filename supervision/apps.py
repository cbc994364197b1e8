from functools import partial

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from suggestions.models import Event
        from suggestions.signals import event_recorded
        from suggestions.templatetags.suggestion_ui import LEGACY_EVENT_ACTIONS, register_event_labels
        from suggestions.visibility import register_supervised_categories, register_supervised_ids

        from .event_labels import EVENT_LABELS
        from .selectors import committee_category_list, supervised_suggestion_ids
        from .services import on_event_recorded

        # A supervisor (or a committee member) sees the suggestions they supervise: the core asks
        # this app through a hook; a committee's field as its categories, tested on each row.
        register_supervised_ids("supervision", partial(supervised_suggestion_ids, with_categories=False))
        register_supervised_categories("supervision", committee_category_list)
        # The timeline names what supervision records (the core cannot import us).
        register_event_labels(EVENT_LABELS)
        # Before the rename a done follow-up action was recorded as the core's "follow_up_done".
        LEGACY_EVENT_ACTIONS[("follow_up_done", "inspection")] = "inspection_follow_up_done"

        # Look-backs open when a suggestion closes, in the same transaction as the closing.
        event_recorded.connect(on_event_recorded, sender=Event, dispatch_uid="supervision.on_event_recorded")
