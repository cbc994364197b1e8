"""Reads: a user only ever sees their own notifications; staff see the outbox's troubles."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Delivery, DeliveryStatus, Notification, NotificationPreference


def notifications_for(user) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def notification_list(user, *, only_unread: bool = False, read: bool | None = None) -> QuerySet[Notification]:
    """The notification centre's rows (page and API): the user's own, newest first, optionally only
    unread (`only_unread`) or only read / unread (`read`)."""
    qs = notifications_for(user).select_related("suggestion")
    if only_unread:
        read = False
    if read is not None:
        qs = qs.filter(read_at__isnull=not read)
    return qs


def preference_for(user) -> NotificationPreference:
    """The user's channel choices, or an unsaved default row for the form."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def deliveries_in_trouble() -> QuerySet[Delivery]:
    """Outbox rows that failed at least once and are not sent yet, or that were given up on."""
    return (
        Delivery.objects.filter(Q(status=DeliveryStatus.FAILED) | Q(status=DeliveryStatus.PENDING, attempts__gt=0))
        .select_related("unit", "user")
        .order_by("-last_attempt_at", "-id")
    )
