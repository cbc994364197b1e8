"""The guards every service starts with: who may act (403) and whether the input is usable (400)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from .errors import ActionForbidden, ActionInvalid


def require(condition: bool, message: str) -> None:
    """403 with `message` unless `condition` holds."""
    if not condition:
        raise ActionForbidden(message)


def require_staff(actor) -> None:
    require(actor.is_office_staff, _("Only deputy-affairs staff may do this."))


def require_text(value: str | None, field: str, *, max_length: int | None = None, required: bool = True) -> str:
    """The stripped text, or a 400 naming `field` when it is missing (if required) or too long."""
    text = (value or "").strip()
    if required and not text:
        raise ActionInvalid.field(field, _("This field is required."))
    if max_length is not None and len(text) > max_length:
        raise ActionInvalid.field(field, _("Ensure this field has at most %(n)d characters.") % {"n": max_length})
    return text


def require_choice(value: str | None, field: str, choices: Iterable[str]) -> str:
    """Enumerations are checked here too: the web forms and workers call services without a serializer."""
    if value not in set(choices):
        raise ActionInvalid.field(field, _("“%(value)s” is not a valid choice.") % {"value": value})
    return value  # type: ignore[return-value]
