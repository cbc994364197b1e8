"""The permission matrix (issue 12): every route of the pages and the API, for every role,
against a suggestion (and what hangs off it) of the role's own and one of someone else's,
answers what the table below says. The table is the rules of SPEC sections 1, 6 and 8:

* anonymous: the public pages, login and the API docs; any other page redirects to login (302),
  the API answers 401;
* participants of a suggestion (lead deputy, confirmed co-signers, units with a live assignment,
  staff, supervisors attached to it or leading a key item holding it) read its whole record;
* anyone else signed in sees the public view of a published suggestion and a 404 for anything
  else about it (existence is not leaked), and a 403 for a page of a role they do not have;
* staff see everything; dashboards are for staff and supervisors.

The routes are read from the URLconf (DRF viewsets expanded into their routes by the router),
so a new route without a row here fails `test_every_route_has_a_row`. Only GET is sent: the
writes are covered by `suggestions/tests/test_transitions.py` and the supervision permission
tests; a write-only route's row says what a GET gets (405 once signed in).

X is alice's suggestion (co-signed by bob, led by water: henry and hannah, co-handled by
finance, supervised by vera who also leads the key item holding it); its reply is not public,
so X is not published. Y is carol's published suggestion, handled by education (oscar).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Role
from audit import services as audit
from conftest import make_user
from dashboards.publication import report_publish
from handling import services as handling
from notifications.models import Delivery, Notification
from suggestions import selectors
from suggestions import services as core
from suggestions.models import AssignmentRole, Category, Deadline
from supervision import committees
from supervision import services as supervision
from supervision.models import InspectionKind

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")

# ---------------------------------------------------------------------------------------------
# Roles: who asks. Each role has its own relation to X and to Y.

ROLES = [
    "anonymous",
    "deputy_lead",  # alice: X is hers
    "deputy_other",  # carol: Y is hers, X is not
    "unit_handler",  # henry (water): X is his unit's
    "unit_head",  # hannah (water)
    "unit_other",  # oscar (education): Y is his unit's, X is not
    "staff",  # sam
    "supervisor_attached",  # vera: attached to X, leads its key item
    "supervisor_other",  # victor: attached to nothing
]
USERS = {
    "deputy_lead": "alice",
    "deputy_other": "carol",
    "unit_handler": "henry",
    "unit_head": "hannah",
    "unit_other": "oscar",
    "staff": "sam",
    "supervisor_attached": "vera",
    "supervisor_other": "victor",
}
DEPUTIES = {"deputy_lead", "deputy_other"}
UNITS = {"unit_handler", "unit_head", "unit_other"}
SUPERVISORS = {"supervisor_attached", "supervisor_other"}
SIGNED_IN = set(ROLES) - {"anonymous"}

# ---------------------------------------------------------------------------------------------
# Rules: role -> expected status (for routes about X, the relation to X decides).


def every(status: int, anonymous: int | None = None) -> dict[str, int]:
    return {role: (anonymous if role == "anonymous" and anonymous is not None else status) for role in ROLES}


def only(roles: set[str], *, ok: int = 200, others: int = 403, anonymous: int = 302) -> dict[str, int]:
    return {r: anonymous if r == "anonymous" else ok if r in roles else others for r in ROLES}


PUBLIC = every(200)
PAGE = every(200, anonymous=302)  # any signed-in user
API = every(200, anonymous=401)  # any signed-in user
PAGE_POST_ONLY = every(405, anonymous=302)
API_POST_ONLY = every(405, anonymous=401)
STAFF_PAGE = only({"staff"})
STAFF_API = only({"staff"}, anonymous=401)
DASHBOARD_PAGE = only({"staff"} | SUPERVISORS)
DASHBOARD_API = only({"staff"} | SUPERVISORS, anonymous=401)
OVERSEER_PAGE = only({"staff"} | SUPERVISORS)  # supervision's own pages
UNIT_PAGE = only(UNITS)
DEPUTY_PAGE = only(DEPUTIES)

# X's participants; everyone else signed in gets a 404 for X's record (X is not published).
X_PARTICIPANTS = {"deputy_lead", "unit_handler", "unit_head", "staff", "supervisor_attached"}
X_RECORD_PAGE = only(X_PARTICIPANTS, others=404)
X_RECORD_API = only(X_PARTICIPANTS, others=404, anonymous=401)
# The lead unit's record of X (its assignment): the suggestion's deputies and supervisors read it too.
X_LEAD_UNIT_RECORD_API = X_RECORD_API
# Y is published: anyone signed in gets the public view, its record only to participants.
Y_PARTICIPANTS = {"deputy_other", "unit_other", "staff"}
Y_PUBLIC_VIEW_PAGE = PAGE
Y_PUBLIC_VIEW_API = API
Y_RECORD_API = only(Y_PARTICIPANTS, others=404, anonymous=401)
Y_RECORD_PAGE = only(Y_PARTICIPANTS, others=404)


def x_staff_page(**over) -> dict[str, int]:
    """A staff page about X: participants who are not staff get 403, outsiders 404."""
    rule = only({"staff"}, others=403)
    for role in SIGNED_IN - X_PARTICIPANTS:
        rule[role] = 404
    rule.update(over)
    return rule


def x_staff_api() -> dict[str, int]:
    rule = x_staff_page()
    rule["anonymous"] = 401
    return rule


# ---------------------------------------------------------------------------------------------
# The table: route name -> (what its URL arguments name, rule for X or the only object, rule for Y).
# `None` for Y: the route has no per-suggestion second object (lists, own pages, X-only objects).

Row = tuple[str | None, dict[str, int], dict[str, int] | None]
TABLE: dict[str, Row] = {
    # --- accounts and the API's front door
    "set_language": (None, every(302), None),  # Django's view: a GET goes back where it came from
    "api-root": (None, PUBLIC, None),
    "api-token": (None, every(405), None),
    "api-me": (None, API, None),
    "unit-list": (None, API, None),
    "unit-detail": ("unit", API, None),
    "user-list": (None, STAFF_API, None),
    "session-list": (None, API, None),
    "category-list": (None, API, None),
    "schema": (None, PUBLIC, None),
    "api-docs": (None, PUBLIC, None),
    "api-redoc": (None, PUBLIC, None),
    "login": (None, PUBLIC, None),
    "logout": (None, every(405), None),
    "password_change": (None, PAGE, None),
    "password_change_done": (None, PAGE, None),
    # --- suggestions (API)
    "suggestion-list": (None, API, None),
    "suggestion-detail": ("suggestion", X_RECORD_API, Y_PUBLIC_VIEW_API),
    "suggestion-attachments": ("suggestion", X_RECORD_API, Y_RECORD_API),
    "suggestion-evaluations": ("suggestion", X_RECORD_API, Y_RECORD_API),
    "suggestion-replies": ("suggestion", X_RECORD_API, Y_RECORD_API),
    "suggestion-timeline": ("suggestion", X_RECORD_API, Y_RECORD_API),
    "suggestion-repeat-chain": ("suggestion", X_RECORD_API, Y_RECORD_API),
    "suggestion-repeat-candidates": ("suggestion", x_staff_api(), None),
    **dict.fromkeys(
        (
            "suggestion-accept",
            "suggestion-assign",
            "suggestion-close",
            "suggestion-consent-withdraw",
            "suggestion-cosign",
            "suggestion-evaluate",
            "suggestion-merge",
            "suggestion-reject",
            "suggestion-return-",
            "suggestion-submit",
            "suggestion-withdraw",
            "suggestion-link-repeat",
            "suggestion-link-follow-up",
        ),
        ("suggestion", API_POST_ONLY, None),
    ),
    "assignment-list": (None, API, None),
    "assignment-detail": ("assignment", X_LEAD_UNIT_RECORD_API, Y_RECORD_API),
    "assignment-contacts": ("assignment", X_LEAD_UNIT_RECORD_API, Y_RECORD_API),
    "assignment-requests": ("assignment", X_LEAD_UNIT_RECORD_API, Y_RECORD_API),
    **dict.fromkeys(
        (
            "assignment-approve-extension",
            "assignment-approve-reply",
            "assignment-approve-return",
            "assignment-opinion",
            "assignment-refuse-extension",
            "assignment-refuse-return",
            "assignment-reply",
            "assignment-request-extension",
            "assignment-request-return",
            "assignment-send-back",
            "assignment-sign",
            "assignment-urge",
        ),
        ("assignment", API_POST_ONLY, None),
    ),
    "contact-dispute": ("contact", API_POST_ONLY, None),
    "commitment-fulfil": ("commitment", API_POST_ONLY, None),
    "deadline-list": (None, API, None),
    # The reply deadline of X's lead assignment: the lead unit, the lead deputy, staff and X's supervisor.
    "deadline-detail": ("deadline", X_RECORD_API, None),
    # --- supervision (API)
    "key-item-list": (None, API, None),
    "key-item-detail": ("key_item", X_RECORD_API, None),
    **dict.fromkeys(
        (
            "key-item-complete",
            "key-item-half-year-report",
            "key-item-milestone-done",
            "key-item-regenerate-regime",
            "key-item-year-end-result",
            "key-item-year-end-scores",
        ),
        ("key_item", API_POST_ONLY, None),
    ),
    "monthly-report-list": (None, API, None),
    # The lead unit's monthly report: the item's units (its own report), staff and the item's leader.
    "monthly-report-detail": (
        "monthly_report",
        only({"unit_handler", "unit_head", "staff", "supervisor_attached", "deputy_lead"}, others=404, anonymous=401),
        None,
    ),
    "inspection-list": (None, API, None),
    "inspection-export": (None, API, None),
    "inspection-detail": (
        "inspection",
        only({"unit_handler", "unit_head", "staff", "supervisor_attached"}, others=404, anonymous=401),
        None,
    ),
    "inspection-release": ("inspection", API_POST_ONLY, None),
    "meeting-list": (None, API, None),
    "meeting-export": (None, API, None),
    "meeting-detail": (
        "meeting",
        only({"deputy_lead", "unit_handler", "unit_head", "staff", "supervisor_attached"}, others=404, anonymous=401),
        None,
    ),
    "meeting-release": ("meeting", API_POST_ONLY, None),
    "follow-up-action-list": (None, API, None),
    "follow-up-action-detail": (
        "follow_up_action",
        only({"unit_handler", "unit_head", "staff", "supervisor_attached"}, others=404, anonymous=401),
        None,
    ),
    "follow-up-action-complete": ("follow_up_action", API_POST_ONLY, None),
    "suggestion-supervisor-list": (None, API, None),
    "suggestion-supervisor-detail": ("supervisor_link", API_POST_ONLY, None),
    "instruction-list": (None, API, None),
    "campaign-list": (None, API, None),
    "campaign-detail": ("campaign", only({"staff"} | SUPERVISORS, others=404, anonymous=401), None),
    # --- notifications (API)
    "notification-list": (None, API, None),
    "notification-read-all": (None, API_POST_ONLY, None),
    "notification-read": ("notification", API_POST_ONLY, None),
    # --- dashboards (API)
    **dict.fromkeys(
        (
            "stats-units",
            "stats-categories",
            "stats-sessions",
            "stats-years",
            "stats-key-items",
            "stats-overview",
            "stats-assessment",
            "stats-settings",
            "stats-snapshots",
        ),
        (None, DASHBOARD_API, None),
    ),
    "stats-drill": ("drill", DASHBOARD_API, None),
    "stats-snapshot": ("snapshot", DASHBOARD_API, None),
    # --- supervision (pages)
    "supervision:board": (None, only({"staff"} | SUPERVISORS, others=302), None),  # units, deputies: own page
    "supervision:key_item_new": (None, STAFF_PAGE, None),
    "supervision:key_item": ("key_item", X_RECORD_PAGE, None),
    **dict.fromkeys(
        (
            "supervision:key_item_instruct",
            "supervision:key_item_half_year",
            "supervision:key_item_score",
            "supervision:key_item_result",
            "supervision:key_item_complete",
        ),
        ("key_item", PAGE_POST_ONLY, None),
    ),
    "supervision:monthly_report": (
        "key_item",
        only({"unit_handler", "unit_head"}, others=403)
        | {"deputy_other": 404, "unit_other": 404, "supervisor_other": 404},
        None,
    ),
    "supervision:inspections": (None, PAGE, None),
    "supervision:inspection_export": (None, PAGE, None),
    # Outsiders of X (including a committee member whose committee does not follow X) get a 404.
    "supervision:inspection_new": (
        "inspection_new",
        only({"staff", "supervisor_attached"}) | {"supervisor_other": 404, "deputy_other": 404, "unit_other": 404},
        None,
    ),
    "supervision:inspection": (
        "inspection",
        only({"unit_handler", "unit_head", "staff", "supervisor_attached"}, others=404),
        None,
    ),
    "supervision:inspection_release": ("inspection", PAGE_POST_ONLY, None),
    "supervision:follow_up_done": ("follow_up_action", PAGE_POST_ONLY, None),
    "supervision:unit": (None, UNIT_PAGE, None),
    "supervision:mine": (None, DEPUTY_PAGE, None),
    "supervision:suggestion": (
        "suggestion",
        x_staff_page(supervisor_attached=200),
        Y_RECORD_PAGE | {"deputy_other": 403, "unit_other": 403},
    ),
    **dict.fromkeys(
        (
            "supervision:suggestion_attach",
            "supervision:suggestion_instruct",
            "supervision:suggestion_link_repeat",
            "supervision:suggestion_link_follow_up",
        ),
        ("suggestion", PAGE_POST_ONLY, None),
    ),
    "supervision:suggestion_detach": ("supervisor_link_page", PAGE_POST_ONLY, None),
    "supervision:campaigns": (None, OVERSEER_PAGE, None),
    "supervision:campaign_new": (None, STAFF_PAGE, None),
    # --- notifications (pages)
    "notifications:list": (None, PAGE, None),
    "notifications:read": ("notification", PAGE_POST_ONLY, None),
    "notifications:read_all": (None, PAGE_POST_ONLY, None),
    "notifications:preferences": (None, PAGE, None),
    "notifications:deliveries": (None, STAFF_PAGE, None),
    "notifications:delivery_retry": ("delivery", PAGE_POST_ONLY, None),
    "notifications:urge": ("assignment_id", x_staff_page(), None),
    # --- dashboards (pages)
    **dict.fromkeys(
        (
            "dashboards:overview",
            "dashboards:units",
            "dashboards:categories",
            "dashboards:key_items",
            "dashboards:assessment",
            "dashboards:report",
            "dashboards:settings",
            "dashboards:snapshots",
        ),
        (None, DASHBOARD_PAGE, None),
    ),
    "dashboards:unit": ("unit", DASHBOARD_PAGE, None),
    "dashboards:drill": ("drill", DASHBOARD_PAGE, None),
    "dashboards:snapshot": ("snapshot", DASHBOARD_PAGE, None),
    # --- suggestions (pages)
    "home": (None, PAGE, None),
    "suggestion_list": (None, PAGE, None),
    "public_list": (None, PUBLIC, None),
    "public_detail": ("suggestion", every(404), PUBLIC),
    "my_suggestions": (None, DEPUTY_PAGE, None),
    "suggestion_create": (None, DEPUTY_PAGE | {"staff": 200}, None),
    "deputy_search": (None, DEPUTY_PAGE | {"staff": 200}, None),
    "suggestion_detail": ("suggestion", X_RECORD_PAGE, Y_PUBLIC_VIEW_PAGE),
    "suggestion_edit": ("suggestion", x_staff_page(staff=403, deputy_lead=302), None),
    "suggestion_assign": ("suggestion", x_staff_page(), None),
    "reply_letter": ("reply", X_RECORD_PAGE, None),
    "suggestion_action": ("suggestion_action", PAGE_POST_ONLY, None),
    "assignment_action": ("assignment_action", PAGE_POST_ONLY, None),
    "contact_dispute": ("contact", PAGE_POST_ONLY, None),
    "commitment_fulfil": ("commitment", PAGE_POST_ONLY, None),
    "attachment_download": ("attachment", X_RECORD_PAGE, None),
    "inbox": (None, UNIT_PAGE, None),
    "intake": (None, STAFF_PAGE, None),
    "request_queue": (None, STAFF_PAGE, None),
    "overview": (None, every(301), None),  # moved: a permanent redirect to the dashboards
    # --- handling: consultations on drafts, handling plans, delivery of commitments
    "suggestion-consult": ("suggestion", API_POST_ONLY, None),
    "consultation-list": (None, API, None),
    # Z's consultation with water: the asking deputy, the consulted unit and staff; a draft is private.
    "consultation-detail": (
        "consultation",
        only({"deputy_lead", "unit_handler", "unit_head", "staff"}, others=404, anonymous=401),
        None,
    ),
    "consultation-answer": ("consultation", API_POST_ONLY, None),
    "assignment-plan": ("assignment", X_LEAD_UNIT_RECORD_API, None),
    "plan-step-done": ("plan_step", API_POST_ONLY, None),
    "commitment-confirm-delivery": ("commitment", API_POST_ONLY, None),
    "handling:consult": ("suggestion", PAGE_POST_ONLY, None),
    "handling:consultations": (None, PAGE, None),
    "handling:answer": ("consultation", PAGE_POST_ONLY, None),
    # Only the unit writes its plan; the other participants read it on the suggestion's page.
    "handling:plan": (
        "assignment",
        only({"unit_handler", "unit_head"}) | {"deputy_other": 404, "unit_other": 404, "supervisor_other": 404},
        None,
    ),
    "handling:step_done": ("plan_step", PAGE_POST_ONLY, None),
    "handling:confirm_delivery": ("commitment", PAGE_POST_ONLY, None),
    # --- publication: open data and the published annual report, for anyone
    "public-suggestion-list": (None, PUBLIC, None),
    "public-suggestion-detail": ("suggestion", every(404), PUBLIC),
    "public-reply-list": (None, PUBLIC, None),
    "public_reports": (None, PUBLIC, None),
    "public_report": ("report_year", PUBLIC, None),
    "dashboards:publish_report": (None, STAFF_PAGE, None),
    "dashboards:publish_report_do": (None, PAGE_POST_ONLY, None),
    # --- committees: carol's deputies' group (a category neither X nor Y has); members, staff, supervisors
    "committee-list": (None, API, None),
    "committee-detail": ("committee", only({"deputy_other", "staff"} | SUPERVISORS, others=404, anonymous=401), None),
    "supervision:committees": (None, PAGE, None),  # the committees the reader may see (none for most)
    "supervision:committee": ("committee", only({"deputy_other", "staff"} | SUPERVISORS, others=404), None),
    "supervision:committee_new": (None, STAFF_PAGE, None),
    # Who cannot see the committee gets a 404; members and supervisors see it but may not edit it.
    "supervision:committee_edit": (
        "committee",
        only({"staff"}, others=404) | {"deputy_other": 403, "supervisor_attached": 403, "supervisor_other": 403},
        None,
    ),
    "supervision:key_item_edit": ("key_item", STAFF_PAGE, None),
    "supervision:key_item_regenerate": ("key_item", PAGE_POST_ONLY, None),
    "supervision:campaign_edit": ("campaign", STAFF_PAGE, None),
    # --- the deputy's record of duty (履职档案): alice's own, staff everyone's (no delegation leader here)
    "deputy-record": ("deputy", only({"deputy_lead", "staff"}, others=404, anonymous=401), None),
    "deputies:record": ("deputy", only({"deputy_lead", "staff"}, others=404), None),
    "deputies:mine": (None, only(DEPUTIES, ok=302, others=404), None),
    "deputies:index": (None, STAFF_PAGE, None),
    "deputies:export": (None, STAFF_PAGE, None),
    # --- text: similar suggestions, routing (staff), reply check (the assigned unit), chronic issues
    "suggestion-similar": (None, API_POST_ONLY, None),
    "routing-suggest": (None, only({"staff"}, ok=405, anonymous=401), None),
    "assignment-reply-check": ("assignment", API_POST_ONLY, None),
    "text_draft_assist": (None, PAGE_POST_ONLY, None),
    "text_intake_hint": ("suggestion", STAFF_PAGE, None),
    "text_routing_panel": ("suggestion", STAFF_PAGE, None),
    "text_reply_check": (
        "assignment",
        only({"unit_handler", "unit_head"}) | {"deputy_other": 404, "unit_other": 404, "supervisor_other": 404},
        None,
    ),
    "text_chronic": (None, DASHBOARD_PAGE, None),
    "text_routing_accuracy": (None, DASHBOARD_PAGE, None),
    # --- the audit log of security events: staff only
    "audit-event-list": (None, STAFF_API, None),
    "audit-event-detail": ("audit_event", STAFF_API, None),
    "audit:log": (None, STAFF_PAGE, None),
    "audit:lockouts": (None, STAFF_PAGE, None),
    "audit:unlock": (None, PAGE_POST_ONLY, None),
}

# Routes whose answer cannot depend on the caller, asked by two roles only to keep the test fast:
# the schema is generated afresh on each request (seconds) and served alike to everyone.
ASKED_OF_TWO = {"schema": ("anonymous", "deputy_other")}

# Routes deliberately outside the matrix, with the reason.
EXCLUDED_PREFIXES = {
    "admin/": "Django's admin: its own login and is_staff/is_superuser checks, not the product's roles",
}

# ---------------------------------------------------------------------------------------------
# The URLconf, read as (name, pattern, kwargs names)


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    params: tuple[str, ...]


def routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                full = prefix + str(entry.pattern)
                if any(full.startswith(p) for p in EXCLUDED_PREFIXES):
                    continue
                name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or full)
                found.append(Route(name, full, tuple(entry.pattern.regex.groupindex)))

    walk(get_resolver().url_patterns, "", None)
    return found


# ---------------------------------------------------------------------------------------------
# The data: X and Y with everything that hangs off them, built once.


def build(users) -> dict[str, Callable[[str], dict]]:
    alice, bob, carol = users["alice"], users["bob"], users["carol"]
    henry, hannah, ivan, oscar, olga = users["henry"], users["hannah"], users["ivan"], users["oscar"], users["olga"]
    sam, vera = users["sam"], users["vera"]
    session = users["session"]
    water, finance, education = users["water"], users["finance"], users["education"]

    x = core.suggestion_create(
        author=alice, title="关于改造南冲电排站的建议", body="南冲电排站年久失修。", session=session,
        co_signers=[bob.pk], attachments=[SimpleUploadedFile("现场.pdf", b"%PDF-1.4 x", "application/pdf")],
    )  # fmt: skip
    core.suggestion_cosign(suggestion=x, actor=bob, accept=True)
    core.suggestion_submit(suggestion=x, actor=alice)
    core.suggestion_accept(suggestion=x, actor=sam)
    core.suggestion_assign(suggestion=x, actor=sam, lead_units=[water], co_units=[finance])
    lead = x.assignments.get(role=AssignmentRole.LEAD)
    co = x.assignments.get(role=AssignmentRole.CO)
    core.assignment_sign(assignment=lead, actor=henry)
    core.assignment_sign(assignment=co, actor=ivan)
    contact = core.contact_log(
        assignment=lead, actor=henry, phase="before", method="phone", met_by="division",
        contacted_at=timezone.now(), summary="电话沟通",
    )  # fmt: skip
    core.assignment_request_return(assignment=co, actor=ivan, reason="非本单位职责")
    supervision.supervisor_attach(suggestion=x, user=vera, actor=sam)
    item = supervision.key_item_create(actor=sam, year=2026, topic="南冲电排站改造", suggestions=[x], leaders=[vera])
    report = supervision.monthly_report_submit(
        key_item=item, actor=henry, period=dt.date(2026, 3, 1), progress="已完成设计"
    )
    inspection = supervision.inspection_create(
        actor=sam, kind=InspectionKind.SITE_VISIT, held_on=dt.date(2026, 3, 10), key_item=item, suggestion=x,
        findings="泵房老化", report="督查报告",
        follow_up_actions=[{"unit": water, "description": "更换水泵", "due_date": dt.date(2026, 6, 30)}],
    )  # fmt: skip
    supervision.inspection_release_report(inspection=inspection, actor=sam)
    plan = handling.plan_record(
        assignment=lead, actor=henry, summary="分步实施",
        steps=[handling.StepInput("现场勘查", "张科长", dt.date(2026, 4, 30))],
    )  # fmt: skip
    core.reply_draft(
        assignment=lead, actor=henry, body="已列入计划。", result_class="B", adoption="adopted", public=False,
        commitments=[{"description": "年底前完工", "target_date": dt.date(2026, 12, 1)}],
    )  # fmt: skip
    core.reply_approve(assignment=lead, actor=hannah)
    x.refresh_from_db()
    meeting = supervision.inspection_create(
        actor=sam, kind=InspectionKind.FACE_TO_FACE, held_on=dt.date(2026, 3, 20), suggestion=x,
        participants=[alice], answers="说明资金安排",
    )  # fmt: skip
    z = core.suggestion_create(author=alice, title="关于增设排涝泵站的建议", body="草稿。", session=session)
    consultation = handling.consultation_request(suggestion=z, actor=alice, unit=water, question="归哪个部门?")
    group = committees.committee_save(
        actor=sam, name="农业农村专业小组", kind="deputy_group", members=[carol],
        categories=[Category.objects.create(name="农业农村")],
    )  # fmt: skip
    report_publish(actor=sam, year=2026)
    audit_event = audit.record("login", actor=sam)
    campaign = supervision.campaign_save(
        actor=sam, name="督办周", starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 3, 7), key_items=[item]
    )

    y = core.suggestion_create(author=carol, title="关于修缮学校操场的建议", body="操场破损。", session=session)
    core.suggestion_submit(suggestion=y, actor=carol)
    core.suggestion_accept(suggestion=y, actor=sam)
    core.suggestion_assign(suggestion=y, actor=sam, lead_units=[education])
    y_lead = y.assignments.get()
    core.assignment_sign(assignment=y_lead, actor=oscar)
    core.contact_log(
        assignment=y_lead, actor=oscar, phase="before", method="phone", met_by="division",
        contacted_at=timezone.now(), summary="电话沟通",
    )  # fmt: skip
    core.reply_draft(assignment=y_lead, actor=oscar, body="已修缮。", result_class="A", adoption="adopted", public=True)
    core.reply_approve(assignment=y_lead, actor=olga)
    assert selectors.published_suggestions().filter(pk=y.pk).exists()
    assert not selectors.published_suggestions().filter(pk=x.pk).exists()

    from dashboards.services import snapshot_freeze

    snapshot = snapshot_freeze(actor=sam, year=2026)
    notification = Notification.objects.filter(recipient=henry).first() or Notification.objects.create(
        recipient=henry, kind="assigned", suggestion=x
    )
    delivery = Delivery.objects.first()
    reply = lead.replies.get()
    link = x.supervisor_links.get()

    def args(kind: str, which: str) -> dict:
        s, a = (x, lead) if which == "x" else (y, y_lead)
        return {
            "suggestion": {"pk": s.pk},
            "assignment": {"pk": a.pk},
            "assignment_id": {"assignment_id": a.pk},
            "contact": {"pk": contact.pk},
            "commitment": {"pk": reply.commitments.get().pk},
            "deadline": {"pk": Deadline.objects.get(assignment=lead, kind="reply").pk},
            "unit": {"pk": water.pk},
            "key_item": {"pk": item.pk},
            "monthly_report": {"pk": report.pk},
            "inspection": {"pk": inspection.pk},
            "meeting": {"pk": meeting.pk},
            "follow_up_action": {"pk": inspection.follow_up_actions.get().pk},
            "supervisor_link": {"pk": link.pk},
            "supervisor_link_page": {"pk": x.pk, "link_pk": link.pk},
            "campaign": {"pk": campaign.pk},
            "notification": {"pk": notification.pk},
            "delivery": {"pk": delivery.pk if delivery else 1},
            "snapshot": {"pk": snapshot.pk},
            "reply": {"pk": x.pk, "reply_pk": reply.pk},
            "attachment": {"pk": x.attachments.first().pk},
            "suggestion_action": {"pk": s.pk, "action": "submit"},
            "assignment_action": {"pk": a.pk, "action": "sign"},
            "drill": {},
            "inspection_new": {},
            "consultation": {"pk": consultation.pk},
            "committee": {"pk": group.pk},
            "audit_event": {"pk": audit_event.pk},
            "deputy": {"pk": alice.pk},
            "report_year": {"year": 2026},
            "plan_step": {"pk": plan.steps.get().pk},
        }[kind]

    queries = {
        "drill": "?metric=registered&year=2026",
        "inspection_new": f"?suggestion={x.pk}",
    }
    return {"args": args, "queries": queries}


def url_for(route: Route, kind: str | None, which: str, data) -> str:
    kwargs = data["args"](kind, which) if kind else {}
    return reverse(route.name, kwargs=kwargs) + data["queries"].get(kind or "", "")


@pytest.fixture
def users(
    alice,
    bob,
    carol,
    henry,
    hannah,
    ivan,
    oscar,
    sam,
    victor,
    water,
    finance,
    education,
    session_2026,
):
    return {
        "alice": alice, "bob": bob, "carol": carol, "henry": henry, "hannah": hannah, "ivan": ivan, "oscar": oscar,
        "sam": sam, "victor": victor, "water": water, "finance": finance, "education": education,
        "session": session_2026,
        "vera": make_user("vera", Role.SUPERVISOR, full_name="韦拉"),
        "olga": make_user("olga", Role.UNIT_HEAD, education, full_name="奥尔加"),
    }  # fmt: skip


def test_every_route_has_a_row():
    missing = [r for r in routes() if r.name not in TABLE]
    assert not missing, "\n".join(
        f"new route {r.pattern} ({r.name}) has no row in the permission table" for r in missing
    )
    stale = set(TABLE) - {r.name for r in routes()}
    assert not stale, f"rows for routes that no longer exist: {sorted(stale)}"


def test_the_table_has_a_rule_for_every_role():
    for name, (_kind, x_rule, y_rule) in TABLE.items():
        for rule in (x_rule, y_rule):
            if rule is not None:
                assert set(rule) == set(ROLES), name


@time_machine.travel(dt.datetime(2026, 3, 25, 10, 0, tzinfo=TZ), tick=False)
def test_permission_matrix(users):
    data = build(users)
    clients = {"anonymous": Client()}
    for role, username in USERS.items():
        clients[role] = Client()
        clients[role].force_login(users[username])
    wrong = []
    sent = 0
    for route in routes():
        # Throttles (the open data's, the token's) count per address in the cache; the matrix asks
        # about permissions, so each route starts with fresh counters.
        cache.clear()
        kind, x_rule, y_rule = TABLE[route.name]
        for which, rule in (("x", x_rule), ("y", y_rule)):
            if rule is None:
                continue
            url = url_for(route, kind, which, data)
            for role in ASKED_OF_TWO.get(route.name, ROLES):
                status = clients[role].get(url).status_code
                sent += 1
                if status != rule[role]:
                    wrong.append(f"{route.name} [{which}] as {role}: GET {url} -> {status}, table says {rule[role]}")
    assert not wrong, f"{len(wrong)} of {sent} answers differ from the table:\n" + "\n".join(wrong)
