"""Run in a subprocess against a database and media directory (DATABASE_URL, MEDIA_ROOT): prints, as
JSON, what the app serves there: the suggestions list, the unit figures, and every attachment's bytes
through the download view. The backup drill compares the original with the restored instance."""

from __future__ import annotations

import hashlib
import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("PYTEST_VERSION", "probe")  # the test settings: plain HTTP
os.environ["ALLOWED_HOSTS"] = "testserver"
sys.path.insert(0, os.getcwd())

import django

django.setup()

from django.test import Client  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.models import User  # noqa: E402
from suggestions.models import Attachment  # noqa: E402


def main() -> None:
    staff = User.objects.get(username=sys.argv[1])
    api = APIClient()
    api.force_authenticate(staff)
    suggestions = api.get("/api/v1/suggestions/", {"page_size": 100})
    units = api.get("/api/v1/stats/units/")
    web = Client()
    web.force_login(staff)
    files = {}
    for attachment in Attachment.objects.order_by("id"):
        response = web.get(f"/attachments/{attachment.pk}/")
        body = b"".join(response.streaming_content) if response.status_code == 200 else b""
        files[attachment.name] = [response.status_code, hashlib.sha256(body).hexdigest(), len(body)]
    print(json.dumps({
        "suggestions": [suggestions.status_code, suggestions.json()],
        "units": [units.status_code, units.json()],
        "files": files,
    }, ensure_ascii=False, sort_keys=True))  # fmt: skip


if __name__ == "__main__":
    main()
