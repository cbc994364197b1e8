"""What the notification services share: limits, the working-day calendar, quiet hours and preferences, who receives what."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from suggestions.models import (
    Suggestion,
)
from suggestions.workdays import Calendar

from ..models import Channel, Delivery, Notification, NotificationPreference

logger = logging.getLogger("notifications.services")

DEFAULT_BATCH = 500
MAX_ATTEMPTS = 10
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 3600
DIGEST_HOUR = 8
URGE_MAX_LENGTH = 2000
DEFAULT_PREFERENCE = NotificationPreference()  # unsaved: the defaults for users without a row


class MemoCalendar(Calendar):
    """The core calendar, remembering each day it was asked about: a batch asks about the same few
    dozen days thousands of times, and the holiday package's look-up is not cheap."""

    def day_info(self, day: dt.date) -> tuple[bool, str]:
        memo = self.__dict__.setdefault("_memo", {})
        if day not in memo:
            memo[day] = super().day_info(day)
        return memo[day]


def batch_size_setting() -> int:
    return int(getattr(settings, "REMINDER_SWEEP_BATCH", DEFAULT_BATCH))


DEFAULT_SEND_BATCH = 50


def send_batch_setting() -> int:
    """Outbox rows one sender claims at a time. Each is marked as soon as it is sent, so a bigger batch
    only means fewer claims; it holds its rows away from other senders a little longer."""
    return int(getattr(settings, "OUTBOX_SEND_BATCH", DEFAULT_SEND_BATCH))


# ---------------------------------------------------------------------------------------------
# Quiet hours and preferences


def quiet_release(now: dt.datetime, start: dt.time, end: dt.time) -> dt.datetime:
    """`now`, or the end of the quiet hours when `now` falls inside them (local time)."""
    local = timezone.localtime(now)
    t = local.time()
    if start == end:
        return now
    inside = (start <= t or t < end) if start > end else (start <= t < end)
    if not inside:
        return now
    release = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if release <= local:
        release += dt.timedelta(days=1)
    return release


def group_release(now: dt.datetime) -> dt.datetime:
    """When a unit's group robot may speak: the default quiet hours apply to the group as to a person.

    `NOTIFICATIONS_GROUP_QUIET_HOURS` = (start, end) times, or None for no quiet hours.
    """
    hours = getattr(
        settings, "NOTIFICATIONS_GROUP_QUIET_HOURS", (DEFAULT_PREFERENCE.quiet_start, DEFAULT_PREFERENCE.quiet_end)
    )
    return quiet_release(now, *hours) if hours else now


def preferences_for(user_ids: Iterable[int]) -> dict[int, NotificationPreference]:
    ids = set(user_ids)
    if not ids:
        return {}
    return {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=ids)}


def _user_deliveries(
    notifications: Iterable[Notification], users: dict[int, User], prefs: dict[int, NotificationPreference], now
) -> list[Delivery]:
    """Outbox rows for the channels each recipient chose; in-app needs none."""
    rows: list[Delivery] = []
    for n in notifications:
        user = users.get(n.recipient_id)
        if user is None:
            continue
        pref = prefs.get(user.pk, DEFAULT_PREFERENCE)
        release = quiet_release(now, pref.quiet_start, pref.quiet_end)
        if pref.email and not pref.digest and user.email:
            rows.append(
                Delivery(key=f"email:n{n.pk}", channel=Channel.EMAIL, notification_id=n.pk, user=user,
                         next_attempt_at=release)
            )  # fmt: skip
        if pref.sms and pref.phone:
            rows.append(
                Delivery(key=f"sms:n{n.pk}", channel=Channel.SMS, notification_id=n.pk, user=user,
                         next_attempt_at=release)
            )  # fmt: skip
    return rows


def _user_delivery_rows(
    notifications: Iterable[tuple[int, int]],
    users: dict[int, User],
    prefs: dict[int, NotificationPreference],
    now: dt.datetime,
) -> list[dict[str, Any]]:
    """`_user_deliveries` for (notification id, recipient id) pairs, as rows for `insert_ignoring_conflicts`.

    Each recipient's channels and release time are worked out once, not once per notification.
    """
    per_user: dict[int, tuple[bool, bool, dt.datetime]] = {}
    rows: list[dict[str, Any]] = []
    for notification_id, user_id in notifications:
        user = users.get(user_id)
        if user is None:
            continue
        if user_id not in per_user:
            pref = prefs.get(user_id, DEFAULT_PREFERENCE)
            per_user[user_id] = (
                bool(pref.email and not pref.digest and user.email),
                bool(pref.sms and pref.phone),
                quiet_release(now, pref.quiet_start, pref.quiet_end),
            )
        email, sms, release = per_user[user_id]
        common = {"notification_id": notification_id, "user_id": user_id, "unit_id": None, "params": {}}
        if email:
            rows.append({"key": f"email:n{notification_id}", "channel": Channel.EMAIL, **common,
                         "next_attempt_at": release})  # fmt: skip
        if sms:
            rows.append({"key": f"sms:n{notification_id}", "channel": Channel.SMS, **common,
                         "next_attempt_at": release})  # fmt: skip
    return rows


def _suggestion_params(suggestion: Suggestion | None) -> dict[str, str]:
    """Number and (shortened) title, stored apart: each language quotes a title its own way."""
    if suggestion is None:
        return {}
    title = suggestion.title if len(suggestion.title) <= 60 else suggestion.title[:59] + "…"
    number = suggestion.display_number if suggestion.number and suggestion.session_id else ""
    return {"suggestion_number": number, "suggestion_title": title}
