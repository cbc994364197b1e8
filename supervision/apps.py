from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from suggestions.models import Event
        from suggestions.signals import event_recorded
        from suggestions.visibility import register_supervised_ids

        from .selectors import supervised_suggestion_ids
        from .services import on_event_recorded

        # A supervisor sees the suggestions they supervise: the core asks this app through a hook.
        register_supervised_ids("supervision", supervised_suggestion_ids)

        # Look-backs open when a suggestion closes, in the same transaction as the closing.
        event_recorded.connect(on_event_recorded, sender=Event, dispatch_uid="supervision.on_event_recorded")
