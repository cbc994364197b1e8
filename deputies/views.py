"""The record of duty page, the deputy's own, and staff's workbook of everyone's."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from common.errors import ActionNotFound

from . import selectors
from .exports import records_workbook


@login_required
def my_record(request):
    if not request.user.is_deputy:
        raise Http404
    return redirect("deputies:record", pk=request.user.pk)


@login_required
def record(request, pk):
    try:
        deputy = selectors.get_deputy_for(request.user, pk)
    except ActionNotFound:
        raise Http404 from None
    today = timezone.localdate()
    period = selectors.parse_period(year=request.GET.get("year"), term=request.GET.get("term"), today=today)
    return render(
        request,
        "deputies/record.html",
        {
            "record": selectors.deputy_record(deputy, period),
            "period": period,
            "years": list(range(today.year, today.year - 6, -1)),
            "terms": selectors.terms(),
            "delegation": selectors.other_deputies_visible_to(request.user, deputy)
            if not request.user.is_office_staff
            else [],
        },
    )


@login_required
def records_export(request):
    if not request.user.is_office_staff:
        raise PermissionDenied
    period = selectors.parse_period(year=request.GET.get("year"), today=timezone.localdate())
    year = period.years[0]
    response = HttpResponse(
        records_workbook(year), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="records-of-duty-{year}.xlsx"'
    return response


@login_required
def record_index(request):
    """Staff: every deputy, to open a record or download everyone's for a year."""
    if not request.user.is_office_staff:
        raise PermissionDenied
    today = timezone.localdate()
    return render(
        request,
        "deputies/index.html",
        {
            "page": Paginator(
                selectors.deputies_visible_to(request.user).order_by("full_name", "username", "id"), 100
            ).get_page(request.GET.get("page")),
            "years": list(range(today.year, today.year - 6, -1)),
        },
    )
