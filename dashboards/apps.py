from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards and assessment")

    def ready(self):
        from suggestions.models import Event
        from suggestions.signals import event_recorded
        from textanalysis import insights

        from .figures import on_event, stored_lead_returns

        # Maintained figures: every timeline event queues its suggestion's cells (dashboards.figures).
        event_recorded.connect(on_event, sender=Event, dispatch_uid="dashboards.figures.on_event")
        # The routing page's monthly return rate reads the figures kept here (textanalysis is below).
        insights.stored_lead_returns = stored_lead_returns
