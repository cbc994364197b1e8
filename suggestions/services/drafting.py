"""Drafting, co-signing, attachments, submission and withdrawal (deputies)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, Unit, User
from common.errors import ActionConflict, ActionInvalid
from suggestions import deadlines as dl
from suggestions import uploads
from suggestions.models import (
    Attachment,
    Category,
    CongressSession,
    CoSigner,
    CoSignerStatus,
    Reply,
    Suggestion,
)
from suggestions.models import SuggestionStatus as S

from .base import (
    TRANSITIONS,
    _lock,
    _require,
    _require_text,
    _transition,
    event_record,
)

# ---------------------------------------------------------------------------------------------
# Drafting and co-signing (deputies)

ALLOWED_ATTACHMENT_TYPES = {
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-powerpoint": ".ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/ofd": ".ofd",
    "text/plain": ".txt",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
}
ALLOWED_EXTENSIONS = {
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ofd", ".txt",
    ".jpg", ".jpeg", ".png", ".gif", ".webp",
}  # fmt: skip


def validate_attachment(upload, field: str = "attachments") -> str:
    """Check the name, the size and the content; return the content type the content proves."""
    name = getattr(upload, "name", "") or ""
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if ext not in ALLOWED_EXTENSIONS:
        raise ActionInvalid.field(field, _("%(name)s: only document and image files may be attached.") % {"name": name})
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ActionInvalid.field(field, _("%(name)s: an attachment may be at most 20 MB.") % {"name": name})
    sniffed = uploads.sniff(upload)
    if sniffed is None:
        raise ActionInvalid.field(
            field, _("%(name)s: the content of the file is not a %(ext)s file.") % {"name": name, "ext": ext}
        )
    return sniffed


def attachments_add(
    *, suggestion: Suggestion, actor: User, files: Iterable, reply: Reply | None = None, field: str = "attachments"
) -> list:
    files = list(files)
    sniffed = [validate_attachment(upload, field) for upload in files]
    made = []
    for upload, content_type in zip(files, sniffed, strict=True):
        made.append(
            Attachment.objects.create(
                suggestion=suggestion,
                reply=reply,
                file=upload,
                name=upload.name[:200],
                size=upload.size,
                content_type=content_type,
                uploaded_by=actor,
            )
        )
    return made


@transaction.atomic
def suggestion_attach(*, suggestion: Suggestion, actor: User, files: Iterable, field: str = "file") -> list:
    """The lead deputy adds files to their draft; all of them or none are stored."""
    _require(actor.pk == suggestion.lead_deputy_id, _("Only the lead deputy may attach files."))
    _lock(suggestion)
    if suggestion.status != S.DRAFT:
        raise ActionConflict(_("Files can only be attached while the suggestion is a draft."))
    made = attachments_add(suggestion=suggestion, actor=actor, files=files, field=field)
    event_record(suggestion=suggestion, actor=actor, action="attach", detail={"attachments": [a.pk for a in made]})
    return made


def _validate_cosigners(actor: User, co_signer_ids: Sequence[int]) -> list[User]:
    ids = list(dict.fromkeys(int(i) for i in co_signer_ids))
    if actor.pk in ids:
        raise ActionInvalid.field("co_signers", _("The lead deputy cannot co-sign their own suggestion."))
    deputies = list(User.objects.filter(pk__in=ids, role=Role.DEPUTY, is_active=True))
    if len(deputies) != len(ids):
        raise ActionInvalid.field("co_signers", _("Co-signers must be active deputies."))
    return deputies


def _validate_content(title: str | None, body: str | None) -> tuple[str, str]:
    return _require_text(title, "title", max_length=200), _require_text(body, "body", max_length=20000)


@transaction.atomic
def suggestion_create(
    *,
    author: User,
    title: str,
    body: str,
    session: CongressSession,
    category: Category | None = None,
    co_signers: Sequence[int] = (),
    suggested_unit: Unit | None = None,
    confidential: bool = False,
    during_session: bool = True,
    repeat_of: Suggestion | None = None,
    follows_up: Suggestion | None = None,
    attachments: Iterable = (),
    lead_deputy: User | None = None,
) -> Suggestion:
    """A deputy drafts a suggestion (staff may enter one on a deputy's behalf, e.g. from paper)."""
    if author.is_office_staff and lead_deputy is not None:
        lead = lead_deputy
        _require(lead.is_deputy, _("The lead of a suggestion must be a deputy."))
    else:
        _require(author.is_deputy, _("Only deputies may draft suggestions."))
        lead = author
    title, body = _validate_content(title, body)
    deputies = _validate_cosigners(lead, co_signers)
    _require_linkable(author, repeat_of=repeat_of, follows_up=follows_up)
    suggestion = Suggestion.objects.create(
        title=title,
        body=body,
        session=session,
        category=category,
        lead_deputy=lead,
        suggested_unit=suggested_unit,
        confidential=confidential,
        during_session=during_session,
        repeat_of=repeat_of,
        follows_up=follows_up,
    )
    CoSigner.objects.bulk_create([CoSigner(suggestion=suggestion, deputy=d) for d in deputies])
    attachments_add(suggestion=suggestion, actor=author, files=attachments)
    event_record(suggestion=suggestion, actor=author, action="create", to_status=S.DRAFT, detail={"title": title})
    if deputies:
        event_record(
            suggestion=suggestion,
            actor=author,
            action="cosign_invite",
            detail={"deputies": [d.pk for d in deputies]},
        )
    return suggestion


def _require_linkable(actor: User, **links: Suggestion | None) -> None:
    """`repeat_of` / `follows_up` may name only a suggestion the actor may see; the answer for a hidden
    one is the same as for a missing id, so linking cannot be used to probe other deputies' work."""
    from suggestions.selectors import suggestions_visible_to

    for field, target in links.items():
        if target is not None and not suggestions_visible_to(actor).filter(pk=target.pk).exists():
            raise ActionInvalid.field(field, _("Unknown suggestion."))


EDITABLE_FIELDS = (
    "title", "body", "category", "session", "suggested_unit", "confidential", "during_session", "repeat_of",
    "follows_up",
)  # fmt: skip


@transaction.atomic
def suggestion_update(
    *, suggestion: Suggestion, actor: User, co_signers: Sequence[int] | None = None, **changes: Any
) -> Suggestion:
    """Edit a draft (lead deputy only). Changing co-signers re-invites the new ones."""
    _lock(suggestion)
    _require(actor.pk == suggestion.lead_deputy_id, _("Only the lead deputy may edit this suggestion."))
    if suggestion.status != S.DRAFT:
        raise ActionConflict(_("A suggestion can only be edited while it is a draft."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ActionInvalid.field(sorted(unknown)[0], _("This field cannot be changed."))
    _require_linkable(actor, repeat_of=changes.get("repeat_of"), follows_up=changes.get("follows_up"))
    if "title" in changes or "body" in changes:
        changes["title"], changes["body"] = _validate_content(
            changes.get("title", suggestion.title), changes.get("body", suggestion.body)
        )
    changed = []
    for name, value in changes.items():
        if getattr(suggestion, name) != value:
            setattr(suggestion, name, value)
            changed.append(name)
    if changed:
        suggestion.save(update_fields=[*changed, "updated_at"])
    detail: dict[str, Any] = {"fields": changed}
    if co_signers is not None:
        wanted = {d.pk for d in _validate_cosigners(actor, co_signers)}
        current = set(suggestion.cosignatures.values_list("deputy_id", flat=True))
        suggestion.cosignatures.filter(deputy_id__in=current - wanted).delete()
        added = sorted(wanted - current)
        CoSigner.objects.bulk_create([CoSigner(suggestion=suggestion, deputy_id=i) for i in added])
        detail["co_signers_added"] = added
        detail["co_signers_removed"] = sorted(current - wanted)
        if added:
            event_record(suggestion=suggestion, actor=actor, action="cosign_invite", detail={"deputies": added})
    if changed or detail.get("co_signers_added") or detail.get("co_signers_removed"):
        event_record(suggestion=suggestion, actor=actor, action="update", detail=detail)
    return suggestion


@transaction.atomic
def suggestion_cosign(*, suggestion: Suggestion, actor: User, accept: bool) -> CoSigner:
    """An invited co-signer confirms or declines, while the suggestion is a draft."""
    _lock(suggestion)
    row = CoSigner.objects.select_for_update().filter(suggestion=suggestion, deputy=actor).first()
    _require(row is not None, _("Only an invited co-signer may confirm or decline."))
    assert row is not None
    if suggestion.status != S.DRAFT:
        raise ActionConflict(_("Co-signing is only possible while the suggestion is a draft."))
    if row.status != CoSignerStatus.INVITED:
        raise ActionConflict(_("You have already answered this invitation."))
    row.status = CoSignerStatus.CONFIRMED if accept else CoSignerStatus.DECLINED
    row.responded_at = timezone.now()
    row.save(update_fields=["status", "responded_at"])
    event_record(suggestion=suggestion, actor=actor, action="cosign", detail={"accept": bool(accept)})
    return row


@transaction.atomic
def suggestion_submit(*, suggestion: Suggestion, actor: User) -> Suggestion:
    _lock(suggestion)
    _require(actor.pk == suggestion.lead_deputy_id, _("Only the lead deputy may submit."))
    if suggestion.status == S.DRAFT and suggestion.cosignatures.filter(status=CoSignerStatus.INVITED).exists():
        raise ActionConflict(_("Every co-signer must confirm or decline before the suggestion is submitted."))
    _transition(suggestion, "submit", actor, submitted_at=timezone.now())
    return suggestion


@transaction.atomic
def suggestion_consent_withdraw(*, suggestion: Suggestion, actor: User) -> CoSigner:
    """A confirmed co-signer agrees that the lead deputy may withdraw the joint suggestion."""
    _lock(suggestion)
    row = CoSigner.objects.filter(suggestion=suggestion, deputy=actor, status=CoSignerStatus.CONFIRMED).first()
    _require(row is not None, _("Only a co-signer may consent to withdrawal."))
    assert row is not None
    if suggestion.status not in TRANSITIONS["withdraw"][0]:
        raise ActionConflict(_("This suggestion can no longer be withdrawn."))
    if row.withdraw_consent:
        raise ActionConflict(_("You have already consented."))
    row.withdraw_consent = True
    row.save(update_fields=["withdraw_consent"])
    event_record(suggestion=suggestion, actor=actor, action="withdraw_consent")
    return row


@transaction.atomic
def suggestion_withdraw(*, suggestion: Suggestion, actor: User) -> Suggestion:
    """The lead deputy withdraws before the reply; a joint suggestion needs every co-signer's consent."""
    _require(actor.pk == suggestion.lead_deputy_id, _("Only the lead deputy may withdraw."))
    _lock(suggestion)
    if suggestion.status in TRANSITIONS["withdraw"][0]:
        missing = suggestion.cosignatures.filter(status=CoSignerStatus.CONFIRMED, withdraw_consent=False)
        if missing.exists():
            raise ActionConflict(_("Every co-signer must consent before a joint suggestion is withdrawn."))
    _transition(suggestion, "withdraw", actor)
    dl.deadline_cancel(suggestion.deadlines.all())
    return suggestion
