"""The deputy's record of duty (履职档案, SPEC section 12): reads across the apps, and who may read it.

A deputy reads their own record, staff everyone's, and a delegation's leader (代表团团长) the
records of the deputies of their delegation. Anyone else gets a 404. Every record is built in a
fixed number of queries, whatever the number of suggestions or meetings in it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Role, User
from common.errors import ActionNotFound
from handling.models import Consultation
from suggestions.models import (
    Assignment,
    AssignmentRole,
    CongressSession,
    CoSigner,
    CoSignerStatus,
    Evaluation,
    Reply,
    ReplyStatus,
    ResultClass,
    Suggestion,
    SuggestionStatus,
)
from supervision.models import Committee, Inspection, InspectionKind, KeySuggestion, YearEndScore

# Meetings between deputies and units or the office; every other inspection kind is an inspection.
MEETING_KINDS = (InspectionKind.FACE_TO_FACE, InspectionKind.FORUM)


@dataclass
class Period:
    """The years a record covers: one year, or the years of a term's sessions."""

    years: list[int]
    year: int | None = None
    term: int | None = None

    @property
    def label(self) -> str:
        if self.term is not None:
            return _("Term %(term)s") % {"term": self.term}
        return str(self.year)


def parse_period(*, year: Any = None, term: Any = None, today: dt.date) -> Period:
    """?term= wins over ?year=; anything unreadable falls back to this year (never a 500)."""
    if term not in (None, ""):
        try:
            t = int(term)
        except (TypeError, ValueError):
            t = None
        if t is not None:
            years = sorted(set(CongressSession.objects.filter(term=t).values_list("year", flat=True)))
            return Period(years=years, term=t)
    try:
        y = int(year) if year not in (None, "") else today.year
    except (TypeError, ValueError):
        y = today.year
    if not 2000 <= y <= 2100:
        y = today.year
    return Period(years=[y], year=y)


def deputies_visible_to(user) -> QuerySet[User]:
    qs = User.objects.filter(role=Role.DEPUTY).select_related("deputy_profile")
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_office_staff:
        return qs
    if user.is_deputy:
        profile = getattr(user, "deputy_profile", None)
        if profile is not None and profile.is_delegation_leader and profile.delegation:
            return qs.filter(Q(pk=user.pk) | Q(deputy_profile__delegation=profile.delegation))
        return qs.filter(pk=user.pk)
    return qs.none()


def other_deputies_visible_to(user, deputy: User) -> QuerySet[User]:
    """The deputies beside `deputy` that `user` may see (a deputy's or leader's delegation list)."""
    return deputies_visible_to(user).exclude(pk=deputy.pk)


def get_deputy_for(user, pk) -> User:
    try:
        return deputies_visible_to(user).get(pk=int(pk))
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        raise ActionNotFound(_("Not found.")) from None


def terms() -> list[int]:
    return sorted(set(CongressSession.objects.values_list("term", flat=True)), reverse=True)


@dataclass
class SuggestionLine:
    suggestion: Suggestion
    reply_classes: list[str]
    rating: Evaluation | None


@dataclass
class Record:
    deputy: User
    period: Period
    led: list[SuggestionLine] = field(default_factory=list)
    cosigned: list[SuggestionLine] = field(default_factory=list)
    consultations: list[Consultation] = field(default_factory=list)
    inspections: list[Inspection] = field(default_factory=list)
    meetings: list[Inspection] = field(default_factory=list)
    committees: list[Committee] = field(default_factory=list)
    key_items: list[KeySuggestion] = field(default_factory=list)
    year_end_scores: list[YearEndScore] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        lines = self.led + self.cosigned
        return {
            "led": len(self.led),
            "cosigned": len(self.cosigned),
            "replied": sum(1 for line in lines if line.reply_classes),
            "solved": sum(1 for line in lines if ResultClass.A in line.reply_classes),
            "rated": sum(1 for line in lines if line.rating is not None),
            "consultations": len(self.consultations),
            "inspections": len(self.inspections),
            "meetings": len(self.meetings),
            "committees": len(self.committees),
        }


def _suggestion_lines(qs: QuerySet[Suggestion], deputy: User) -> list[SuggestionLine]:
    """Suggestions with the classes of their released lead replies and the deputy's last rating."""
    released = Reply.objects.filter(status=ReplyStatus.RELEASED, released_at__isnull=False)
    rows = qs.select_related("session", "category").prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.live()
            .filter(role=AssignmentRole.LEAD)
            .prefetch_related(Prefetch("replies", queryset=released, to_attr="released_replies")),
            to_attr="lead_assignments",
        ),
        Prefetch(
            "evaluations",
            queryset=Evaluation.objects.filter(deputy=deputy).order_by("-round", "-id"),
            to_attr="own_evaluations",
        ),
    )
    lines = []
    for s in rows.order_by("-session__year", "number", "id"):
        classes = sorted({r.result_class for a in s.lead_assignments for r in a.released_replies})
        lines.append(SuggestionLine(s, classes, s.own_evaluations[0] if s.own_evaluations else None))
    return lines


def deputy_record(deputy: User, period: Period) -> Record:
    years = period.years
    not_draft = ~Q(status=SuggestionStatus.DRAFT)
    record = Record(deputy=deputy, period=period)
    record.led = _suggestion_lines(
        Suggestion.objects.filter(not_draft, lead_deputy=deputy, session__year__in=years), deputy
    )
    confirmed = CoSigner.objects.filter(suggestion=OuterRef("pk"), deputy=deputy, status=CoSignerStatus.CONFIRMED)
    record.cosigned = _suggestion_lines(
        Suggestion.objects.filter(not_draft, Exists(confirmed), session__year__in=years), deputy
    )
    record.consultations = list(
        Consultation.objects.filter(asked_by=deputy, asked_at__year__in=years)
        .select_related("unit", "suggestion")
        .order_by("-asked_at", "-id")
    )
    attended = list(
        Inspection.objects.filter(participants=deputy, held_on__year__in=years)
        .select_related("suggestion", "key_item")
        .order_by("-held_on", "-id")
    )
    record.meetings = [i for i in attended if i.kind in MEETING_KINDS]
    record.inspections = [i for i in attended if i.kind not in MEETING_KINDS]
    record.committees = list(deputy.committees.filter(active=True).order_by("kind", "name"))
    record.key_items = list(
        KeySuggestion.objects.filter(year__in=years)
        .filter(Q(committee_ref__members=deputy) | Q(year_end_scores__scorer=deputy))
        .select_related("committee_ref")
        .distinct()
        .order_by("-year", "id")
    )
    record.year_end_scores = list(
        YearEndScore.objects.filter(scorer=deputy, year__in=years).select_related("key_item").order_by("-year", "id")
    )
    return record


# ---------------------------------------------------------------------------------------------
# Everyone's record for a year (staff's workbook): grouped counts, one query per column group.

EXPORT_COLUMNS = (
    "led",
    "cosigned",
    "replied",
    "solved",
    "consultations",
    "inspections",
    "meetings",
)


def records_summary(year: int) -> list[tuple[User, dict[str, int], list[str]]]:
    """Each deputy with their counts for the year and the committees they sit on."""
    deputies = list(
        User.objects.filter(role=Role.DEPUTY).select_related("deputy_profile").order_by("full_name", "username")
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(EXPORT_COLUMNS, 0))
    in_year = Suggestion.objects.filter(session__year=year).exclude(status=SuggestionStatus.DRAFT)
    released = Reply.objects.filter(
        assignment__suggestion=OuterRef("pk"),
        assignment__role=AssignmentRole.LEAD,
        status=ReplyStatus.RELEASED,
        released_at__isnull=False,
    )
    solved = released.filter(result_class=ResultClass.A)
    for row in (
        in_year.annotate(r=Exists(released), a=Exists(solved))
        .values("lead_deputy")
        .annotate(n=Count("id"), replied=Count("id", filter=Q(r=True)), solved=Count("id", filter=Q(a=True)))
    ):
        c = counts[row["lead_deputy"]]
        c["led"], c["replied"], c["solved"] = row["n"], row["replied"], row["solved"]
    cosigned = (
        CoSigner.objects.filter(status=CoSignerStatus.CONFIRMED, suggestion__in=in_year)
        .values("deputy")
        .annotate(n=Count("id"))
    )
    for row in cosigned:
        counts[row["deputy"]]["cosigned"] = row["n"]
    for row in Consultation.objects.filter(asked_at__year=year).values("asked_by").annotate(n=Count("id")):
        counts[row["asked_by"]]["consultations"] = row["n"]
    through = Inspection.participants.through.objects.filter(inspection__held_on__year=year)
    for row in through.values("user", "inspection__kind").annotate(n=Count("id")):
        key = "meetings" if row["inspection__kind"] in MEETING_KINDS else "inspections"
        counts[row["user"]][key] += row["n"]
    committees: dict[int, list[str]] = defaultdict(list)
    memberships = Committee.members.through.objects.filter(committee__active=True).values_list(
        "user_id", "committee__name"
    )
    for user_id, name in memberships.order_by("committee__name"):
        committees[user_id].append(name)
    return [(d, counts[d.pk], committees[d.pk]) for d in deputies]
