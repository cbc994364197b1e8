from celery import shared_task

from . import services


@shared_task
def close_unevaluated() -> int:
    """Close replied suggestions whose evaluation window has passed (recorded as no evaluation)."""
    return services.suggestions_close_unevaluated()
