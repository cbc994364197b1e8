"""Every page is translated: no English on a zh-hans page, no Chinese on an English page.

User data (titles, bodies, names, unit and category names, session labels and numbers) is taken
from the database and removed before the check, so only the interface's own words are judged.
An element marked with its own `lang` (the language switch naming the other language) is skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import DeputyProfile, Unit, User
from suggestions import services
from suggestions.models import (
    AssignmentRole,
    Attachment,
    Category,
    Commitment,
    CongressSession,
    Contact,
    Evaluation,
    Opinion,
    Reply,
    Suggestion,
)

from . import web_helpers
from .web_helpers import client_for

make_suggestion = web_helpers.make_suggestion  # the fixture, used by name below

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
# Written in Latin letters in Chinese interfaces too: "20 MB", "导出Excel", "建议ID", "答复(CSV)".
UNIT_SYMBOLS = {"MB", "Excel", "ID", "JSON", "CSV"}  # file formats of the open-data downloads
SKIP_TAGS = {"script", "style"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
TEXT_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


class VisibleText(HTMLParser):
    """The words a person reads or hears: text and labelling attributes, outside other-language parts."""

    def __init__(self):
        super().__init__()
        self.page_lang = ""
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.page_lang = attrs.get("lang", "")
        skip = tag in SKIP_TAGS or bool(attrs.get("lang") and attrs.get("lang") != self.page_lang and tag != "html")
        if not (self._skipping() or skip):
            self.parts.extend(attrs[name] for name in TEXT_ATTRIBUTES if attrs.get(name))
            if tag == "input" and attrs.get("type") in {"submit", "button"} and attrs.get("value"):
                self.parts.append(attrs["value"])
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        while self.stack:
            open_tag, _skip = self.stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        if not self._skipping() and data.strip():
            self.parts.append(data)


def user_data() -> list[str]:
    values: list[str] = []
    for suggestion in Suggestion.objects.select_related("session"):
        values += [suggestion.title, suggestion.body, suggestion.reason, suggestion.closure_note]
        values += [suggestion.display_number, suggestion.session.label]
    values += [s.label for s in CongressSession.objects.all()]
    values += list(Unit.objects.values_list("name", flat=True))
    values += [u.display_name for u in User.objects.all()]
    values += list(DeputyProfile.objects.values_list("delegation", flat=True))
    values += list(Category.objects.values_list("name", flat=True))
    values += list(Reply.objects.values_list("body", flat=True))
    values += list(Reply.objects.values_list("contact_person", flat=True))
    values += list(Contact.objects.values_list("summary", flat=True))
    values += list(Contact.objects.values_list("dispute_note", flat=True))
    values += list(Opinion.objects.values_list("body", flat=True))
    values += list(Evaluation.objects.values_list("comment", flat=True))
    values += list(Attachment.objects.values_list("name", flat=True))
    from suggestions.models import AssignmentRequest

    values += list(AssignmentRequest.objects.values_list("reason", flat=True))
    values += list(Commitment.objects.values_list("description", flat=True))
    lines = {line.strip() for value in values if value for line in str(value).splitlines() if line.strip()}
    return sorted(lines, key=len, reverse=True)


def interface_text(html: str, data: list[str]) -> tuple[str, str]:
    parser = VisibleText()
    parser.feed(html)
    text = "\n".join(parser.parts)
    for value in data:
        text = text.replace(value, " ")
    return parser.page_lang, text


def wrong_language_words(html: str, data: list[str], language: str) -> list[str]:
    """Interface words of the other language on a page that must be in `language` (which it declares)."""
    page_lang, text = interface_text(html, data)
    assert page_lang == language, page_lang
    if language == "en":
        return sorted(set(CJK.findall(text)))
    return sorted(set(ENGLISH_WORD.findall(text)) - UNIT_SYMBOLS)


@pytest.fixture
def pages(make_suggestion, alice, bob, carol, henry, hannah, ivan, iris, oscar, sam, victor, water, finance):
    """(user or None, path, method, data) for the main pages of every role, over varied states."""
    replied = make_suggestion("handling")
    lead = replied.assignments.get(role=AssignmentRole.LEAD)
    co = replied.assignments.get(role=AssignmentRole.CO)
    services.opinion_send(assignment=co, actor=ivan, body="同意配套资金。")
    services.contact_log(assignment=lead, actor=henry, phase="before", method="phone", met_by="staff",
                         contacted_at=timezone.now(), summary="电话沟通。")  # fmt: skip
    services.reply_draft(assignment=lead, actor=henry, body="已列入计划。", result_class="A", adoption="adopted")
    services.reply_approve(assignment=lead, actor=hannah)
    services.contact_dispute(contact=lead.contacts.get(), actor=alice, note="没有接到电话。")
    draft = make_suggestion("draft", title="关于增设社区卫生站的建议")
    submitted = make_suggestion("submitted", title="关于改善农村道路的建议")
    registered = make_suggestion("registered", title="关于加强校园安全的建议")
    handling = make_suggestion("handling", title="关于治理河涌黑臭的建议")
    handling_lead = handling.assignments.get(role=AssignmentRole.LEAD)
    services.assignment_request_extension(
        assignment=handling_lead, actor=henry, reason="需要协调多个部门。",
        due_date=handling_lead.due_date + dt.timedelta(days=30),
    )  # fmt: skip
    services.contact_log(assignment=handling_lead, actor=henry, phase="during", method="meeting", met_by="head",
                         contacted_at=timezone.now(), summary="座谈。")  # fmt: skip
    services.reply_draft(assignment=handling_lead, actor=henry, body="答复草稿。", result_class="B",
                         adoption="partly_adopted", commitments=[{"description": "年底前完成清淤。",
                         "target_date": timezone.localdate() + dt.timedelta(days=60)}])  # fmt: skip

    def detail(s):
        return reverse("suggestion_detail", args=[s.pk])

    return [
        (None, reverse("login"), "get", None),
        (None, reverse("login"), "post", {"username": "alice", "password": "wrong"}),
        (None, reverse("public_list"), "get", None),
        (None, reverse("public_detail", args=[replied.pk]), "get", None),
        (alice, reverse("public_list") + "?q=x", "get", None),
        (alice, "/", "get", None),
        (alice, reverse("my_suggestions"), "get", None),
        (alice, reverse("suggestion_create"), "get", None),
        (alice, reverse("suggestion_create"), "post", {"title": "", "body": ""}),
        (alice, detail(replied), "get", None),
        (alice, detail(draft), "get", None),
        (alice, reverse("suggestion_edit", args=[draft.pk]), "get", None),
        (alice, reverse("password_change"), "get", None),
        (bob, "/", "get", None),
        (bob, detail(draft), "get", None),
        (henry, "/", "get", None),
        *[(henry, reverse("inbox") + f"?tab={tab}", "get", None) for tab in ("to_sign", "overdue", "replied")],
        (henry, detail(replied), "get", None),
        (hannah, "/", "get", None),
        (hannah, detail(handling), "get", None),
        (ivan, detail(replied), "get", None),
        (sam, "/", "get", None),
        (sam, reverse("intake"), "get", None),
        (sam, reverse("suggestion_create"), "get", None),
        (sam, reverse("request_queue"), "get", None),
        (sam, reverse("suggestion_list"), "get", None),
        (sam, reverse("suggestion_list") + "?overdue=on&status=handling", "get", None),
        (sam, reverse("dashboards:overview"), "get", None),
        (sam, detail(submitted), "get", None),
        (sam, detail(handling), "get", None),
        (sam, detail(replied), "get", None),
        (sam, reverse("suggestion_assign", args=[registered.pk]), "get", None),
        (sam, reverse("reply_letter", args=[replied.pk, lead.replies.get().pk]), "get", None),
        (victor, "/", "get", None),
        (oscar, detail(replied), "get", None),  # the 404 page
        (alice, reverse("intake"), "get", None),  # the 403 page
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_untranslated_interface_text(language, pages):
    data = user_data()
    problems = []
    for user, path, method, payload in pages:
        client = client_for(user, language) if user else _anonymous(language)
        response = client.post(path, payload) if method == "post" else client.get(path)
        assert response.status_code in {200, 400, 403, 404}, (path, response.status_code)
        found = wrong_language_words(response.content.decode(), data, language)
        if found:
            who = user.username if user else "anonymous"
            problems.append(f"{who} {method.upper()} {path}: {found[:15]}")
    assert not problems, "\n".join(problems)


def _anonymous(language):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_the_check_catches_an_untranslated_word():
    """The checker itself: English in a zh-hans page and Chinese in an English one are found."""
    _lang, text = interface_text('<html lang="zh-hans"><body><p>提交 Submit</p></body></html>', [])
    assert ENGLISH_WORD.findall(text) == ["Submit"]
    _lang, text = interface_text('<html lang="en"><body><p>Submit 提交</p><b lang="zh-hans">中文</b></body></html>', [])
    assert CJK.findall(text) == ["提", "交"]
