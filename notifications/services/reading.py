"""Reading notifications and the urge notice (催办函)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.errors import ActionConflict, ActionForbidden, ActionInvalid, ActionNotFound
from suggestions.models import (
    OPEN_ASSIGNMENT_STATUSES,
    Assignment,
    Event,
)

from ..models import Notification
from .base import (
    URGE_MAX_LENGTH,
)

# ---------------------------------------------------------------------------------------------
# Reading and the urge notice


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the caller's own notifications read (a repeat keeps the first time)."""
    try:
        notification = Notification.objects.get(pk=int(notification_id), recipient=user)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise ActionNotFound(_("Not found.")) from None
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def assignment_urge(*, assignment: Assignment, actor: User, message: str) -> Event:
    """催办函: staff urge a unit about one assignment; recorded on the timeline, delivered like a reminder.

    The caller fetched `assignment` through the visibility selector (404 for outsiders).
    """
    from suggestions.services import event_record

    if not actor.is_office_staff:
        raise ActionForbidden(_("Only staff may send an urge notice."))
    message = (message or "").strip()
    if not message:
        raise ActionInvalid.field("message", _("Write the urge notice."))
    if len(message) > URGE_MAX_LENGTH:
        raise ActionInvalid.field(
            "message", _("Ensure this field has at most %(n)d characters.") % {"n": URGE_MAX_LENGTH}
        )
    locked = Assignment.objects.select_for_update().select_related("suggestion").get(pk=assignment.pk)
    if locked.status not in OPEN_ASSIGNMENT_STATUSES:
        raise ActionConflict(_("This assignment is no longer open."))
    return event_record(
        suggestion=locked.suggestion,
        actor=actor,
        action="urge",
        detail={"assignment": locked.pk, "unit": locked.unit_id, "message": message},
    )
