"""Notification centre pages: my notifications, my channel choices; for staff the outbox's failures and
the urge-notice form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.errors import ActionError, ActionInvalid, ActionNotFound
from suggestions.selectors import get_assignment_for

from . import selectors, services
from .forms import PreferenceForm, UrgeForm


def _staff_only(request):
    if not request.user.is_office_staff:
        raise PermissionDenied


@login_required
def notification_list(request):
    only_unread = request.GET.get("unread") == "1"
    qs = selectors.notification_list(request.user, only_unread=only_unread)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "only_unread": only_unread})


@login_required
@require_POST
def notification_read(request, pk: int):
    try:
        notification = services.notification_mark_read(user=request.user, notification_id=pk)
    except ActionNotFound:
        raise Http404 from None
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    if request.POST.get("open") and notification.suggestion_id:
        return redirect(f"/suggestions/{notification.suggestion_id}/")
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    services.notifications_mark_all_read(user=request.user)
    return redirect("notifications:list")


@login_required
def preferences(request):
    form = PreferenceForm(request.POST or None, instance=selectors.preference_for(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification settings were saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@login_required
def deliveries(request):
    _staff_only(request)
    page = Paginator(selectors.deliveries_in_trouble(), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/deliveries.html", {"page": page})


@login_required
@require_POST
def delivery_retry(request, pk: int):
    _staff_only(request)
    try:
        services.delivery_retry(delivery_id=pk, actor=request.user)
        messages.success(request, _("The message will be sent again on the next run."))
    except ActionNotFound:
        raise Http404 from None
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect("notifications:deliveries")


@login_required
def urge(request, assignment_id: int):
    try:
        assignment = get_assignment_for(request.user, assignment_id)
    except ActionNotFound:
        raise Http404 from None
    _staff_only(request)
    form = UrgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_urge(assignment=assignment, actor=request.user, message=form.cleaned_data["message"])
        except ActionInvalid as exc:
            for field, errors in exc.errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The urge notice was sent to %(unit)s.") % {"unit": assignment.unit.name})
            return redirect(f"/suggestions/{assignment.suggestion_id}/")
    return render(request, "notifications/urge.html", {"form": form, "assignment": assignment})
