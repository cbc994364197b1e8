"""Reads behind the dashboard pages that are not figures: labels, the report's lists, snapshots.

The figures themselves come from `selectors` and `metrics`; the views call these and render.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import Unit
from common.errors import ActionNotFound
from suggestions.models import CongressSession

from . import figures, selectors
from . import metrics as m
from .models import Snapshot


def drill_label(dim: str | None, key: Any) -> str:
    """The heading of a drill-down: the unit's, session's, category's or key item's name."""
    if dim is None:
        return _("All")
    if key is None:
        return _("(none)")
    if dim == "unit":
        unit = Unit.objects.filter(pk=key).first()
        return unit.name if unit else str(key)
    if dim == "session":
        session = CongressSession.objects.filter(pk=key).first()
        return session.label if session else str(key)
    if dim == "category":
        from suggestions.models import Category

        category = Category.objects.filter(pk=key).first()
        return str(category) if category else str(key)
    if dim == "key_item":
        from supervision.models import KeySuggestion

        item = KeySuggestion.objects.filter(pk=key).first()
        return str(item) if item else str(key)
    return str(key)


def satisfaction_summary(period: m.Period) -> list[dict[str, Any]]:
    """Counts of each result rating, first and final round (`selectors.satisfaction_counts`)."""
    counts = selectors.satisfaction_counts(period)
    labels = {"first": _("First round"), "final": _("Final round")}
    return [{"label": labels[round_key], **counts[round_key]} for round_key in ("first", "final")]


def overdue_assignments(reader, period: m.Period) -> QuerySet:
    """The report's overdue list, through the reader's visibility, longest overdue first.

    Its walk of the due-date index starts at the period's earliest open deadline as the maintained
    figures know it (`figures.earliest_open_deadline`; every row from the first one on otherwise)."""
    qs = selectors.readable_by(reader, m.drill_down("overdue", period))
    earliest = figures.earliest_open_deadline(period)
    # Read first (one small query) and given as a value: as a subquery the planner could not estimate
    # it, and at 10^5 suggestions joined all 8,681 overdue deadlines before taking the 100 longest.
    first = next((row["first"] for row in earliest if row["first"] is not None), None) if earliest is not None else None
    if first is not None:
        qs = qs.filter(due_date__gte=first)
    return qs.select_related("suggestion__session", "unit").order_by("due_date", "id")


def session_or_none(pk) -> CongressSession | None:
    """The session with this id, or None for an empty, unknown or malformed id."""
    if not pk:
        return None
    try:
        return CongressSession.objects.filter(pk=int(pk)).first()
    except (ValueError, TypeError):
        return None


def sessions() -> QuerySet[CongressSession]:
    return CongressSession.objects.all()


def recent_snapshots(limit: int = 200) -> QuerySet[Snapshot]:
    return Snapshot.objects.select_related("session", "taken_by").defer("data")[:limit]


def get_snapshot(pk) -> Snapshot:
    try:
        return Snapshot.objects.select_related("session", "taken_by").get(pk=pk)
    except (Snapshot.DoesNotExist, ValueError, TypeError):
        raise ActionNotFound(_("Not found.")) from None
