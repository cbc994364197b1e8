"""Issue 12, finding 9, in a real browser: under the Content-Security-Policy the pages work and the
browser reports no violation (a refused script or style would show up here, not in a header test):
each role's home, a suggestion, the dashboards with their charts, the audit log, the API docs."""

from __future__ import annotations

import pytest

from suggestions.tests.e2e import start_browser
from testing.factories import suggestion_in_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


@pytest.fixture
def chrome(live_server):
    browser = start_browser(live_server.url)
    yield browser
    browser.close()


def visit(chrome, page, path: str, ready: str | None = None) -> list[str]:
    response = chrome.goto(page, path)
    assert response.status == 200, path
    if ready:
        page.wait_for_selector(ready, timeout=20000)
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)  # let the scripts run
    return page.evaluate("window.__csp")


def test_pages_run_under_the_policy_without_violations(chrome, cast):
    suggestion = suggestion_in_state("replied", cast=cast, public=True)
    found = {}
    for who, paths in {
        "sam": ["/", f"/suggestions/{suggestion.pk}/", "/dashboards/", "/dashboards/units/", "/audit/", "/intake/"],
        "alice": ["/", f"/suggestions/{suggestion.pk}/", "/suggestions/new/"],
        "henry": ["/", "/inbox/"],
        "anonymous": ["/public/", f"/public/{suggestion.pk}/", "/accounts/login/"],
    }.items():
        page = chrome.page_for(who)
        page.context.add_init_script(RECORD_VIOLATIONS)
        for path in paths:
            violations = visit(chrome, page, path)
            if violations:
                found[f"{who} {path}"] = violations
        if who == "sam":
            # A chart draws, and its tooltip (HTML built by ECharts) shows, under the policy.
            visit(chrome, page, "/dashboards/units/", ready="canvas")
            box = page.locator("canvas").first.bounding_box()
            for dx in (0.3, 0.5, 0.7):
                page.mouse.move(box["x"] + box["width"] * dx, box["y"] + box["height"] * 0.6)
                page.wait_for_timeout(300)
            violations = page.evaluate("window.__csp")
            if violations:
                found["sam chart tooltip"] = violations
            # The recorder itself works: markup with an inline style is refused and reported.
            page.evaluate("document.body.insertAdjacentHTML('beforeend', '<i style=\\'color:red\\'></i>')")
            page.wait_for_timeout(200)
            assert any("style-src" in v for v in page.evaluate("window.__csp"))
    page = chrome.page_for("anonymous")
    docs = visit(chrome, page, "/api/docs/", ready=".swagger-ui .information-container")
    if docs:
        found["/api/docs/"] = docs
    assert found == {}
    assert chrome.outside_requests == []
