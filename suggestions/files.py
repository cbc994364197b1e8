"""Sending an uploaded file once the caller has been allowed to see it (issue 12, finding 2).

There is no /media/ URL: the attachment view checks visibility, then either streams the file
(FileResponse; development and small installs) or, when PROTECTED_MEDIA_X_ACCEL is set, hands the
sending to nginx with X-Accel-Redirect to an `internal` location. Either way the answer is a download
(Content-Disposition: attachment) that the browser may not sniff or render.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

from .services.drafting import ALLOWED_ATTACHMENT_TYPES

# A file opened by mistake in a browser tab can run nothing and load nothing.
FILE_CSP = "default-src 'none'; sandbox"


def _harden(response: HttpResponse, content_type: str, filename: str) -> HttpResponse:
    response["Content-Type"] = content_type if content_type in ALLOWED_ATTACHMENT_TYPES else "application/octet-stream"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cache-Control"] = "private, no-store"
    return response


def serve_attachment(attachment) -> HttpResponse:
    prefix = settings.PROTECTED_MEDIA_X_ACCEL
    if prefix:
        if not attachment.file.storage.exists(attachment.file.name):
            raise Http404
        response = HttpResponse()
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(attachment.file.name)
        return _harden(response, attachment.content_type, attachment.name)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.name)
    return _harden(response, attachment.content_type, attachment.name)
