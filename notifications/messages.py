"""Message texts, rendered in the reader's language from the params stored with each notification."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from suggestions.models import DeadlineKind

from .models import Kind


def _deadline_label(kind: str) -> str:
    try:
        return str(DeadlineKind(kind).label)
    except ValueError:
        return kind


def _suggestion(params: dict[str, Any]) -> str:
    """The suggestion as the active language names it: number and quoted title (《》 in Chinese)."""
    title = params.get("suggestion_title")
    if not title:
        return params.get("suggestion", "")  # rows written before number and title were stored apart
    quoted = _("“%(title)s”") % {"title": title}
    number = params.get("suggestion_number")
    return _("%(number)s %(quoted_title)s") % {"number": number, "quoted_title": quoted} if number else quoted


def render_message(kind: str, params: dict[str, Any]) -> str:
    """The one-line message for `kind` in the active language; unknown params render as blanks."""
    p = {
        "what": _deadline_label(params.get("deadline_kind", "")),
        "suggestion": _suggestion(params),
        "unit": params.get("unit", ""),
        "due": params.get("due", ""),
        "days": int(params.get("days") or 0),
        "text": params.get("text", ""),
        "decision": "",
    }
    if kind == Kind.DUE_SOON:
        return (
            ngettext(
                "%(what)s for %(suggestion)s is due on %(due)s (%(days)s working day left).",
                "%(what)s for %(suggestion)s is due on %(due)s (%(days)s working days left).",
                p["days"],
            )
            % p
        )
    if kind == Kind.DUE_TODAY:
        return _("%(what)s for %(suggestion)s is due today (%(due)s).") % p
    if kind == Kind.OVERDUE:
        return (
            ngettext(
                "%(what)s for %(suggestion)s is %(days)s day overdue (due %(due)s).",
                "%(what)s for %(suggestion)s is %(days)s days overdue (due %(due)s).",
                p["days"],
            )
            % p
        )
    if kind == Kind.ESCALATION:
        return (
            ngettext(
                "Escalation: %(unit)s — %(what)s for %(suggestion)s is %(days)s day overdue (due %(due)s).",
                "Escalation: %(unit)s — %(what)s for %(suggestion)s is %(days)s days overdue (due %(due)s).",
                p["days"],
            )
            % p
        )
    if kind == Kind.URGE:
        return _("Urge notice for %(suggestion)s: %(text)s") % p
    if kind == Kind.ASSIGNED:
        return _("%(suggestion)s has been assigned to %(unit)s. Please sign for it.") % p
    if kind == Kind.RETURN_DECIDED:
        if params.get("approved"):
            return _("Your request to return %(suggestion)s was approved.") % p
        return _("Your request to return %(suggestion)s was refused; please handle it.") % p
    if kind == Kind.EXTENSION_DECIDED:
        if params.get("approved"):
            return _("Your extension request for %(suggestion)s was approved; new due date %(due)s.") % p
        return _("Your extension request for %(suggestion)s was refused.") % p
    if kind == Kind.REPLIED:
        return _("%(unit)s has replied to %(suggestion)s. Please read the reply and evaluate it.") % p
    if kind == Kind.EVALUATED:
        return _("The deputy has evaluated the handling of %(suggestion)s.") % p
    if kind == Kind.REHANDLING:
        return _("%(suggestion)s must be handled again.") % p
    if kind == Kind.DRAFTED_FOR_YOU:
        return _("The deputy-affairs office has entered %(suggestion)s for you. Please check it and submit it.") % p
    if kind == Kind.COSIGN_INVITE:
        return _("You are invited to co-sign %(suggestion)s.") % p
    if kind == Kind.INSPECTION_REPORT:
        return (
            _("The inspection report on %(suggestion)s has been released; read its findings and follow-up actions.") % p
        )
    if kind == Kind.INSTRUCTION:
        return _("A supervising leader has given an instruction on %(suggestion)s: %(text)s") % p
    return p["suggestion"] or kind


def render_in(language: str, kind: str, params: dict[str, Any]) -> str:
    with override(language or settings.LANGUAGE_CODE):
        return render_message(kind, params)


def suggestion_url(suggestion_id: int | None) -> str:
    base = settings.SITE_URL.rstrip("/")
    return f"{base}/suggestions/{suggestion_id}/" if suggestion_id else f"{base}/notifications/"
