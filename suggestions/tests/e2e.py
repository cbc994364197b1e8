"""Helpers for the browser tests: Debian's Chromium through Playwright, one context per persona.

Every request to a host other than the live server is blocked and recorded, so a test can prove
the pages load nothing from outside; axe-core is injected from the vendored copy.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connections

from conftest import PASSWORD

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to run
# next to it without this (the live server answers from its own thread either way).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "static" / "vendor" / "axe" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1440, "height": 900}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def chromium_or_skip():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip(f"Chromium not found at {CHROMIUM}; scripts/ensure-chromium.sh installs it (make test)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - requirements-dev.txt pins it
        pytest.skip("playwright is not installed")
    return sync_playwright


@dataclass
class Browser:
    """A running Chromium with one logged-in context per persona."""

    playwright: object
    browser: object
    base_url: str
    outside_requests: list[str] = field(default_factory=list)
    contexts: dict = field(default_factory=dict)
    pages: dict = field(default_factory=dict)

    def _guard(self, route):
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:", "about:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            self.outside_requests.append(route.request.url)
            route.abort()

    def page_for(self, username: str, *, viewport=DESKTOP, locale: str = "zh-CN"):
        """A page logged in as `username` (logs in through the login form the first time)."""
        if username in self.pages:
            return self.pages[username]
        context = self.browser.new_context(viewport=viewport, locale=locale)
        context.route("**/*", self._guard)
        page = context.new_page()
        page.set_default_timeout(15000)
        self.contexts[username], self.pages[username] = context, page
        if username != "anonymous":
            self.login(page, username)
        return page

    def login(self, page, username: str):
        page.goto(self.base_url + "/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(self.base_url + "/")

    def goto(self, page, path: str):
        response = page.goto(self.base_url + path)
        return response

    def close(self):
        # While Playwright's sync API runs, the test's own code runs in another context (its
        # greenlet's), where Django opened a second database connection; close it here, or it
        # outlives the test and PostgreSQL refuses to drop the test database at the end.
        connections.close_all()
        for context in self.contexts.values():
            context.close()
        self.browser.close()
        self.playwright.stop()


def start_browser(base_url: str) -> Browser:
    sync_playwright = chromium_or_skip()
    playwright = sync_playwright().start()
    executable = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    return Browser(playwright=playwright, browser=browser, base_url=base_url)


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the current page; return the violations of the given impacts."""
    # Evaluated through the DevTools protocol: a <script> tag with inline content would be refused by
    # the pages' Content-Security-Policy (no inline script), as it should be.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    found = []
    for violation in result["violations"]:
        if violation.get("impact") in impacts:
            targets = [node.get("target") for node in violation.get("nodes", [])][:5]
            found.append({"id": violation["id"], "impact": violation["impact"], "targets": targets})
    return found


def assert_accessible(page, what: str):
    violations = axe_violations(page)
    assert not violations, f"{what}: {json.dumps(violations, ensure_ascii=False, indent=1)}"


def assert_fits(page, width: int, what: str):
    """Nothing pushes the page wider than the screen (tables scroll inside their own box)."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{what} is {scroll_width}px wide at a {width}px screen"


def screenshot(page, name: str, *, full_page: bool = True):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)
