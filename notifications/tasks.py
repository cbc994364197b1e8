"""Celery tasks: thin wrappers around the services. They carry no data, only "go and look":

the database is the queue of record (deadlines' `next_reminder_on`, the outbox), so a message lost
with a dead broker or redelivered after a dead worker (acks_late) changes nothing but timing.
"""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="notifications.tasks.sweep_reminders", ignore_result=True)
def sweep_reminders() -> dict[str, int]:
    """The beat task: every due reminder stage recorded, then the outbox sent."""
    result = services.reminders_sweep()
    digests = services.digests_queue()
    sent = services.deliveries_send()
    return {"batches": result.batches, "deadlines": len(result.deadlines), "digests": digests, "deliveries": sent}


@shared_task(name="notifications.tasks.deliver_pending", ignore_result=True)
def deliver_pending() -> int:
    """Send what is due in the outbox now (enqueued after an event notification commits)."""
    return services.deliveries_send()
