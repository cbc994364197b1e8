from celery import shared_task

from .routing import router_train


@shared_task
def train_router() -> int:
    """Retrain the unit router on the office's final assignments (nightly)."""
    return router_train().trained_on
