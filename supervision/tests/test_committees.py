"""Committees and deputies' professional groups (SPEC section 12): who sees what, who records,
the API by role, the pages and a walk through them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse

from suggestions.models import Category
from suggestions.selectors import suggestions_visible_to
from supervision import committees
from supervision.models import Committee, CommitteeKind, Inspection, KeySuggestion
from supervision.selectors import can_supervise_suggestion, inspections_visible_to, key_items_visible_to
from testing.factories import suggestion_in_state

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def group(category, carol, sam):
    """A deputies' professional group of carol following the drainage's category."""
    return committees.committee_save(
        actor=sam,
        name="新会区代表城建专业小组",
        kind=CommitteeKind.DEPUTY_GROUP,
        members=[carol],
        categories=[category],
    )


@pytest.fixture
def farming(cast):
    """A suggestion of another category, which the group does not follow."""
    return suggestion_in_state(
        "handling", cast=cast, title="关于农田水利的建议", category=Category.objects.create(name="农业农村")
    )


def test_member_reads_and_supervises_the_suggestions_of_the_committee_categories(drainage, farming, group, carol, bob):
    visible = set(suggestions_visible_to(carol).values_list("pk", flat=True))
    assert drainage.pk in visible and farming.pk not in visible
    assert can_supervise_suggestion(carol, drainage)
    assert not can_supervise_suggestion(carol, farming)
    # bob co-signed the drainage but sits on no committee: a participant, not a supervisor.
    assert not can_supervise_suggestion(bob, drainage)


def test_a_sub_category_is_followed_and_an_inactive_committee_grants_nothing(cast, group, carol, sam):
    child = Category.objects.create(name="市政道路", parent=group.categories.get())
    road = suggestion_in_state("handling", cast=cast, title="关于道路的建议", category=child)
    assert suggestions_visible_to(carol).filter(pk=road.pk).exists()
    Committee.objects.filter(pk=group.pk).update(active=False)
    assert not suggestions_visible_to(carol).filter(pk=road.pk).exists()


def test_supervisor_member_reads_the_categories_beyond_attached_suggestions(drainage, farming, category, victor, sam):
    assert not suggestions_visible_to(victor).filter(pk=drainage.pk).exists()
    committees.committee_save(
        actor=sam, name="城建环保工委", kind=CommitteeKind.WORKING, members=[victor], categories=[category]
    )
    assert suggestions_visible_to(victor).filter(pk=drainage.pk).exists()
    assert not suggestions_visible_to(victor).filter(pk=farming.pk).exists()


def test_member_deputy_records_a_face_to_face_meeting_and_sees_the_inspections(drainage, group, carol, api):
    r = api(carol).post(
        "/api/v1/inspections/",
        {"kind": "face_to_face", "held_on": "2026-05-04", "suggestion": drainage.pk, "findings": "面对面沟通"},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert inspections_visible_to(carol).filter(pk=r.json()["id"]).exists()


def test_non_member_deputy_cannot_record_an_inspection(drainage, group, bob, api):
    r = api(bob).post(
        "/api/v1/inspections/",
        {"kind": "site_visit", "held_on": "2026-05-04", "suggestion": drainage.pk},
        format="json",
    )
    assert r.status_code in (403, 404)
    assert not Inspection.objects.exists()


# ---------------------------------------------------------------------------------------------
# API by role


def test_committees_api_by_role(group, sam, victor, carol, alice, henry, api, category):
    assert api().get("/api/v1/committees/").status_code in (401, 403)
    ids = lambda user: [c["id"] for c in api(user).get("/api/v1/committees/").json()["results"]]  # noqa: E731
    assert ids(sam) == [group.pk] and ids(victor) == [group.pk] and ids(carol) == [group.pk]
    assert ids(alice) == [] and ids(henry) == []
    assert api(alice).get(f"/api/v1/committees/{group.pk}/").status_code == 404
    body = api(carol).get(f"/api/v1/committees/{group.pk}/").json()
    assert body["members"] == [carol.pk] and body["categories"] == [category.pk] and body["kind"] == "deputy_group"


def test_only_staff_create_and_update_committees(sam, victor, carol, alice, category, api):
    payload = {"name": "教科文卫工委", "kind": "working_committee", "members": [alice.pk], "categories": [category.pk]}
    for user in (victor, carol):
        assert api(user).post("/api/v1/committees/", payload, format="json").status_code == 403
    assert not Committee.objects.exists()
    r = api(sam).post("/api/v1/committees/", payload, format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert api(sam).post("/api/v1/committees/", payload, format="json").status_code == 409  # the name is taken
    assert api(sam).post("/api/v1/committees/", {**payload, "kind": "club"}, format="json").status_code == 400
    r = api(sam).patch(f"/api/v1/committees/{pk}/", {"members": [alice.pk, carol.pk]}, format="json")
    assert r.status_code == 200 and sorted(r.json()["members"]) == sorted([alice.pk, carol.pk])
    assert api(alice).patch(f"/api/v1/committees/{pk}/", {"name": "x"}, format="json").status_code == 403
    assert Committee.objects.get(pk=pk).name == "教科文卫工委"


def test_a_unit_user_cannot_be_a_member(sam, henry, category, api):
    r = api(sam).post(
        "/api/v1/committees/", {"name": "工委", "kind": "working_committee", "members": [henry.pk]}, format="json"
    )
    assert r.status_code == 400 and "members" in r.json()


def test_key_item_assigned_to_a_committee_keeps_the_text_field(drainage, group, sam, carol, api):
    r = api(sam).post(
        "/api/v1/key-items/",
        {"year": 2026, "topic": "排涝", "suggestions": [drainage.pk], "committee_ref": group.pk},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["committee"] == group.name and r.json()["committee_ref"] == group.pk
    item = KeySuggestion.objects.get()
    assert key_items_visible_to(carol).filter(pk=item.pk).exists()
    assert list(committees.committee_key_items(group)) == [item]


def test_the_migration_links_key_items_by_committee_name(drainage, sam):
    from importlib import import_module

    migration = import_module("supervision.migrations.0003_key_item_committee_from_name")
    existing = Committee.objects.create(name="城建环保工委", kind=CommitteeKind.WORKING)
    a = KeySuggestion.objects.create(
        year=2026, topic="a", committee="城建环保工委", regime_starts_on=dt.date(2026, 5, 1), created_by=sam
    )
    b = KeySuggestion.objects.create(
        year=2026, topic="b", committee="农工委", regime_starts_on=dt.date(2026, 5, 1), created_by=sam
    )
    c = KeySuggestion.objects.create(year=2026, topic="c", regime_starts_on=dt.date(2026, 5, 1), created_by=sam)
    migration.link_committees(apps, None)
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert a.committee_ref == existing
    assert b.committee_ref.name == "农工委" and b.committee_ref.kind == "working_committee"
    assert c.committee_ref is None


# ---------------------------------------------------------------------------------------------
# Pages


def test_committee_pages_by_role(drainage, group, client, sam, victor, carol, alice, henry):
    for user in (sam, victor, carol):
        client.force_login(user)
        r = client.get(reverse("supervision:committees"))
        assert r.status_code == 200 and group.name in r.content.decode()
        r = client.get(reverse("supervision:committee", args=[group.pk]))
        # The page lists what the viewer may read: victor is no member and not attached to it.
        assert r.status_code == 200 and (drainage.title in r.content.decode()) == (user != victor)
    for user in (alice, henry):
        client.force_login(user)
        assert group.name not in client.get(reverse("supervision:committees")).content.decode()
        assert client.get(reverse("supervision:committee", args=[group.pk])).status_code == 404
    for user in (victor, carol):
        client.force_login(user)
        assert client.get(reverse("supervision:committee_new")).status_code == 403
        assert client.get(reverse("supervision:committee_edit", args=[group.pk])).status_code == 403


def test_committee_page_shows_overdue_suggestions_in_a_fixed_number_of_queries(
    cast, group, carol, client, django_assert_num_queries
):
    due = dt.date(2026, 6, 30)
    for n in range(3):
        suggestion_in_state("handling", cast=cast, title=f"建议{n}", co_unit=False, due_date=due)
    client.force_login(carol)
    client.get(reverse("supervision:committee", args=[group.pk]))
    # The page is read year by year (issue 13): the years, the page's keys, then its rows; the
    # member's committee categories are read once for the visibility rule (no table scan).
    with django_assert_num_queries(13):
        r = client.get(reverse("supervision:committee", args=[group.pk]))
    assert r.status_code == 200
    with time_machine.travel(dt.datetime(2026, 7, 2, tzinfo=dt.UTC), tick=False):
        client.force_login(carol)  # the session of May has expired by July
        assert "badge text-bg-danger" in client.get(reverse("supervision:committee", args=[group.pk])).content.decode()
    suggestion_in_state("handling", cast=cast, title="建议9", co_unit=False, due_date=due)
    with django_assert_num_queries(13):
        client.get(reverse("supervision:committee", args=[group.pk]))


def test_walk_staff_sets_up_a_group_and_a_deputy_member_records_a_meeting(drainage, category, client, sam, carol):
    client.force_login(sam)
    r = client.post(
        reverse("supervision:committee_new"),
        {
            "name": "城建专业小组",
            "kind": "deputy_group",
            "members": [carol.pk],
            "categories": [category.pk],
            "active": "on",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    committee = Committee.objects.get(name="城建专业小组")
    client.force_login(carol)
    page = client.get(reverse("supervision:committee", args=[committee.pk])).content.decode()
    assert drainage.title in page
    assert client.get(reverse("suggestion_detail", args=[drainage.pk])).status_code == 200
    assert client.get(reverse("supervision:suggestion", args=[drainage.pk])).status_code == 200
    r = client.post(
        reverse("supervision:inspection_new") + f"?suggestion={drainage.pk}",
        {"kind": "face_to_face", "held_on": "2026-05-04", "findings": "与代表面对面", "participants": [carol.pk]},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    inspection = Inspection.objects.get()
    assert inspection.created_by == carol and inspection.suggestion == drainage


def test_member_reads_released_replies_that_are_not_public(drainage, group, carol, henry, hannah, water, sam):
    from suggestions import services as core
    from suggestions.selectors import replies_visible_to

    lead = drainage.assignments.get(role="lead")
    core.contact_log(
        assignment=lead, actor=henry, phase="before", method="phone", met_by="staff",
        contacted_at=lead.assigned_at, summary="电话沟通。",
    )  # fmt: skip
    core.reply_draft(assignment=lead, actor=henry, body="内部答复", result_class="A", adoption="adopted", public=False)
    core.reply_approve(assignment=lead, actor=hannah)
    assert [r.body for r in replies_visible_to(carol, drainage)] == ["内部答复"]
    Committee.objects.filter(pk=group.pk).update(active=False)
    assert list(replies_visible_to(carol, drainage)) == []
