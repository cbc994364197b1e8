"""Reading the audit log and the current lockouts (staff only)."""

from __future__ import annotations

import datetime as dt

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AuditEvent


def can_read_audit(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_office_staff", False))


def audit_events(
    *,
    action: str = "",
    username: str = "",
    ip: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.select_related("actor")
    if action:
        qs = qs.filter(action=action)
    if username:
        qs = qs.filter(username__iexact=username)
    if ip:
        qs = qs.filter(ip=ip)
    tz = timezone.get_current_timezone()
    if since:
        qs = qs.filter(at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=tz))
    if until:
        qs = qs.filter(at__lt=dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs.order_by("-at", "-id")


def current_lockouts() -> QuerySet[AccessAttempt]:
    """Attempt records at or over the failure limit whose cool-off has not yet run out."""
    qs = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    if settings.AXES_COOLOFF_TIME:
        since = timezone.now() - dt.timedelta(hours=float(settings.AXES_COOLOFF_TIME))
        qs = qs.filter(Q(attempt_time__gte=since))
    return qs.order_by("-attempt_time")
