"""Record what the router proposed when a suggestion is first assigned (交办), inside the same
transaction, so monthly accuracy compares the proposal with the unit that finally led."""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import receiver

from accounts.models import Unit
from suggestions.signals import event_recorded

from .models import RoutingPrediction

log = logging.getLogger(__name__)


@receiver(event_recorded, dispatch_uid="textanalysis_record_prediction")
def _record_prediction(sender, event, **kwargs) -> None:
    if event.action != "assign" or RoutingPrediction.objects.filter(suggestion_id=event.suggestion_id).exists():
        return
    from .routing import current_router

    suggestion = event.suggestion
    try:
        # A savepoint: a failure here must not poison the assignment's transaction.
        with transaction.atomic():
            ranked = current_router().rank(f"{suggestion.title}\n{suggestion.body}", history=0)[:3]
    except Exception:  # advice must never stop an assignment
        log.exception("routing prediction failed for suggestion %s", suggestion.pk)
        return
    units = {u.code: u for u in Unit.objects.filter(code__in=[c.unit for c in ranked])}
    picks = [units.get(c.unit) for c in ranked] + [None, None, None]
    RoutingPrediction.objects.create(suggestion=suggestion, first=picks[0], second=picks[1], third=picks[2])
