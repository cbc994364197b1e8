"""Reads behind a suggestion's detail page and its assignment form; visibility as in `selectors`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from common.errors import ActionNotFound

from . import selectors
from .models import (
    Assignment,
    AssignmentRequest,
    AssignmentRole,
    Attachment,
    Commitment,
    Contact,
    CoSigner,
    Evaluation,
    Opinion,
    Reply,
    Suggestion,
)
from .visibility import supervised_q


@dataclass(frozen=True)
class PageAccess:
    """What the detail page decides about its reader once per request, and hands to every part of
    the page (replies, timeline, handling and supervision panels) instead of each asking again.

    `participated`: the reader may read the whole record (`selectors.suggestion_participated_by`);
    `supervised`: one of the registered supervision providers says the reader supervises it
    (`visibility.supervised_q`: attached supervisor, key-item leader, committee member)."""

    participated: bool
    supervised: bool


def suggestion_for_page(user: User, pk: int | str) -> tuple[Suggestion, PageAccess]:
    """`selectors.get_suggestion_for` and the reader's `PageAccess`, in one query (and the reader's
    committees' categories read once, for both rules): a 404 where `get_suggestion_for` gives one."""
    base = Suggestion.objects.select_related("session", "lead_deputy", "category")
    if not user.is_authenticated:
        return selectors.get_suggestion_for(user, pk), PageAccess(participated=False, supervised=False)
    if user.is_office_staff:
        try:
            return base.get(pk=int(pk)), PageAccess(participated=True, supervised=True)
        except (Suggestion.DoesNotExist, ValueError, TypeError):
            raise ActionNotFound(_("Not found.")) from None
    supervised = supervised_q(user)
    participation = selectors.participation_q(user, supervised)
    # Units as in `get_suggestion_for`: their own work or any published one; everyone else the
    # same (their participation or the public rule).
    qs = base.filter(participation | selectors.public_q()).annotate(
        participated=ExpressionWrapper(participation, output_field=BooleanField()),
        supervised=ExpressionWrapper(supervised, output_field=BooleanField()),
    )
    try:
        suggestion = qs.get(pk=int(pk))
    except (Suggestion.DoesNotExist, ValueError, TypeError):
        raise ActionNotFound(_("Not found.")) from None
    return suggestion, PageAccess(participated=bool(suggestion.participated), supervised=bool(suggestion.supervised))


def evaluations_of(suggestion: Suggestion) -> list[Evaluation]:
    return list(Evaluation.objects.filter(suggestion=suggestion).select_related("deputy").order_by("round", "id"))


def detail_assignments(user: User, suggestion: Suggestion) -> tuple[list[Assignment], list[Assignment]]:
    """(the assignments the page shows `user`, the live ones among them), with contacts, opinions and requests.

    A unit sees its own live share; a lead unit also sees the live co-units, whose opinions it must
    reflect. Everyone else who may see the suggestion sees every assignment, returned ones included.
    """
    assignments = list(
        Assignment.objects.filter(suggestion=suggestion)
        .select_related("unit")
        .prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.order_by("contacted_at", "id")),
            Prefetch("opinions", queryset=Opinion.objects.select_related("author")),
            Prefetch("requests", queryset=AssignmentRequest.objects.select_related("requested_by")),
        )
        .order_by("role", "id")
    )
    live = [a for a in assignments if a.is_live]
    if user.is_unit_user:
        own = [a for a in live if a.unit_id == user.unit_id]
        is_lead_unit = any(a.role == AssignmentRole.LEAD for a in own)
        assignments = [a for a in live if a in own or (is_lead_unit and a.role == AssignmentRole.CO)]
        live = assignments
    return assignments, live


def cosignatures_of(suggestion: Suggestion) -> list[CoSigner]:
    return list(suggestion.cosignatures.select_related("deputy").order_by("id"))


def reply_rows(user: User, suggestion: Suggestion, *, participated: bool | None = None) -> QuerySet[Reply]:
    """The replies the user may read on the page or as a letter, with their unit and signer."""
    return selectors.replies_visible_to(user, suggestion, participated=participated).select_related(
        "assignment__unit", "signer"
    )


def live_assignments_of(suggestion: Suggestion) -> list[Assignment]:
    return list(Assignment.objects.live().filter(suggestion=suggestion).select_related("unit"))


def suggestion_attachments(suggestion: Suggestion) -> list[Attachment]:
    """The suggestion's own files (a reply's files are shown with the reply)."""
    return list(suggestion.attachments.filter(reply__isnull=True).order_by("id"))


def get_attachment_for(user: User, pk: int) -> Attachment:
    """A file `user` may download: a participant of its suggestion (the public never gets files), and a reply's file follows the reply's
    visibility (a unit's draft is not the deputy's yet)."""
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise ActionNotFound(_("Not found."))
    suggestion = selectors.get_suggestion_participated_for(user, attachment.suggestion_id)
    if (
        attachment.reply_id is not None
        and not selectors.replies_visible_to(user, suggestion).filter(pk=attachment.reply_id).exists()
    ):
        raise ActionNotFound(_("Not found."))
    return attachment


def get_contact_for(user: User, pk: int) -> tuple[Contact, Suggestion]:
    """A contact record and its suggestion, or not found when `user` may not see the suggestion."""
    contact = Contact.objects.select_related("assignment").filter(pk=pk).first()
    if contact is None:
        raise ActionNotFound(_("Not found."))
    return contact, selectors.get_suggestion_participated_for(user, contact.assignment.suggestion_id)


def get_commitment_for(user: User, pk: int) -> tuple[Commitment, Suggestion]:
    commitment = Commitment.objects.select_related("reply__assignment").filter(pk=pk).first()
    if commitment is None:
        raise ActionNotFound(_("Not found."))
    assignment = selectors.get_assignment_for(user, commitment.reply.assignment_id)
    return commitment, selectors.get_suggestion_participated_for(user, assignment.suggestion_id)
