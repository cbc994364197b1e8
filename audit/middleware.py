"""Records the security events a response shows: denials (403), hidden or missing objects (404 on a
route that matched), exports (.xlsx/.csv) and file downloads. One INSERT, only for those responses."""

from __future__ import annotations

from .models import AuditAction
from .services import current_request, record

EXPORT_TYPES = ("spreadsheetml", "text/csv", "ms-excel")


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            response = self.get_response(request)
            self._record(request, response)
        finally:
            current_request.reset(token)
        return response

    def _record(self, request, response) -> None:
        match = getattr(request, "resolver_match", None)
        if match is None:
            return  # an unknown URL is not an object someone was denied
        status = response.status_code
        route = match.view_name or ""
        kwargs = {k: str(v) for k, v in (match.kwargs or {}).items()}
        if status == 403:
            if getattr(request, "axes_locked_out", False):
                return  # the lockout itself is recorded by its signal
            record(
                AuditAction.DENIED,
                request=request,
                object_type=route,
                object_id=kwargs.get("pk", ""),
                detail={"method": request.method, "kwargs": kwargs},
            )
        elif status == 404 and kwargs:
            record(
                AuditAction.NOT_FOUND,
                request=request,
                object_type=route,
                object_id=kwargs.get("pk", ""),
                detail={"method": request.method, "kwargs": kwargs},
            )
        elif status == 200 and str(response.get("Content-Disposition", "")).startswith("attachment"):
            content_type = response.get("Content-Type", "")
            action = AuditAction.EXPORT if any(t in content_type for t in EXPORT_TYPES) else AuditAction.DOWNLOAD
            query = {k: v for k, v in request.GET.items() if k not in ("csrfmiddlewaretoken",)}
            record(
                action,
                request=request,
                object_type=route,
                object_id=kwargs.get("pk", ""),
                detail={"query": query, "content_type": content_type},
            )
