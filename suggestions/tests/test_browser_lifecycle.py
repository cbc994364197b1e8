"""The whole lifecycle through the pages only, in headless Chromium (SPEC sections 1-3).

A deputy drafts with a co-signer, the co-signer confirms, the deputy submits; staff accept and
assign to a lead and a co-unit; the lead unit signs, logs a contact, drafts, the head signs off;
the co-unit sends its opinion; the deputy rates unsatisfied, the unit replies again, the deputy
rates satisfied. Along the way: no request leaves the server, axe-core finds no serious or
critical violation on each role's main page, the form and the detail page, the deputy's pages
fit a 375 px phone, and an unrelated unit gets a 404. The screenshots in the README come from here.
"""

from __future__ import annotations

import re

import pytest

from suggestions.models import AssignmentRole, Suggestion, SuggestionStatus

from .clock import pinned_clock, today_at
from .e2e import DESKTOP, PHONE, assert_accessible, assert_fits, screenshot, start_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# 10:00 Beijing time on the real date, ticking: the pages' dates (a contact logged "today") do not
# depend on the hour the suite runs, and the browser's own clock still agrees with the server's date.
_clock = pinned_clock(today_at(10), tick=True)

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def chrome(live_server):
    browser = start_browser(live_server.url)
    yield browser
    browser.close()


def status_of(page) -> str:
    return page.locator("article.suggestion-detail header [data-status]").first.get_attribute("data-status")


def open_panel(page, name: str):
    page.click(f"[data-action-panel={name}] > summary")
    return page.locator(f"form[data-action={name}]")


def click_action(page, name: str):
    with page.expect_navigation():
        page.click(f"form[data-action={name}] button[type=submit]")


def submit(form):
    with form.page.expect_navigation():
        form.locator("button[type=submit]").last.click()


def test_whole_lifecycle_through_the_pages(
    chrome, alice, bob, henry, hannah, ivan, iris, oscar, sam, victor, water, finance, session_2026, category
):
    # --- the deputy drafts on a phone, with a co-signer chosen by name and a photo -----------
    deputy = chrome.page_for("alice", viewport=PHONE)
    assert_accessible(deputy, "deputy home")
    assert_fits(deputy, PHONE["width"], "deputy home")
    screenshot(deputy, "deputy-home-phone")

    chrome.goto(deputy, "/suggestions/new/")
    assert_accessible(deputy, "new suggestion form")
    assert_fits(deputy, PHONE["width"], "new suggestion form")
    deputy.fill("#id_title", "关于尽快建设南冲电排站的建议")
    deputy.fill("#id_body", "礼乐街道南冲片区农田长期受水浸困扰。\n建议：一、尽快立项建设南冲电排站；二、汛前清淤。")
    deputy.select_option("#id_category", str(category.pk))
    # Deputies are found by the server as one types (no list of every deputy in the page).
    deputy.fill("input[data-search-for=id_co_signers]", "包博")
    deputy.click(f"[data-deputy-result='{bob.pk}']")
    assert deputy.eval_on_selector("#id_co_signers", "s => Array.from(s.selectedOptions, o => o.value)") == [
        str(bob.pk)
    ]
    deputy.select_option("#id_suggested_unit", str(water.pk))
    deputy.set_input_files("#id_attachments", files=[{"name": "现场照片.png", "mimeType": "image/png", "buffer": PNG}])
    screenshot(deputy, "suggestion-form-phone")
    with deputy.expect_navigation():
        deputy.click("button[name=save]")
    sid = int(re.search(r"/suggestions/(\d+)/$", deputy.url).group(1))
    detail = f"/suggestions/{sid}/"
    assert status_of(deputy) == SuggestionStatus.DRAFT
    assert deputy.locator(f"[data-cosigner='{bob.pk}']").count() == 1
    assert deputy.locator("form[data-action=submit]").count() == 1
    assert_accessible(deputy, "detail page (draft)")
    assert_fits(deputy, PHONE["width"], "detail page")

    # Submitting before the co-signer answers is refused with a message, the draft stays a draft.
    click_action(deputy, "submit")
    assert status_of(deputy) == SuggestionStatus.DRAFT
    assert deputy.locator(".alert-danger").count() == 1

    # --- the co-signer confirms from the invitation on their home page ------------------------
    cosigner = chrome.page_for("bob", viewport=PHONE)
    with cosigner.expect_navigation():
        cosigner.click(f"[data-invitation='{sid}'] a")
    cosign = open_panel(cosigner, "cosign")
    with cosigner.expect_navigation():
        cosign.locator("button[value=yes]").click()
    assert cosigner.locator(f"[data-cosigner='{bob.pk}'] .text-bg-success").count() == 1

    chrome.goto(deputy, detail)
    click_action(deputy, "submit")
    assert status_of(deputy) == SuggestionStatus.SUBMITTED
    assert deputy.locator("form[data-action=submit]").count() == 0  # not offered twice

    # --- staff: intake, then 交办 with type-ahead -------------------------------------------
    staff = chrome.page_for("sam", viewport=DESKTOP)
    assert_accessible(staff, "staff home")
    screenshot(staff, "staff-home")
    chrome.goto(staff, "/intake/")
    assert_accessible(staff, "intake queue")
    screenshot(staff, "staff-intake")
    with staff.expect_navigation():
        staff.click(f"tr[data-suggestion='{sid}'] button[type=submit]")
    chrome.goto(staff, detail)
    assert status_of(staff) == SuggestionStatus.REGISTERED
    assert staff.locator("[data-number]").inner_text() == "十六届四次第0001号"
    with staff.expect_navigation():
        staff.click("a[data-action=assign]")
    staff.fill("input[data-filter-for=id_lead_units]", "水务")
    assert staff.locator(f"#id_lead_units option[value='{finance.pk}']").is_hidden()
    staff.select_option("#id_lead_units", [str(water.pk)])
    staff.select_option("#id_co_units", [str(finance.pk)])
    assert_accessible(staff, "assign form")
    screenshot(staff, "staff-assign")
    with staff.expect_navigation():
        staff.click("form[data-action=assign] button[type=submit]")
    assert status_of(staff) == SuggestionStatus.ASSIGNED

    # --- the lead unit: inbox, sign, contact, draft; another unit cannot see it --------------
    handler = chrome.page_for("henry", viewport=DESKTOP)
    chrome.goto(handler, "/inbox/")
    assert handler.locator("a[data-tab=to_sign] [data-count=to_sign]").inner_text() == "1"
    assert_accessible(handler, "unit inbox")
    screenshot(handler, "unit-inbox")
    with handler.expect_navigation():
        handler.click(f"a[href='{detail}']")
    click_action(handler, "sign")
    assert status_of(handler) == SuggestionStatus.HANDLING
    contact = open_panel(handler, "contact")
    contact.locator("select[name$='-phase']").select_option("before")
    contact.locator("select[name$='-method']").select_option("site_visit")
    contact.locator("select[name$='-met_by']").select_option("head")
    contact.locator("textarea[name$='-summary']").fill("局长到南冲片区现场查看，与代表面谈。")
    submit(contact)
    assert handler.locator(".contact-log [data-contact]").count() == 1

    reply = open_panel(handler, "reply")
    reply.locator("textarea[name$='-body']").fill("经研究，南冲电排站已列入2026年水利建设计划。")
    reply.locator("select[name$='-result_class']").select_option("B")
    reply.locator("select[name$='-adoption']").select_option("adopted")
    submit(reply)  # a class B reply without commitments is refused next to the field, input kept
    reply = handler.locator("form[data-action=reply]")
    assert reply.locator("textarea[name$='-body']").input_value().startswith("经研究")
    assert handler.locator("[data-field-error$='-commitments'], [data-form-errors]").count() >= 1
    reply.locator("select[name$='-result_class']").select_option("A")
    submit(reply)
    assert handler.locator("[data-reply-status=awaiting_signoff]").count() == 1
    assert handler.locator("form[data-action=approve_reply]").count() == 0  # only the head signs off

    outsider = chrome.page_for("oscar", viewport=DESKTOP)
    assert chrome.goto(outsider, detail).status == 404

    # --- the co-unit signs and sends its opinion ------------------------------------------
    co_unit = chrome.page_for("ivan", viewport=DESKTOP)
    chrome.goto(co_unit, detail)
    click_action(co_unit, "sign")
    opinion = open_panel(co_unit, "opinion")
    opinion.locator("textarea[name$='-body']").fill("财政局同意安排配套资金。")
    submit(opinion)
    assert co_unit.locator("[data-opinion]").count() == 1

    # --- the head signs off: the reply goes to the deputy -----------------------------------
    head = chrome.page_for("hannah", viewport=DESKTOP)
    chrome.goto(head, detail)
    assert_accessible(head, "detail page (unit head)")
    screenshot(head, "unit-head-detail")
    click_action(head, "approve_reply")
    assert status_of(head) == SuggestionStatus.REPLIED

    # --- the deputy rates unsatisfied: re-handling ------------------------------------------
    chrome.goto(deputy, detail)
    assert deputy.locator("[data-reply-status=released]").count() == 1
    evaluate = open_panel(deputy, "evaluate")
    evaluate.locator("input[name=evaluate-attitude][value=satisfied]").check()
    evaluate.locator("input[name=evaluate-result][value=unsatisfied]").check()
    evaluate.locator("textarea[name=evaluate-comment]").fill("尚未明确开工时间。")
    assert_accessible(deputy, "evaluation form")
    submit(evaluate)
    assert status_of(deputy) == SuggestionStatus.REHANDLING

    # --- the unit replies again, the head signs off -----------------------------------------
    chrome.goto(handler, detail)
    reply = open_panel(handler, "reply")
    reply.locator("textarea[name$='-body']").fill("电排站将于2026年10月开工，2027年汛期前建成。")
    reply.locator("select[name$='-result_class']").select_option("A")
    reply.locator("select[name$='-adoption']").select_option("adopted")
    submit(reply)
    chrome.goto(head, detail)
    click_action(head, "approve_reply")
    assert status_of(head) == SuggestionStatus.REPLIED

    # --- the deputy rates satisfied: closed ----------------------------------------------
    chrome.goto(deputy, detail)
    evaluate = open_panel(deputy, "evaluate")
    evaluate.locator("input[name=evaluate-attitude][value=satisfied]").check()
    evaluate.locator("input[name=evaluate-result][value=satisfied]").check()
    submit(evaluate)
    assert status_of(deputy) == SuggestionStatus.CLOSED
    assert deputy.locator("form[data-action=evaluate]").count() == 0
    events = deputy.locator(".timeline [data-event]").evaluate_all("els => els.map(e => e.dataset.event)")
    for action in ("create", "cosign", "submit", "accept", "assign", "sign", "contact", "reply_release",
                   "evaluate", "rehandling_ordered"):  # fmt: skip
        assert action in events, (action, events)
    screenshot(deputy, "deputy-detail-closed-phone")

    chrome.goto(staff, detail)
    screenshot(staff, "staff-detail")
    reply_link = staff.locator(".reply-card a[href*='/replies/']").last
    with staff.expect_navigation():
        reply_link.click()
    staff.emulate_media(media="print")
    assert staff.locator("nav.app-navbar").is_hidden() and staff.locator(".reply-letter").is_visible()
    screenshot(staff, "reply-letter-print")
    staff.emulate_media(media="screen")

    # --- supervisors and the overview --------------------------------------------------------
    chrome.goto(staff, "/dashboards/")
    assert_accessible(staff, "overview")
    screenshot(staff, "staff-overview")
    supervisor = chrome.page_for("victor", viewport=DESKTOP)
    assert_accessible(supervisor, "supervisor home")
    screenshot(supervisor, "supervisor-home")

    suggestion = Suggestion.objects.get(pk=sid)
    assert suggestion.status == SuggestionStatus.CLOSED and suggestion.round == 2
    assert suggestion.assignments.get(role=AssignmentRole.CO).opinions.count() == 1
    assert chrome.outside_requests == []


def test_language_switch_login_page_and_phone_layout(chrome, alice, henry, sam, session_2026, category):
    anonymous = chrome.page_for("anonymous", viewport=PHONE)
    chrome.goto(anonymous, "/accounts/login/")
    assert anonymous.locator("html").get_attribute("lang") == "zh-hans"
    assert_accessible(anonymous, "login page")
    screenshot(anonymous, "login-phone")

    deputy = chrome.page_for("alice", viewport=PHONE)
    deputy.click("button.navbar-toggler")
    with deputy.expect_navigation():
        deputy.click("[data-lang-switch]")
    assert deputy.locator("html").get_attribute("lang") == "en"
    assert deputy.locator("h1").first.inner_text().startswith("Welcome")
    assert_fits(deputy, PHONE["width"], "deputy home in English")
    screenshot(deputy, "deputy-home-english-phone")

    for username in ("henry", "sam"):
        page = chrome.page_for(username, viewport=PHONE)
        for path in ("/", "/inbox/" if username == "henry" else "/suggestions/"):
            chrome.goto(page, path)
            assert_fits(page, PHONE["width"], f"{path} for {username}")
    assert chrome.outside_requests == []
