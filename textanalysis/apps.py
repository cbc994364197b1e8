from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TextAnalysisConfig(AppConfig):
    name = "textanalysis"
    verbose_name = _("Text analysis")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (records the router's prediction at 交办)
