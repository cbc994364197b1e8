"""Issue 12, finding 9: a strict Content-Security-Policy and a Permissions-Policy on every kind of
page (login, each role's home, a suggestion, dashboards, public pages, the API, the admin, the API
docs), and templates that need no inline script or style to work under it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from testing.factories import suggestion_in_state

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def assert_strict(response, *, page: str) -> None:
    csp = response.get("Content-Security-Policy")
    assert csp, f"{page}: no Content-Security-Policy"
    d = directives(csp)
    assert d["default-src"] == ["'self'"], page
    assert d["script-src"] == ["'self'"], page  # no 'unsafe-inline', no 'unsafe-eval', no CDN
    assert d["object-src"] == ["'none'"] and d["frame-ancestors"] == ["'none'"], page
    if page != "/api/redoc/":
        assert d["style-src"] == ["'self'"], page
    policy = response.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy, f"{page}: {feature} missing from Permissions-Policy"


@pytest.fixture
def replied(cast):
    return suggestion_in_state("replied", cast=cast, public=True)


def test_anonymous_pages(client, replied):
    pages = ["/accounts/login/", "/public/", f"/public/{replied.pk}/", "/api/v1/", "/api/schema/", "/api/docs/",
             "/api/redoc/", "/admin/login/"]  # fmt: skip
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert_strict(response, page=page)


@pytest.mark.parametrize("who", ["alice", "henry", "hannah", "sam", "victor"])
def test_each_roles_pages(client, cast, replied, who):
    client.force_login(cast[who])
    pages = ["/", f"/suggestions/{replied.pk}/", "/notifications/", "/api/v1/me/", "/api/v1/suggestions/"]
    if who in ("sam", "victor"):
        pages += ["/dashboards/", "/dashboards/units/", "/dashboards/report/", "/supervision/"]
    if who == "sam":
        pages += ["/audit/", "/audit/lockouts/", "/intake/", "/requests/", "/suggestions/"]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, (who, page, response.status_code)
        assert_strict(response, page=page)


def test_errors_downloads_and_the_admin(client, cast, replied):
    from accounts.models import User

    assert_strict(client.get("/no-such-page/"), page="404")
    client.force_login(cast.alice)
    assert_strict(client.get("/dashboards/"), page="403")
    root = User.objects.create_superuser("root", "root@example.org", "pw-root-1")
    client.force_login(root)
    for page in ("/admin/", "/admin/accounts/user/"):
        response = client.get(page)
        assert response.status_code == 200
        assert_strict(response, page=page)


def test_the_swagger_docs_load_their_init_script_from_our_origin(client):
    page = client.get("/api/docs/").content.decode()
    assert "<style" not in page
    inline = [m for m in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S) if "src=" not in m[0]]
    assert inline == []
    script_src = re.search(r'<script src="([^"]+\?script=)"', page.replace("&amp;", "&"))
    assert script_src, "the init script is a separate request"
    script = client.get(script_src.group(1))
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    assert "googleapis" not in client.get("/api/redoc/").content.decode()


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=\s*[\"']", re.I)


def test_no_template_needs_inline_script_or_style():
    offenders = []
    for path in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for name, pattern in (("script", INLINE_SCRIPT), ("handler", INLINE_HANDLER), ("style", INLINE_STYLE)):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(ROOT)}: inline {name}")
    assert offenders == []
