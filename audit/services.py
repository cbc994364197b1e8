"""Writing the audit log: one INSERT per event, never an error for the request that caused it."""

from __future__ import annotations

import contextvars
import logging
from typing import Any

from django.db import DatabaseError, connection

from .models import AuditEvent

log = logging.getLogger(__name__)

# The request being served, so signal receivers (logins, role changes) know who and from where.
current_request: contextvars.ContextVar[Any] = contextvars.ContextVar("audit_current_request", default=None)


def client_ip(request) -> str | None:
    if request is None:
        return None
    try:
        from axes.helpers import get_client_ip_address  # the same address the lockouts count

        ip = get_client_ip_address(request)
    except Exception:
        ip = None
    return ip or request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    request=None,
    actor=None,
    username: str = "",
    object_type: str = "",
    object_id: Any = "",
    detail: dict | None = None,
) -> AuditEvent | None:
    """Append one event. `request` defaults to the one being served; `actor` to its user."""
    request = request if request is not None else current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            actor = user
    if not username and actor is not None:
        username = actor.get_username()
    meta = getattr(request, "META", {}) if request is not None else {}
    event = AuditEvent(
        actor=actor if actor is not None and actor.pk else None,
        username=(username or "")[:150],
        action=action,
        object_type=object_type[:60],
        object_id=str(object_id)[:64] if object_id not in (None, "") else "",
        ip=client_ip(request),
        user_agent=(meta.get("HTTP_USER_AGENT") or "")[:300],
        path=(getattr(request, "path", "") or "")[:300],
        detail=detail or {},
    )
    if connection.in_atomic_block:
        # Inside a change's transaction (a role change, a login's session write): the change and its
        # record commit together or not at all.
        event.save()
        return event
    try:
        event.save()  # after the response was made (the middleware): a lost record must not fail it
    except DatabaseError:
        log.exception("audit event %s could not be written", action)
        return None
    return event
