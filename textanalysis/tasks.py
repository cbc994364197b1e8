from celery import shared_task

from .routing import router_train


@shared_task
def train_router() -> int:
    """Retrain the unit router on the office's final assignments (nightly)."""
    model = router_train()
    return model.trained_on if model is not None else 0
