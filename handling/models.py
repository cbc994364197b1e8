"""The unit's work around the suggestion that is not the reply itself.

- Consultation (提办对接): before submitting, a deputy asks a unit about a draft; the unit answers
  within a working-day deadline, and both stay on the suggestion's record.
- HandlingPlan (办理方案): after signing, the lead unit records how it will handle the suggestion:
  steps with a responsible person and division and milestone dates, each milestone a deadline.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from suggestions.models import Assignment, Suggestion

User = settings.AUTH_USER_MODEL


class Consultation(models.Model):
    """提办对接: a question about a draft suggestion to a unit, before the deputy submits it."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="consultations")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="consultations")
    question = models.TextField(_("question"), max_length=5000)
    # What the unit reads: the draft as it stood when asked (the unit may not open a draft itself).
    draft_title = models.CharField(_("draft title"), max_length=200)
    draft_body = models.TextField(_("draft body"))
    asked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(_("asked at"))
    answer = models.TextField(_("answer"), max_length=10000, blank=True)
    answered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consultation (提办对接)")
        verbose_name_plural = _("consultations (提办对接)")
        ordering = ["-asked_at", "-id"]
        indexes = [models.Index(fields=["unit", "answered_at"], name="consultation_unit_answered")]

    def __str__(self) -> str:
        return f"{self.draft_title} → {self.unit}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class HandlingPlan(models.Model):
    """办理方案 of one lead assignment, with the special meeting on receipt where one was held (鹤山)."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="plan")
    summary = models.TextField(_("plan"), max_length=10000)
    meeting_on = models.DateField(_("special meeting on receipt"), null=True, blank=True)
    meeting_notes = models.TextField(_("meeting notes"), max_length=5000, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("handling plan (办理方案)")
        verbose_name_plural = _("handling plans (办理方案)")

    def __str__(self) -> str:
        return f"{self.assignment}"


class PlanStep(models.Model):
    """One step of a plan, with who is responsible and the milestone date it is tracked against."""

    plan = models.ForeignKey(HandlingPlan, on_delete=models.CASCADE, related_name="steps")
    description = models.CharField(_("step"), max_length=500)
    responsible_person = models.CharField(_("responsible person"), max_length=100)
    division = models.CharField(_("division"), max_length=100, blank=True)
    milestone_on = models.DateField(_("milestone date"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_note = models.CharField(_("note"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("plan step")
        verbose_name_plural = _("plan steps")
        ordering = ["milestone_on", "id"]

    def __str__(self) -> str:
        return self.description
