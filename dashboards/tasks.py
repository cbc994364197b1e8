from celery import shared_task

from . import figures


@shared_task
def refresh_figures() -> int:
    """Refresh the maintained figures of the suggestions queued by their transitions."""
    return figures.process_queue()
