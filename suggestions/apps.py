from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "suggestions"
    verbose_name = _("Suggestions")

    def ready(self) -> None:
        from . import search  # noqa: F401  (connects the receivers that keep the search index current)
