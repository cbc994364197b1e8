"""The notifications API of SPEC section 9 and the urge notice (催办函)."""

import pytest

from notifications.models import Kind, Notification
from suggestions.models import AssignmentStatus, Event


def notify(user, n=1, **kw):
    return [Notification.objects.create(recipient=user, kind=kw.get("kind", Kind.OVERDUE), params={"days": i})
            for i in range(n)]  # fmt: skip


@pytest.mark.django_db
def test_list_shows_only_my_own_in_fixed_queries(api, henry, hannah, django_assert_num_queries):
    notify(henry, 3)
    notify(hannah, 2)
    with django_assert_num_queries(2):  # count + page
        r = api(henry).get("/api/v1/notifications/")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 3
    assert set(body["results"][0]) == {"id", "kind", "suggestion", "message", "read", "created_at"}
    notify(henry, 20)
    with django_assert_num_queries(2):
        r = api(henry).get("/api/v1/notifications/?page_size=50")
    assert r.json()["count"] == 23


@pytest.mark.django_db
def test_filters_and_anonymous(api, henry):
    [n1, _n2] = notify(henry, 2)
    n1.read_at = n1.created_at
    n1.save()
    assert api(henry).get("/api/v1/notifications/?read=false").json()["count"] == 1
    assert api(henry).get("/api/v1/notifications/?read=true").json()["count"] == 1
    assert api(henry).get("/api/v1/notifications/?kind=urge").json()["count"] == 0
    assert api().get("/api/v1/notifications/").status_code in (401, 403)


@pytest.mark.django_db
def test_mark_read_own_only_and_repeat(api, henry, hannah):
    [n] = notify(henry)
    assert api(hannah).post(f"/api/v1/notifications/{n.pk}/read/").status_code == 404
    r = api(henry).post(f"/api/v1/notifications/{n.pk}/read/")
    assert r.status_code == 200 and r.json()["read"] is True
    first = Notification.objects.get(pk=n.pk).read_at
    assert api(henry).post(f"/api/v1/notifications/{n.pk}/read/").status_code == 200
    assert Notification.objects.get(pk=n.pk).read_at == first
    assert api(henry).post("/api/v1/notifications/999999/read/").status_code == 404


@pytest.fixture
def assignment(make_suggestion, make_assignment, water, henry, hannah):
    return make_assignment(make_suggestion(), water, status=AssignmentStatus.ACCEPTED)


@pytest.mark.django_db
def test_staff_urge_is_on_the_timeline_and_reaches_the_unit(api, sam, assignment, henry, hannah, ivan):
    r = api(sam).post(f"/api/v1/assignments/{assignment.pk}/urge/", {"message": "请于本周内答复代表。"}, format="json")
    assert r.status_code == 201, r.content
    event = Event.objects.get(action="urge")
    assert event.detail == {"assignment": assignment.pk, "unit": assignment.unit_id, "message": "请于本周内答复代表。"}
    assert r.json() == {"assignment": assignment.pk, "event": event.pk, "notified": 2}
    for user in (henry, hannah):
        n = Notification.objects.get(recipient=user)
        assert n.kind == Kind.URGE and "请于本周内答复代表" in n.message
    assert not Notification.objects.filter(recipient=ivan).exists()
    # A second urge is a second notice (a new timeline event), not a duplicate of the first.
    assert (
        api(sam).post(f"/api/v1/assignments/{assignment.pk}/urge/", {"message": "再次催办"}, format="json").status_code
        == 201
    )
    assert Notification.objects.filter(recipient=henry).count() == 2


@pytest.mark.django_db
def test_urge_wrong_role_outsider_bad_input_and_closed(api, sam, henry, oscar, carol, assignment):
    url = f"/api/v1/assignments/{assignment.pk}/urge/"
    assert api(henry).post(url, {"message": "x"}, format="json").status_code == 403
    assert api(oscar).post(url, {"message": "x"}, format="json").status_code == 404
    assert api(carol).post(url, {"message": "x"}, format="json").status_code == 404
    r = api(sam).post(url, {"message": "  "}, format="json")
    assert r.status_code == 400 and "message" in r.json()
    r = api(sam).post(url, {"message": "x" * 2001}, format="json")
    assert r.status_code == 400 and "message" in r.json()
    assert api(sam).post("/api/v1/assignments/999999/urge/", {"message": "x"}, format="json").status_code == 404
    assignment.status = AssignmentStatus.REPLIED
    assignment.save()
    assert api(sam).post(url, {"message": "x"}, format="json").status_code == 409
    assert not Event.objects.filter(action="urge").exists()
