"""Pages of committees and deputies' professional groups: the list, one committee's page, and
staff's form. Reads go through `committees` (404 for outsiders), writes through its service."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from suggestions import worklists

from . import committees, forms
from .views import _form_page, _get


@login_required
def committee_list(request):
    rows = committees.committee_list(request.user)
    return render(request, "supervision/committees.html", {"committees": rows})


@login_required
def committee_detail(request, pk):
    committee = _get(committees.get_committee_for, request.user, pk)
    page = committees.committee_page(request.user, committee, request.GET.get("page"))
    rows = worklists.annotate_rows(page.object_list, timezone.localdate())
    return render(
        request,
        "supervision/committee_detail.html",
        {
            "committee": committee,
            "page": page,
            "rows": rows,
            "key_items": committees.committee_key_items(committee),
            "overdue_count": sum(1 for r in rows if r.is_overdue),
        },
    )


def _committee_form(request, committee=None):
    if not request.user.is_office_staff:
        raise PermissionDenied
    initial = {"active": True}
    if committee is not None:
        initial = {
            "name": committee.name,
            "kind": committee.kind,
            "members": list(committee.members.all()),
            "categories": list(committee.categories.all()),
            "description": committee.description,
            "active": committee.active,
        }
    form = forms.CommitteeForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        form,
        lambda d: committees.committee_save(
            actor=request.user,
            committee=committee,
            members=list(d.pop("members")),
            categories=list(d.pop("categories")),
            **d,
        ),
        done=_("Committee saved."),
        then=lambda saved: reverse("supervision:committee", kwargs={"pk": saved.pk}),
        template="supervision/committee_form.html",
        context={"committee": committee},
    )


@login_required
def committee_new(request):
    return _committee_form(request)


@login_required
def committee_edit(request, pk):
    return _committee_form(request, _get(committees.get_committee_for, request.user, pk))
