from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data of the whole product. It sits above the apps: it loads suggestions' demo and then
    supervision's, so no app imports another's demo."""

    name = "demo"
    verbose_name = "Demo data"
