"""The published handling report for anyone, and staff's page to publish or withdraw a year's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.errors import ActionError, ActionForbidden, ActionNotFound

from . import publication, selectors


def public_report(request, year: int):
    try:
        report = publication.get_published_report(year)
    except ActionNotFound:
        raise Http404 from None
    return render(
        request,
        "dashboards/public_report.html",
        {"report": report, **publication.report_rows(report), "years": publication.published_years()},
    )


def public_reports(request):
    """The list of published years (linked from /public/)."""
    return render(request, "dashboards/public_reports.html", {"years": publication.published_years()})


@login_required
def manage(request, error: str = "", status: int = 200):
    if not request.user.is_office_staff:
        raise PermissionDenied
    return render(
        request,
        "dashboards/publish_report.html",
        {"published": publication.published_years(), "years": selectors.available_years(), "error": error},
        status=status,
    )


@login_required
@require_POST
def publish(request):
    try:
        if request.POST.get("action") == "unpublish":
            publication.report_unpublish(actor=request.user, year=request.POST.get("year"))
            messages.success(request, _("The report was withdrawn from the public portal."))
        else:
            report = publication.report_publish(actor=request.user, year=request.POST.get("year"))
            messages.success(request, _("The %(year)s report is published.") % {"year": report.year})
    except ActionForbidden:
        raise PermissionDenied from None
    except ActionNotFound:
        raise Http404 from None
    except ActionError as exc:
        return manage(
            request, error="; ".join(m for msgs in exc.errors.values() for m in msgs) or exc.message, status=400
        )
    return redirect("dashboards:publish_report")
