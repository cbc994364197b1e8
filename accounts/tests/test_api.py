"""accounts API: token, me, units and users (SPEC section 9)."""

from __future__ import annotations

import pytest

from accounts.models import DeputyProfile, User
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_token_then_me(api, henry):
    client = api()
    response = client.post("/api/v1/auth/token/", {"username": "henry", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = client.get("/api/v1/me/").json()
    assert me == {
        "id": henry.pk,
        "username": "henry",
        "full_name": "何亨利",
        "role": "unit_handler",
        "unit": henry.unit_id,
    }


@pytest.mark.parametrize("payload", [{"username": "henry", "password": "wrong"}, {"username": "henry"}, {}])
def test_bad_credentials_are_400(api, henry, payload):
    assert api().post("/api/v1/auth/token/", payload, format="json").status_code == 400


def test_anonymous_is_401(api):
    for url in ("/api/v1/me/", "/api/v1/units/", "/api/v1/users/"):
        assert api().get(url).status_code == 401, url


def test_units_read_by_all_written_by_staff(api, sam, alice, henry, water):
    payload = {"name": "住建局", "code": "ZJJ", "kind": "government"}
    assert api(alice).post("/api/v1/units/", payload, format="json").status_code == 403
    assert api(henry).post("/api/v1/units/", payload, format="json").status_code == 403
    created = api(sam).post("/api/v1/units/", payload, format="json")
    assert created.status_code == 201
    body = created.json()
    assert {"id", "name", "code", "kind", "parent", "active"} <= set(body)
    assert api(alice).get(f"/api/v1/units/{body['id']}/").status_code == 200
    patched = api(sam).patch(f"/api/v1/units/{body['id']}/", {"parent": water.pk}, format="json")
    assert patched.status_code == 200 and patched.json()["parent"] == water.pk
    assert api(henry).patch(f"/api/v1/units/{water.pk}/", {"name": "改名"}, format="json").status_code == 403


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": "水务局", "code": "NEW", "kind": "government"}, "name"),  # duplicate
        ({"name": "新单位", "code": "SWJ", "kind": "government"}, "code"),  # duplicate
        ({"name": "新单位", "code": "NEW", "kind": "ministry"}, "kind"),
        ({"name": "", "code": "NEW"}, "name"),
        ({"name": "新单位", "code": "NEW", "parent": 987654}, "parent"),
    ],
)
def test_unit_bad_input_is_400_naming_the_field(api, sam, water, payload, field):
    response = api(sam).post("/api/v1/units/", payload, format="json")
    assert response.status_code == 400 and field in response.json(), response.content


def test_a_unit_cannot_be_its_own_parent(api, sam, water):
    response = api(sam).patch(f"/api/v1/units/{water.pk}/", {"parent": water.pk}, format="json")
    assert response.status_code == 400 and "parent" in response.json()


def test_staff_create_users(api, sam, water):
    deputy = api(sam).post(
        "/api/v1/users/",
        {"username": "dora", "password": "Long-enough-pw-9", "full_name": "杜拉", "role": "deputy"},
        format="json",
    )
    assert deputy.status_code == 201, deputy.content
    assert "password" not in deputy.json()
    dora = User.objects.get(username="dora")
    assert dora.check_password("Long-enough-pw-9") and DeputyProfile.objects.filter(user=dora).exists()
    handler = api(sam).post(
        "/api/v1/users/",
        {"username": "hugo", "password": "Long-enough-pw-9", "role": "unit_handler", "unit": water.pk},
        format="json",
    )
    assert handler.status_code == 201 and handler.json()["unit"] == water.pk
    listed = api(sam).get("/api/v1/users/?role=unit_handler").json()["results"]
    assert [u["username"] for u in listed] == ["hugo"]


def test_only_staff_manage_users(api, alice, henry, victor):
    payload = {"username": "x1", "password": "Long-enough-pw-9", "role": "deputy"}
    for who in (alice, henry, victor):
        assert api(who).post("/api/v1/users/", payload, format="json").status_code == 403
        assert api(who).get("/api/v1/users/").status_code == 403
    assert not User.objects.filter(username="x1").exists()


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"role": "unit_handler"}, "unit"),  # a unit user needs a unit
        ({"role": "deputy", "unit": "UNIT"}, "unit"),  # only unit users belong to one
        ({"role": "emperor"}, "role"),
        ({"role": "deputy", "password": "123"}, "password"),
        ({"role": "deputy", "username": "alice"}, "username"),  # taken
        ({"role": "unit_head", "unit": 987654}, "unit"),
    ],
)
def test_user_bad_input_is_400_naming_the_field(api, sam, alice, water, extra, field):
    payload = {"username": "newbie", "password": "Long-enough-pw-9", **extra}
    if payload.get("unit") == "UNIT":
        payload["unit"] = water.pk
    before = User.objects.count()
    response = api(sam).post("/api/v1/users/", payload, format="json")
    assert response.status_code == 400 and field in response.json(), response.content
    assert User.objects.count() == before


def test_superuser_acts_as_staff(api, db):
    root = User.objects.create_superuser("root", "root@example.org", "Long-enough-pw-9")
    assert root.role == "staff" and root.is_office_staff
    assert api(root).post("/api/v1/units/", {"name": "审计局", "code": "SJJ"}, format="json").status_code == 201
