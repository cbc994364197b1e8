"""Writes of the dashboards app: targets and weights, and freezing a period's figures."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ActionForbidden, ActionInvalid
from suggestions.models import CongressSession

from . import metrics as m
from . import selectors
from .models import METRIC_DEFAULTS, DashboardConfig, MetricSetting, Snapshot, SnapshotScope


def _require_staff(actor) -> None:
    if not selectors.can_edit_settings(actor):
        raise ActionForbidden(_("Only deputy-affairs staff may change the dashboards."))


def _decimal(value: Any, field: str, *, low: Decimal, high: Decimal) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ActionInvalid.field(field, _("Enter a number."))
    if not number.is_finite() or number < low or number > high:
        raise ActionInvalid.field(field, _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high})
    return number


@transaction.atomic
def settings_update(*, actor, small_sample: Any, metrics: dict[str, dict[str, Any]]) -> selectors.Settings:
    """Save targets (green/amber thresholds as fractions) and assessment weights, all or nothing."""
    _require_staff(actor)
    try:
        sample = int(small_sample)
    except (TypeError, ValueError):
        raise ActionInvalid.field("small_sample", _("Enter a whole number."))
    if not 0 <= sample <= 10000:
        raise ActionInvalid.field("small_sample", _("Enter a whole number from 0 to 10000."))
    unknown = set(metrics) - set(METRIC_DEFAULTS)
    if unknown:
        raise ActionInvalid.field("metrics", _("Unknown metric: %(name)s") % {"name": ", ".join(sorted(unknown))})
    parsed = {}
    for metric, values in metrics.items():
        weight = _decimal(values.get("weight"), f"{metric}.weight", low=Decimal(0), high=Decimal(1000))
        green = _decimal(values.get("green_at"), f"{metric}.green_at", low=Decimal(0), high=Decimal(1))
        amber = _decimal(values.get("amber_at"), f"{metric}.amber_at", low=Decimal(0), high=Decimal(1))
        if amber > green:
            raise ActionInvalid.field(f"{metric}.amber_at", _("The amber threshold cannot be above the green one."))
        parsed[metric] = {"weight": weight, "green_at": green, "amber_at": amber}
    DashboardConfig.objects.update_or_create(pk=1, defaults={"small_sample": sample})
    for metric, values in parsed.items():
        MetricSetting.objects.update_or_create(metric=metric, defaults=values)
    return selectors.dashboard_settings()


def snapshot_figures(period: m.Period, settings: selectors.Settings) -> dict[str, Any]:
    """Everything a frozen period shows: totals, units (with assessment), categories, sessions, key items."""

    def plain(rows):
        return [{k: v for k, v in row.items() if k not in ("flags", "small")} for row in rows]

    units = selectors.assessment(period, settings)
    data: dict[str, Any] = {
        "as_of": period.today.isoformat(),
        "totals": plain([selectors.totals(period, settings)])[0],
        "units": plain(units),
        "categories": plain(selectors.category_table(period, settings)),
        "sessions": plain(selectors.session_table(period, settings)),
    }
    if selectors.key_items_available():
        data["key_items"] = plain(selectors.key_item_table(period, settings))
    return data


@transaction.atomic
def snapshot_freeze(
    *, actor, year: int | None = None, session: CongressSession | None = None, label: str = ""
) -> Snapshot:
    """冻结: store a year's or a session's figures as of now, with the definitions and settings used.

    Later changes to the records do not touch the snapshot; the live figures stay available beside it.
    """
    _require_staff(actor)
    if (year is None) == (session is None):
        raise ActionInvalid.field("scope", _("Freeze either a year or a session."))
    # A year that has not begun has no figures to freeze (and 2085 is a typo, not a plan).
    if year is not None and not 1990 <= int(year) <= m.today().year:
        raise ActionInvalid.field("year", _("Enter a valid year."))
    period = m.Period(year=year) if year is not None else m.Period(session_id=session.pk)  # type: ignore[union-attr]
    settings = selectors.dashboard_settings()
    return Snapshot.objects.create(
        scope=SnapshotScope.YEAR if year is not None else SnapshotScope.SESSION,
        year=year if year is not None else session.year,  # type: ignore[union-attr]
        session=session,
        label=(label or "").strip()[:100],
        taken_at=timezone.now(),
        as_of=period.today,
        taken_by=actor,
        definitions=m.definitions(),
        config=settings.as_json(),
        data=snapshot_figures(period, settings),
    )
