"""Fixtures for the core's tests: a fast password hasher and the whole cast in one object."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.models import Unit, User
from suggestions.models import Category, CongressSession


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Each test creates a dozen users; the default PBKDF2 would make the matrix take minutes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Cast:
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
