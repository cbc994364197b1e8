"""Writes for reminders and notifications: the sweep, event notices, the outbox sender, urge notices.

The sweep and the sender are loops of small idempotent units (STYLE.md 5):
- a sweep batch claims open deadlines whose `next_reminder_on` has come (row locks, SKIP LOCKED so a
  second sweeper takes other rows), records each (deadline, due date, stage, recipient) under a
  unique constraint, queues the outside messages in the outbox and advances `next_reminder_on`,
  all in one transaction: a crash leaves either nothing or a finished batch;
- the sender claims one pending outbox row at a time, sends it and marks it sent in the same
  transaction; a failure is recorded and retried with backoff.
"""

# The package is split by subject; every public name stays importable from `<app>.services`.
from .base import (
    BACKOFF_BASE_SECONDS,
    BACKOFF_MAX_SECONDS,
    DEFAULT_BATCH,
    DEFAULT_PREFERENCE,
    DIGEST_HOUR,
    MAX_ATTEMPTS,
    URGE_MAX_LENGTH,
    MemoCalendar,
    batch_size_setting,
    group_release,
    preferences_for,
    quiet_release,
)
from .events import (
    notify_event,
)
from .outbox import (
    backoff,
    deliveries_send,
    deliveries_send_batch,
    delivery_retry,
    digests_queue,
)
from .reading import (
    assignment_urge,
    notification_mark_read,
    notifications_mark_all_read,
)
from .sweep import (
    SweepResult,
    reminders_sweep,
    reminders_sweep_batch,
)

__all__ = [
    "BACKOFF_BASE_SECONDS",
    "BACKOFF_MAX_SECONDS",
    "DEFAULT_BATCH",
    "DEFAULT_PREFERENCE",
    "DIGEST_HOUR",
    "MAX_ATTEMPTS",
    "URGE_MAX_LENGTH",
    "MemoCalendar",
    "SweepResult",
    "assignment_urge",
    "backoff",
    "batch_size_setting",
    "deliveries_send",
    "deliveries_send_batch",
    "delivery_retry",
    "digests_queue",
    "group_release",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notify_event",
    "preferences_for",
    "quiet_release",
    "reminders_sweep",
    "reminders_sweep_batch",
]
