"""What a locked-out login gets (django-axes' AXES_LOCKOUT_CALLABLE): a page saying why and for how
long on the web, `{"detail": …}` with 429 and Retry-After on the API."""

from __future__ import annotations

import math

from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def cooloff_minutes(request) -> int | None:
    cool_off = get_cool_off(request)
    return math.ceil(cool_off.total_seconds() / 60) if cool_off else None


def lockout_message(request) -> str:
    minutes = cooloff_minutes(request)
    if minutes:
        return _(
            "Too many failed logins: this account or address is locked. Try again in %(minutes)d minutes, "
            "or ask the deputy-affairs office to unlock it."
        ) % {"minutes": minutes}
    return _("Too many failed logins: this account or address is locked. Ask the deputy-affairs office to unlock it.")


def api_lockout_response(request) -> JsonResponse:
    response = JsonResponse({"detail": lockout_message(request)}, status=429)
    minutes = cooloff_minutes(request)
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    return response


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/") or request.headers.get("x-requested-with") == "XMLHttpRequest":
        return api_lockout_response(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": cooloff_minutes(request),
        "message": lockout_message(request),
    }
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
