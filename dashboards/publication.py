"""The annual handling report (办理情况报告) on the public portal (SPEC section 8).

Staff publish a year's report; its figures are frozen at that moment and shown to anyone at
/public/report/<year>/. An unpublished year is a 404. No suggestion title is published here: the
report holds counts and rates only, so nothing confidential can leak through it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ActionForbidden, ActionInvalid, ActionNotFound
from suggestions.models import Rating

from . import metrics as m
from . import selectors
from .models import PublishedReport

# The per-unit columns the public report shows besides the rates.
UNIT_COUNTS = ("assigned", "co_assigned", "replied", "overdue")


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in ("flags", "small")}


def report_figures(year: int) -> dict[str, Any]:
    period = m.Period(year=year)
    settings = selectors.dashboard_settings()
    return {
        "as_of": period.today.isoformat(),
        "totals": _plain(selectors.totals(period, settings)),
        "units": [_plain(r) for r in selectors.units_table(period, settings)],
        "satisfaction": selectors.satisfaction_counts(period),
    }


def _require_staff(actor) -> None:
    if not actor.is_office_staff:
        raise ActionForbidden(_("Only deputy-affairs staff may publish the report."))


def _year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ActionInvalid.field("year", _("Enter a valid year.")) from None
    if not 2000 <= year <= 2100:
        raise ActionInvalid.field("year", _("Enter a valid year."))
    return year


@transaction.atomic
def report_publish(*, actor, year: Any) -> PublishedReport:
    """Publish (or publish again, replacing the figures) a year's handling report."""
    _require_staff(actor)
    year = _year(year)
    report, _created = PublishedReport.objects.update_or_create(
        year=year,
        defaults={"published_at": timezone.now(), "published_by": actor, "figures": report_figures(year)},
    )
    return report


@transaction.atomic
def report_unpublish(*, actor, year: Any) -> None:
    _require_staff(actor)
    deleted, _detail = PublishedReport.objects.filter(year=_year(year)).delete()
    if not deleted:
        raise ActionNotFound(_("Not found."))


def published_years() -> list[int]:
    return list(PublishedReport.objects.order_by("-year").values_list("year", flat=True))


def get_published_report(year: Any) -> PublishedReport:
    try:
        return PublishedReport.objects.get(year=int(year))
    except (PublishedReport.DoesNotExist, ValueError, TypeError, OverflowError):
        raise ActionNotFound(_("Not found.")) from None


def report_rows(report: PublishedReport) -> dict[str, Any]:
    """What the public page renders: rate labels of today's catalogue, values frozen in the report."""
    figures = report.figures
    totals = figures.get("totals", {})
    rates = [(name, r.label) for name, r in m.RATES.items()]
    return {
        "as_of": figures.get("as_of"),
        "totals": totals,
        "total_rates": [(label, totals.get(name)) for name, label in rates],
        "rate_labels": [label for _name, label in rates],
        "units": [
            {
                "label": u.get("label", ""),
                "counts": [u.get(c) for c in UNIT_COUNTS],
                "rates": [u.get(name) for name, _label in rates],
            }
            for u in figures.get("units", [])
        ],
        "satisfaction": [
            (_("First round"), [figures.get("satisfaction", {}).get("first", {}).get(v, 0) for v in Rating.values]),
            (_("Final round"), [figures.get("satisfaction", {}).get("final", {}).get(v, 0) for v in Rating.values]),
        ],
        "ratings": Rating.choices,
    }
