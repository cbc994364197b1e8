"""Users made in the admin go through the same service as the API: a deputy gets its profile."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import DeputyProfile, User


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "Long-enough-pw-9"))
    return client


def _add(client, **fields):
    data = {
        "username": "dora",
        "usable_password": "true",
        "password1": "Long-enough-pw-9",
        "password2": "Long-enough-pw-9",
        "full_name": "杜拉",
        "role": "deputy",
        "unit": "",
        **fields,
    }
    return client.post("/admin/accounts/user/add/", data)


def test_a_deputy_created_in_the_admin_has_a_profile(admin_client):
    response = _add(admin_client)
    assert response.status_code == 302, response.content.decode()[:2000]
    dora = User.objects.get(username="dora")
    assert dora.check_password("Long-enough-pw-9")
    assert DeputyProfile.objects.filter(user=dora).exists()


def test_a_unit_user_without_a_unit_is_refused_at_the_field(admin_client):
    response = _add(admin_client, role="unit_handler")
    assert response.status_code == 200
    assert "unit" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="dora").exists()


def test_making_a_user_a_deputy_in_the_admin_gives_the_profile(admin_client, water):
    hugo = User.objects.create_user("hugo", password="Long-enough-pw-9", role="unit_handler", unit=water)
    response = admin_client.get(f"/admin/accounts/user/{hugo.pk}/change/")
    data = {k: v for k, v in response.context["adminform"].form.initial.items() if v is not None}
    data.update({"role": "deputy", "unit": "", "date_joined_0": "2026-01-05", "date_joined_1": "09:00:00"})
    data.update({"deputy_profile-TOTAL_FORMS": "0", "deputy_profile-INITIAL_FORMS": "0"})
    data.pop("password", None)
    data.pop("last_login", None)
    data.pop("groups", None)
    data.pop("user_permissions", None)
    response = admin_client.post(f"/admin/accounts/user/{hugo.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert DeputyProfile.objects.filter(user=hugo).exists()
