from celery import shared_task

from . import figures


@shared_task
def refresh_figures() -> int:
    """Build the maintained figures if they are not built by this layout, then refresh the cells of
    the suggestions queued by their transitions."""
    return figures.refresh()
