"""Writes for accounts: the one door through which a user comes to exist (API, admin, demo alike).

A deputy always has a `DeputyProfile` (delegation, card number, contact); creating the user here
creates the profile in the same transaction, whichever screen the office used.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.errors import ActionInvalid

from .models import UNIT_ROLES, DeputyProfile, Role, Unit, User


def user_role_errors(role: str, unit: Unit | None) -> dict[str, list[str]]:
    """Field errors of a role and unit that do not go together (empty when they do)."""
    if role in UNIT_ROLES and unit is None:
        return {"unit": [_("A unit user must belong to a unit.")]}
    if role not in UNIT_ROLES and unit is not None:
        return {"unit": [_("Only unit users belong to a unit.")]}
    return {}


def _check(role: str, unit: Unit | None, password: str | None, user: User | None = None) -> None:
    errors = user_role_errors(role, unit)
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise ActionInvalid(_("Check the highlighted fields."), errors=errors)


@transaction.atomic
def user_register(user: User, *, password: str | None = None) -> User:
    """Save a new user built by a form (the admin's, whose password is already set) and give a deputy
    its profile. `password`, when given, is checked and set here."""
    _check(user.role, user.unit, password, user)
    if password is not None:
        user.set_password(password)
    user.save()
    profile_ensure(user)
    return user


def user_create(
    *,
    username: str,
    password: str,
    role: str = Role.DEPUTY,
    unit: Unit | None = None,
    full_name: str = "",
    email: str = "",
) -> User:
    """Create a user with one role (unit users with their unit) and, for a deputy, the profile."""
    user = User(username=username, role=role, unit=unit, full_name=full_name, email=User.objects.normalize_email(email))
    return user_register(user, password=password)


def profile_ensure(user: User) -> DeputyProfile | None:
    """A deputy's profile, created when missing (a user made a deputy later gets one too)."""
    if user.role != Role.DEPUTY:
        return None
    profile, _created = DeputyProfile.objects.get_or_create(user=user)
    return profile
