"""Committees and deputies' professional groups (专门委员会 / 工作委员会 / 代表专业小组, SPEC section 12).

Reads ("who may see which committee", its page) and writes (staff keep the roster) in one small
module. What a member may read and record is decided by `selectors.supervised_suggestion_ids`,
which adds the committees' categories to a supervisor's or deputy's suggestions.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from common.errors import ActionConflict, ActionForbidden, ActionInvalid, ActionNotFound
from common.pagination import FastPaginator
from suggestions.models import Category, CongressSession, Suggestion
from suggestions.selectors import keys_part_by_part, suggestion_list, with_row_relations

from .models import COMMITTEE_MEMBER_ROLES, Committee, CommitteeKind, KeySuggestion

MEMBER_ROLES = COMMITTEE_MEMBER_ROLES

# ---------------------------------------------------------------------------------------------
# Reads


def committees_visible_to(user) -> QuerySet[Committee]:
    """Staff and supervisors see every committee; anyone else the committees they sit on."""
    qs = Committee.objects.all()
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_office_staff or user.is_supervisor:
        return qs
    return qs.filter(pk__in=Committee.members.through.objects.filter(user=user).values("committee_id"))


def committee_list(user) -> QuerySet[Committee]:
    """Committees with their categories and members, in a fixed number of queries."""
    return committees_visible_to(user).prefetch_related(
        Prefetch("categories", queryset=Category.objects.select_related("parent").order_by("order", "name")),
        Prefetch("members", queryset=User.objects.order_by("role", "full_name", "username")),
    )


def get_committee_for(user, pk) -> Committee:
    try:
        return committee_list(user).get(pk=int(pk))
    except (Committee.DoesNotExist, ValueError, TypeError, OverflowError):
        raise ActionNotFound(_("Not found.")) from None


def committee_suggestions(user, committee: Committee) -> QuerySet[Suggestion]:
    """Suggestions of the committee's categories (and their sub-categories) the viewer may see."""
    ids = committee.categories.through.objects.filter(committee=committee).values("category_id")
    field = Category.objects.filter(Q(pk__in=ids) | Q(parent_id__in=ids))
    members = {m.pk for m in committee.members.all()}  # prefetched by `committee_list`
    if committee.active and user.pk in members:
        # An active committee's members follow every suggestion of its field (`supervised_suggestion_ids`):
        # the visibility rule would admit each row, so it is not asked row by row.
        visible = with_row_relations(Suggestion.objects.all())
    else:
        visible = suggestion_list(user)
    return visible.filter(category_id__in=field.values("pk")).order_by("-session__year", "-id")


def committee_page(user, committee: Committee, number, per_page: int = 50):
    """One page of `committee_suggestions`: newest session year first, then newest first, read year by
    year (`keys_part_by_part`) with a capped count, so a committee following a field of 150,000
    suggestions does not sort or count them all."""
    rows = committee_suggestions(user, committee)
    years = CongressSession.objects.order_by("-year").values_list("year", flat=True).distinct()
    parts = [Q(session__year=year) for year in years]  # one part per year

    class Pages(FastPaginator):
        def page(self, number):
            number = self.validate_number(number)
            keys = keys_part_by_part(rows, parts, ["-pk"], (number - 1) * self.per_page, self.per_page)
            return self._get_page(rows.filter(pk__in=keys), number, self)

    return Pages(rows, per_page).get_page(number)


def committee_key_items(committee: Committee) -> QuerySet[KeySuggestion]:
    return committee.key_items.prefetch_related("leaders").order_by("-year", "id")


# ---------------------------------------------------------------------------------------------
# Writes (staff)


def _validate(name: str, kind: str, members: Sequence[User]) -> str:
    name = (name or "").strip()
    if not name:
        raise ActionInvalid.field("name", _("This field is required."))
    if len(name) > 100:
        raise ActionInvalid.field("name", _("At most 100 characters."))
    if kind not in CommitteeKind.values:
        raise ActionInvalid.field("kind", _("Choose a kind of committee."))
    if any(m.role not in MEMBER_ROLES and not m.is_superuser for m in members):
        raise ActionInvalid.field("members", _("Members are deputies, staff or supervisors."))
    return name


@transaction.atomic
def committee_save(
    *,
    actor: User,
    name: str,
    kind: str,
    members: Sequence[User] = (),
    categories: Sequence[Category] = (),
    description: str = "",
    active: bool = True,
    committee: Committee | None = None,
) -> Committee:
    """Create a committee or replace its fields, members and categories (staff only)."""
    if not actor.is_office_staff:
        raise ActionForbidden(_("Only deputy-affairs staff may do this."))
    members = list(dict.fromkeys(members))
    name = _validate(name, kind, members)
    if len(description or "") > 5000:
        raise ActionInvalid.field("description", _("At most 5000 characters."))
    try:
        # The savepoint keeps the outer transaction usable after a duplicate name.
        with transaction.atomic():
            if committee is None:
                committee = Committee.objects.create(name=name, kind=kind, description=description, active=active)
            else:
                committee.name, committee.kind = name, kind
                committee.description, committee.active = description, active
                committee.save(update_fields=["name", "kind", "description", "active"])
    except IntegrityError:
        raise ActionConflict(_("A committee of this name exists already.")) from None
    committee.members.set(members)
    committee.categories.set(categories)
    return committee
