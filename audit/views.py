"""Staff pages: the audit log (filters, pages, .xlsx) and the current lockouts with an unlock button."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors
from .exports import XLSX, audit_workbook
from .forms import AuditFilterForm, UnlockForm
from .models import AuditAction
from .services import record

PAGE_SIZE = 50


def _staff_only(request: HttpRequest) -> None:
    if not selectors.can_read_audit(request.user):
        raise PermissionDenied(_("Only deputy-affairs staff may read the audit log."))


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events(**{k: v for k, v in filters.items() if v})
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(audit_workbook(events), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y%m%d}.xlsx"'
        return response
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/log.html", {"form": form, "page": page, "query": query.urlencode()})


@login_required
def lockouts(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    return render(request, "audit/lockouts.html", {"attempts": list(selectors.current_lockouts()[:200])})


@login_required
@require_POST
def unlock(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a username or an address to unlock."))
        return redirect("audit:lockouts")
    username = form.cleaned_data.get("username") or None
    ip = form.cleaned_data.get("ip_address") or None
    removed = 0
    if username:
        removed += AxesProxyHandler.reset_attempts(username=username)
    if ip:
        removed += AxesProxyHandler.reset_attempts(ip_address=ip)
    record(AuditAction.UNLOCK, request=request, object_type="lockout", object_id=username or ip or "",
           detail={"username": username, "ip_address": ip, "records": removed})  # fmt: skip
    messages.success(request, _("Lockout lifted."))
    return redirect("audit:lockouts")
