"""Notifications (提醒/催办) and their outbox.

A `Notification` is the in-app record and the fact that something was said to someone; it is
written under a unique constraint *before* anything leaves the system, so a second sweep (or a
retried task) cannot say it twice. Each outside channel gets a `Delivery` row (the outbox) that a
separate, retried step sends; a crash between the two leaves a pending row, never a lost message.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

User = settings.AUTH_USER_MODEL


class Kind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    DUE_TODAY = "due_today", _("Due today")
    OVERDUE = "overdue", _("Overdue")
    ESCALATION = "escalation", _("Escalation")
    URGE = "urge", _("Urge notice")
    ASSIGNED = "assigned", _("Assigned")
    RETURN_DECIDED = "return_decided", _("Return request decided")
    EXTENSION_DECIDED = "extension_decided", _("Extension request decided")
    REPLIED = "replied", _("Reply released")
    EVALUATED = "evaluated", _("Evaluation received")
    REHANDLING = "rehandling", _("Re-handling ordered")
    COSIGN_INVITE = "cosign_invite", _("Co-sign invitation")
    INSPECTION_REPORT = "inspection_report", _("Inspection report released")
    INSTRUCTION = "instruction", _("Leader's instruction")
    DRAFTED_FOR_YOU = "drafted_for_you", _("Entered on your behalf")


class Notification(models.Model):
    """One thing said to one person, shown in the notification centre (bell)."""

    # Every index is one more entry to write per reminder in the sweep (100,000 on a busy morning), so a
    # reminder row has four: the primary key, the once-per-stage constraint, the inbox and the unread
    # count. No single-column indexes on recipient, deadline and event: the indexes below lead with each of
    # them (and serve the cascades). None on suggestion either: nothing reads notifications by suggestion,
    # and suggestions are never deleted (the admin is read-only, no service deletes one), so its cascade
    # never runs.
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications", db_index=False)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    suggestion = models.ForeignKey(
        "suggestions.Suggestion",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    # A reminder stage: which deadline, at which due date (an extension starts the stages afresh), which stage.
    deadline = models.ForeignKey(
        "suggestions.Deadline",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    due_date = models.DateField(null=True, blank=True)
    stage = models.CharField(max_length=20, blank=True)
    # An event notification: the timeline event it reports.
    event = models.ForeignKey(
        "suggestions.Event",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    # Everything the message needs, so rendering in the reader's language costs no query.
    params = models.JSONField(default=dict, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Not indexed on its own: the bell and the digest read one recipient's rows by date, which
    # `notification_inbox` (recipient, -created_at) serves; only the admin's list sorts all rows by it.
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification (提醒)")
        verbose_name_plural = _("notifications (提醒)")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Exactly once per (deadline, due date, stage, recipient): a second sweeper's insert is a no-op.
            models.UniqueConstraint(
                fields=["deadline", "due_date", "stage", "recipient"],
                condition=Q(deadline__isnull=False),
                name="notification_once_per_stage",
            ),
            # Exactly once per (event, recipient): a re-sent signal cannot notify twice.
            models.UniqueConstraint(
                fields=["event", "recipient"], condition=Q(event__isnull=False), name="notification_once_per_event"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    @property
    def read(self) -> bool:
        return self.read_at is not None

    @property
    def message(self) -> str:
        from .messages import render_message

        return render_message(self.kind, self.params)


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WEBHOOK = "webhook", _("Group robot")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed (gave up)")
    SKIPPED = "skipped", _("Skipped")


class Delivery(models.Model):
    """The outbox: one message to send on one outside channel, retried until sent."""

    # What makes this message unique ("email:n12", "webhook:d7:2026-12-01:overdue_7:u3", "digest:u5:2026-12-01").
    # Unique by a constraint rather than `unique=True`, which on PostgreSQL adds a second (LIKE) index that no
    # query uses and every queued message would pay for.
    key = models.CharField(max_length=200)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # Indexed only where set (group-robot rows, below): an e-mail row writes no entry for its empty unit.
    unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # A group-robot message's kind and params; a digest's period.
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery (发送记录)")
        verbose_name_plural = _("deliveries (发送记录)")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Exactly once per message: queuing it again (a repeated sweep or event) is a no-op.
            models.UniqueConstraint(fields=["key"], name="delivery_key_once"),
        ]
        indexes = [
            # The sender's trigger column; only pending rows matter, so the index stays small. The sender takes
            # the oldest in (next_attempt_at, id) order: with the id in the index that is one step of a walk,
            # not a sort of every pending row (a sweep queues 100,000 with the same release time).
            models.Index(
                fields=["next_attempt_at", "id"], condition=Q(status="pending"), name="delivery_pending_next_attempt"
            ),
            # Staff's "deliveries in trouble" page, newest attempt first. Partial: a message queued or sent
            # without trouble has no entry, so the sweep and the sender never write one.
            models.Index(
                fields=["-last_attempt_at", "-id"],
                condition=Q(status="failed") | Q(status="pending", attempts__gt=0),
                name="delivery_in_trouble",
            ),
            models.Index(fields=["unit"], condition=Q(unit__isnull=False), name="delivery_unit"),
        ]

    def __str__(self) -> str:
        return self.key


class NotificationPreference(models.Model):
    """A user's channel choices; a user without a row gets the defaults below."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="notification_preference")
    email = models.BooleanField(_("by e-mail"), default=True)
    sms = models.BooleanField(_("by SMS"), default=False)
    phone = models.CharField(_("mobile phone for SMS"), max_length=30, blank=True)
    digest = models.BooleanField(_("one e-mail digest per day instead of one e-mail each"), default=False)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    quiet_start = models.TimeField(_("quiet hours start"), default=dt.time(22, 0))
    quiet_end = models.TimeField(_("quiet hours end"), default=dt.time(7, 0))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id}"
