"""Stored facts of the text features: the trained unit router, and what it predicted at 交办
(so its accuracy against the unit that finally led can be measured month by month)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from suggestions.models import Suggestion


class RouterModel(models.Model):
    """A trained recommender (joblib blob of `common.text.router.Router`); the newest one is used."""

    created_at = models.DateTimeField(_("trained at"), auto_now_add=True)
    trained_on = models.PositiveIntegerField(_("past assignments learnt from"), default=0)
    units = models.PositiveIntegerField(_("units"), default=0)
    seconds = models.FloatField(_("training time (s)"), default=0)
    blob = models.BinaryField(_("model"))

    class Meta:
        verbose_name = _("unit router model")
        verbose_name_plural = _("unit router models")
        ordering = ["-created_at", "-id"]


class RoutingPrediction(models.Model):
    """The three lead units the router proposed when the suggestion was first assigned."""

    suggestion = models.OneToOneField(
        Suggestion, on_delete=models.CASCADE, related_name="routing_prediction", verbose_name=_("suggestion")
    )
    first = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, related_name="+")
    second = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, related_name="+")
    third = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("predicted at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("routing prediction")
        verbose_name_plural = _("routing predictions")
