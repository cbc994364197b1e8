"""What every HTML view shares: turning domain errors into pages, messages and form errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from common.errors import ActionConflict, ActionForbidden, ActionInvalid, ActionNotFound
from common.pagination import FastPaginator

PAGE_SIZE = 20


def not_found_as_404(view: Callable) -> Callable:
    """Selectors raise ActionNotFound for what a user may not see; the web answers a plain 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ActionNotFound:
            raise Http404 from None
        except ActionForbidden as exc:
            raise PermissionDenied(exc.message) from None

    return wrapper


def run_service(request: HttpRequest, call: Callable[[], Any], *, form=None, done: str = "") -> tuple[bool, Any]:
    """Call one service; return (ok, result).

    409 becomes a message ("not allowed in the current state"), 400 becomes errors next to the
    form's fields (or a message when there is no form), 403 and 404 propagate to the decorator.
    """
    try:
        result = call()
    except ActionConflict as exc:
        messages.error(
            request, _("Not allowed in the current state: %(reason)s") % {"reason": exc.message}, extra_tags="danger"
        )
        return False, None
    except ActionInvalid as exc:
        if form is not None:
            form.add_action_errors(exc.errors, exc.message)
        else:
            messages.error(request, exc.message, extra_tags="danger")
        return False, None
    if done:
        messages.success(request, done)
    return True, result


def paginate(request: HttpRequest, queryset, size: int = PAGE_SIZE):
    # Capped count and deferred-join pages: a list costs the same at page 1 and page 2,000.
    return FastPaginator(queryset, size).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
