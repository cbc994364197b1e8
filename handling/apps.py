from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandlingConfig(AppConfig):
    name = "handling"
    verbose_name = _("Handling plans and consultations")

    def ready(self) -> None:
        from suggestions.signals import event_recorded

        from . import receivers

        # The plan's deadline opens in the transaction that records the signing (suggestions cannot import us).
        event_recorded.connect(receivers.open_plan_deadline_on_sign, dispatch_uid="handling.plan_deadline")
