"""Shared personas, the cast that bundles them, and small factories for every app's tests.

Suggestions in a given state are built by `testing.factories.suggestion_in_state(state, cast=cast)`,
which drives the real services (no status is written by hand).

alice leads suggestions, bob co-signs, carol is a deputy with nothing to do with them;
henry handles and hannah heads the lead unit (水务局), ivan handles and iris heads the co-unit
(财政局), oscar handles an unrelated unit (教育局); sam is deputy-affairs staff; victor supervises.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from accounts.models import DeputyProfile, Role, Unit, User
from suggestions.models import Category, CongressSession

PASSWORD = "pw-for-tests-1"


def make_unit(code: str, name: str | None = None, **kw) -> Unit:
    return Unit.objects.create(code=code, name=name or f"{code}局", **kw)


def make_user(username: str, role: str, unit: Unit | None = None, **kw) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        unit=unit,
        full_name=kw.pop("full_name", username.title()),
        **kw,
    )
    if role == Role.DEPUTY:
        DeputyProfile.objects.create(user=user, delegation="蓬江区代表团", term=16, phone="13800000000")
    return user


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2 makes every persona cost a third of a second; tests do not need slow hashes.
    # (The one place for this: every app's tests run under the root conftest.)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # DRF's throttles (the token endpoint's) count in the cache, which outlives a test; start each at zero.
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _cold_list_plans():
    # Lists keep unit sizes and count estimates a few minutes per process; each test starts without.
    from suggestions.selectors import forget_list_plans

    forget_list_plans()
    yield


@pytest.fixture
def session_2026(db):
    return CongressSession.objects.create(term=16, number=4, year=2026, start_date=dt.date(2026, 1, 10))


@pytest.fixture
def category(db):
    return Category.objects.create(name="城乡建设")


@pytest.fixture
def water(db):
    return make_unit("SWJ", "水务局")


@pytest.fixture
def finance(db):
    return make_unit("CZJ", "财政局")


@pytest.fixture
def education(db):
    return make_unit("JYJ", "教育局")


@pytest.fixture
def alice(db):
    return make_user("alice", Role.DEPUTY, full_name="李爱丽")


@pytest.fixture
def bob(db):
    return make_user("bob", Role.DEPUTY, full_name="包博")


@pytest.fixture
def carol(db):
    return make_user("carol", Role.DEPUTY, full_name="陈卡罗")


@pytest.fixture
def henry(water):
    return make_user("henry", Role.UNIT_HANDLER, water, full_name="何亨利")


@pytest.fixture
def hannah(water):
    return make_user("hannah", Role.UNIT_HEAD, water, full_name="韩汉娜")


@pytest.fixture
def ivan(finance):
    return make_user("ivan", Role.UNIT_HANDLER, finance, full_name="伊万")


@pytest.fixture
def iris(finance):
    return make_user("iris", Role.UNIT_HEAD, finance, full_name="艾瑞丝")


@pytest.fixture
def oscar(education):
    return make_user("oscar", Role.UNIT_HANDLER, education, full_name="欧斯卡")


@pytest.fixture
def sam(db):
    return make_user("sam", Role.STAFF, full_name="沈安")


@pytest.fixture
def victor(db):
    return make_user("victor", Role.SUPERVISOR, full_name="魏克多")


@pytest.fixture
def api():
    """An API client factory: api(user) is logged in as that user, api() is anonymous."""

    def make(user: User | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@dataclass
class Cast:
    """Every persona, unit, the session and a category in one object (`cast.alice`, `cast["water"]`)."""

    alice: User
    bob: User
    carol: User
    henry: User
    hannah: User
    ivan: User
    iris: User
    oscar: User
    sam: User
    victor: User
    water: Unit
    finance: Unit
    education: Unit
    session: CongressSession
    category: Category

    def __getitem__(self, name: str):
        return getattr(self, name)


@pytest.fixture
def cast(
    alice, bob, carol, henry, hannah, ivan, iris, oscar, sam, victor, water, finance, education, session_2026, category
):
    return Cast(
        alice=alice, bob=bob, carol=carol, henry=henry, hannah=hannah, ivan=ivan, iris=iris, oscar=oscar, sam=sam,
        victor=victor, water=water, finance=finance, education=education, session=session_2026, category=category,
    )  # fmt: skip
