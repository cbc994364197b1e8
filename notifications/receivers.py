from __future__ import annotations

from django.dispatch import receiver

from suggestions.signals import event_recorded

from .services import notify_event


@receiver(event_recorded, dispatch_uid="notifications.notify_event")
def on_event_recorded(sender, event, **kwargs) -> None:
    # Sent inside the core's transaction: the notifications commit or roll back with the event.
    notify_event(event)
