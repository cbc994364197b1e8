"""Suggestions (建议) and everything their handling produces.

Status columns are written only by `suggestions.services` (one door per state change); the
timeline (`Event`) is append-only.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit

User = settings.AUTH_USER_MODEL

CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """Chinese numerals, as session labels use them (十六届, 二十一届, 一百零五届); never fails on a
    stored value: 10,000 and more, or a negative number, come out in Arabic digits."""
    if not 0 <= n < 10000:
        return str(n)
    if n < 10:
        return CHINESE_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        head = "" if tens == 1 else CHINESE_DIGITS[tens]
        return f"{head}十{CHINESE_DIGITS[ones] if ones else ''}"
    out, gap = "", False
    for place, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, place)
        if digit:
            out += ("零" if gap else "") + CHINESE_DIGITS[digit] + name
            gap = False
        elif out:
            gap = True
    return out


# Sensible bounds of a session (届次), checked on the way in (API, admin); labels render any stored value.
SESSION_YEAR_MIN, SESSION_YEAR_MAX = 1954, 2100
SESSION_TERM_MAX = SESSION_NUMBER_MAX = 99


class CongressSession(models.Model):
    """届次: the term (届) and the session number (次) of a people's congress."""

    term = models.PositiveSmallIntegerField(
        _("term (届)"), validators=[MinValueValidator(1), MaxValueValidator(SESSION_TERM_MAX)]
    )
    number = models.PositiveSmallIntegerField(
        _("session number (次)"), validators=[MinValueValidator(1), MaxValueValidator(SESSION_NUMBER_MAX)]
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(SESSION_YEAR_MIN), MaxValueValidator(SESSION_YEAR_MAX)]
    )
    start_date = models.DateField(_("opening date"), null=True, blank=True)
    end_date = models.DateField(_("closing date"), null=True, blank=True)

    class Meta:
        verbose_name = _("congress session (届次)")
        verbose_name_plural = _("congress sessions (届次)")
        ordering = ["-term", "-number"]
        constraints = [models.UniqueConstraint(fields=["term", "number"], name="unique_term_session")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return session_label(self.term, self.number)

    def clean(self) -> None:
        errors = session_date_errors(self.year, self.start_date, self.end_date)
        if errors:
            raise ValidationError(errors)


def session_label(term: int, number: int) -> str:
    """十四届二次: how a session is named (also read from plain rows by the API list)."""
    return f"{chinese_number(term)}届{chinese_number(number)}次"


def format_display_number(session_label: str, number: int | None) -> str:
    """十四届二次第0012号: a registered suggestion's number as printed; empty before registration."""
    return f"{session_label}第{number:04d}号" if number else ""


def session_date_errors(year, start_date, end_date) -> dict[str, str]:
    """A session opens and closes in its own year, and closes no earlier than it opens."""
    errors = {}
    for name, day in (("start_date", start_date), ("end_date", end_date)):
        if day is not None and year is not None and day.year != year:
            errors[name] = _("The date must fall in the session's year (%(year)s).") % {"year": year}
    if start_date and end_date and end_date < start_date and "end_date" not in errors:
        errors["end_date"] = _("The session cannot close before it opens.")
    return errors


class Category(models.Model):
    """分类: a small tree (财政经济 / 城乡建设 / …)."""

    name = models.CharField(_("name"), max_length=50)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category (分类)")
        verbose_name_plural = _("categories (分类)")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id and self.parent else self.name


class HolidayOverride(models.Model):
    """A day whose working status staff set by hand, for years the calendar package does not know."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("is a working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("holiday override (节假日调整)")
        verbose_name_plural = _("holiday overrides (节假日调整)")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'workday' if self.is_workday else 'holiday'}"


class DeadlineKind(models.TextChoices):
    ASSIGN = "assign", _("交办 after acceptance")
    SIGN = "sign", _("Sign for the assignment")
    RETURN_WINDOW = "return_window", _("Return request window")
    OPINION = "opinion", _("Co-unit opinion")
    REPLY = "reply", _("Reply")
    REHANDLING_REPLY = "rehandling_reply", _("Re-handling reply")
    EVALUATION = "evaluation", _("Deputy's evaluation")
    COMMITMENT = "commitment", _("Commitment")
    HANDLING_PLAN = "handling_plan", _("Handling plan")
    PLAN_MILESTONE = "plan_milestone", _("Handling plan milestone")
    CONSULTATION = "consultation", _("Pre-submission consultation answer")
    # Supervision kinds (supervision app creates these).
    MONTHLY_REPORT = "monthly_report", _("Monthly status report")
    QUARTERLY_INSPECTION = "quarterly_inspection", _("Quarterly inspection")
    HALF_YEAR_REPORT = "half_year_report", _("Half-year report")
    YEAR_END_EVALUATION = "year_end_evaluation", _("Year-end evaluation")
    INSPECTION_FOLLOW_UP = "inspection_follow_up", _("Inspection follow-up action")
    LOOK_BACK = "look_back", _("Look-back")
    FACE_TO_FACE = "face_to_face", _("Face-to-face meeting")


class DeadlineUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    MONTHS = "months", _("calendar months")


class DeadlineRule(models.Model):
    """Staff-editable length of a deadline kind; a kind without a row uses the built-in default."""

    kind = models.CharField(_("kind"), max_length=30, choices=DeadlineKind.choices, unique=True)
    amount = models.PositiveSmallIntegerField(_("amount"))
    unit = models.CharField(_("unit"), max_length=20, choices=DeadlineUnit.choices)

    class Meta:
        verbose_name = _("deadline rule (办理时限)")
        verbose_name_plural = _("deadline rules (办理时限)")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount} {self.get_unit_display()}"


class SuggestionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REGISTERED = "registered", _("Registered")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    MERGED = "merged", _("Merged")
    ASSIGNED = "assigned", _("Assigned")
    HANDLING = "handling", _("Handling")
    REPLIED = "replied", _("Replied")
    REHANDLING = "rehandling", _("Re-handling")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The states in which a suggestion with a released public reply is published (SPEC section 8).
PUBLISHED_STATUSES = (
    SuggestionStatus.REPLIED,
    SuggestionStatus.REHANDLING,
    SuggestionStatus.FOLLOW_UP,
    SuggestionStatus.CLOSED,
)


class Suggestion(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), max_length=20000)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suggestions",
    )
    session = models.ForeignKey(
        CongressSession, verbose_name=_("session"), on_delete=models.PROTECT, related_name="suggestions"
    )
    during_session = models.BooleanField(_("made during the session (大会期间)"), default=True)
    lead_deputy = models.ForeignKey(
        User, verbose_name=_("lead deputy"), on_delete=models.PROTECT, related_name="led_suggestions"
    )
    co_signers = models.ManyToManyField(
        User, verbose_name=_("co-signers"), through="CoSigner", related_name="cosigned_suggestions", blank=True
    )
    suggested_unit = models.ForeignKey(
        Unit, verbose_name=_("suggested unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confidential = models.BooleanField(_("confidential (不公开)"), default=False)
    repeat_of = models.ForeignKey(
        "self", verbose_name=_("repeat of"), null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats"
    )
    follows_up = models.ForeignKey(
        "self",
        verbose_name=_("follows up"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SuggestionStatus.choices, default=SuggestionStatus.DRAFT, db_index=True
    )
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    complex = models.BooleanField(_("complex (6-month reply)"), default=False)
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    reason = models.TextField(_("reason (rejection or return)"), blank=True)
    keep_as_letter = models.BooleanField(_("kept as a deputy's letter (代表来信)"), default=False)
    closure_note = models.TextField(_("closure note"), blank=True)
    no_evaluation = models.BooleanField(_("closed without evaluation"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Whether a reply of it is published (released and public): the one part of the public rule
    # (SPEC section 8, `selectors.published_suggestions`) that lives on another table. The database
    # keeps it: triggers on replies and assignments (migration 0015) set it in the statement that
    # changes them, whoever issues it; `save` never writes it back.
    has_published_reply = models.BooleanField(
        _("has a published reply"), default=False, db_default=False, editable=False
    )

    class Meta:
        verbose_name = _("suggestion (建议)")
        verbose_name_plural = _("suggestions (建议)")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "number"], condition=Q(number__isnull=False), name="unique_number_per_session"
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status"], name="sugg_session_status"),
            models.Index(fields=["category", "status"], name="sugg_category_status"),
            # The lists' default order, newest first; staff's status filter in the same order.
            models.Index(fields=["-created_at", "-id"], name="sugg_created_id"),
            models.Index(fields=["status", "-created_at", "-id"], name="sugg_status_created_id"),
            # The withdrawn and merged ones (~3 %), which a unit's inbox sets aside: an index-only
            # probe per assignment instead of a visit of its suggestion (`worklists._inbox_base`).
            models.Index(
                fields=["id"],
                condition=Q(status__in=[SuggestionStatus.WITHDRAWN, SuggestionStatus.MERGED]),
                name="sugg_gone_id",
            ),
            # The public list, session by session in number order (`selectors.published_page_keys`):
            # exactly the published rows, so a deep page is a walk of this index alone.
            models.Index(
                fields=["session", "number", "id"],
                condition=Q(confidential=False, status__in=PUBLISHED_STATUSES, has_published_reply=True),
                name="sugg_published_session_number",
            ),
            # The other filters of the lists, in the same order: walking the newest-first index for a
            # session or a category reads every newer row of the others first (20,000 rows for 2024's
            # session at 50,000); confidential ones are few, so a partial index holds them all.
            models.Index(fields=["session", "-created_at", "-id"], name="sugg_session_created_id"),
            models.Index(fields=["category", "-created_at", "-id"], name="sugg_category_created_id"),
            models.Index(
                fields=["-created_at", "-id"], condition=Q(confidential=True), name="sugg_confidential_created_id"
            ),
            # A unit's or a deputy's list sorts its own rows by `created_at`, found by id: from this
            # small index alone rather than a random read of the wide table per row.
            models.Index(fields=["id"], include=["created_at"], name="sugg_id_created_at"),
        ]

    def __str__(self) -> str:
        return f"{self.display_number} {self.title}" if self.number else self.title

    def save(self, *args, **kwargs) -> None:
        # `has_published_reply` belongs to the database's triggers: an instance read before a reply
        # was released or withdrawn must not write its old value back, so an update names the
        # other fields (those loaded; a deferred one is left as Django leaves it).
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "has_published_reply" and f.attname not in deferred
            ]
        super().save(*args, **kwargs)

    @property
    def display_number(self) -> str:
        return format_display_number(self.session.label, self.number) if self.number else ""


class CoSignerStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")


class CoSigner(models.Model):
    """联名代表: a deputy invited to co-sign, and their answer."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="cosignatures")
    deputy = models.ForeignKey(User, on_delete=models.PROTECT, related_name="cosignatures")
    status = models.CharField(
        _("status"), max_length=20, choices=CoSignerStatus.choices, default=CoSignerStatus.INVITED
    )
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    withdraw_consent = models.BooleanField(_("consents to withdrawal"), default=False)

    class Meta:
        verbose_name = _("co-signer (联名代表)")
        verbose_name_plural = _("co-signers (联名代表)")
        constraints = [models.UniqueConstraint(fields=["suggestion", "deputy"], name="unique_cosigner")]
        # A deputy's co-signed suggestions, read from the index alone.
        indexes = [models.Index(fields=["deputy", "suggestion"], name="cosigner_deputy_suggestion")]

    def __str__(self) -> str:
        return f"{self.deputy} → {self.suggestion_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """A random name that says nothing (no suggestion id, no file name); `Attachment.name` keeps the
    original name for display and for the download's Content-Disposition."""
    key = uuid.uuid4().hex
    return f"attachments/{key[:2]}/{key}"


class Attachment(models.Model):
    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="attachments")
    reply = models.ForeignKey("Reply", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead unit (主办)")
    CO = "co", _("Co-unit (会办)")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("To sign")
    ACCEPTED = "accepted", _("Handling")
    RETURN_REQUESTED = "return_requested", _("Return requested")
    RETURNED = "returned", _("Returned")
    AWAITING_SIGNOFF = "awaiting_signoff", _("Awaiting sign-off")
    REPLIED = "replied", _("Replied")
    OPINION_SENT = "opinion_sent", _("Opinion sent")


# The statuses in which an assignment still owes its unit work (signing, handling, a reply or opinion).
OPEN_ASSIGNMENT_STATUSES = (
    AssignmentStatus.PENDING,
    AssignmentStatus.ACCEPTED,
    AssignmentStatus.RETURN_REQUESTED,
    AssignmentStatus.AWAITING_SIGNOFF,
)


# What is not live: a returned assignment (once a return is approved the unit is off the suggestion).
# `AssignmentQuerySet.live()`, `is_live_status` and the list's hand-built subquery all read this.
RETURNED_ASSIGNMENT = {"status": AssignmentStatus.RETURNED}


def is_live_status(status: str) -> bool:
    """What `AssignmentQuerySet.live()` means for one status: every status but returned."""
    return status != RETURNED_ASSIGNMENT["status"]


class AssignmentQuerySet(models.QuerySet):
    def live(self):
        """Assignments that still bind their unit: once a return is approved the unit is off the suggestion."""
        return self.exclude(**RETURNED_ASSIGNMENT)

    def returned(self):
        return self.filter(**RETURNED_ASSIGNMENT)

    def open(self):
        """Live assignments whose unit still owes work on them."""
        return self.filter(status__in=OPEN_ASSIGNMENT_STATUSES)


# The inbox tabs that are a set of statuses (`worklists.INBOX_TABS`), and their partial indexes.
INBOX_STATUS_TABS = {
    "to_sign": (AssignmentStatus.PENDING,),
    "handling": (AssignmentStatus.ACCEPTED, AssignmentStatus.RETURN_REQUESTED),
    "replied": (AssignmentStatus.REPLIED, AssignmentStatus.OPINION_SENT),
    "awaiting_signoff": (AssignmentStatus.AWAITING_SIGNOFF,),
}
INBOX_TAB_INDEXES = [
    ("assignment_inbox_to_sign", INBOX_STATUS_TABS["to_sign"]),
    ("assignment_inbox_handling", INBOX_STATUS_TABS["handling"]),
    ("assignment_inbox_replied", INBOX_STATUS_TABS["replied"]),
    ("assignment_inbox_signoff", INBOX_STATUS_TABS["awaiting_signoff"]),
]


class Assignment(models.Model):
    """交办: one unit's share of a suggestion, as lead (主办) or co-unit (会办)."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("role"), max_length=10, choices=AssignmentRole.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING
    )
    assigned_at = models.DateTimeField(_("assigned at"))
    assigned_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # The unit's current reply due date, kept in step with its open reply Deadline by the services
    # (assignment, extension, re-handling). It stays because lists sort and show it without a join
    # and the extension rules compare against it. Every overdue / due-soon filter and count reads
    # Deadline.objects (overdue(), due_within()), and so does a list row's overdue flag (the open
    # reply deadline, `selectors.with_row_relations`); a row's "next due" date shows this copy.
    due_date = models.DateField(_("due date"))
    original_due_date = models.DateField(_("original due date"))
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment (交办)")
        verbose_name_plural = _("assignments (交办)")
        ordering = ["role", "id"]
        constraints = [
            # A unit holds at most one live assignment per suggestion; a returned one may be re-made.
            models.UniqueConstraint(
                fields=["suggestion", "unit"], condition=~Q(status="returned"), name="unique_live_assignment"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status"], name="assignment_unit_status"),
            # A unit's visible suggestions (what `suggestions_visible_to` asks), read from the index alone.
            models.Index(
                fields=["unit", "suggestion"], condition=~Q(status="returned"), name="assignment_unit_live_sugg"
            ),
            # The inbox's tabs, each in due-date order, read by walking the unit's own rows of that tab;
            # with the suggestion, a tab's capped count is read from the index alone (the withdrawn and
            # merged ones set aside by `sugg_gone_id`): 39 -> 3 ms for the largest unit at 10^6.
            *[
                models.Index(
                    fields=["unit", "due_date", "id"],
                    include=["suggestion"],
                    condition=Q(status__in=statuses),
                    name=name,
                )
                for name, statuses in INBOX_TAB_INDEXES
            ],
            # The due-soon and overdue tabs: the unit's open assignments (with their suggestion, so
            # the index alone is read), matched against the unit's open handling deadlines.
            models.Index(
                fields=["unit", "due_date", "id"],
                include=["suggestion"],
                condition=Q(status__in=OPEN_ASSIGNMENT_STATUSES),
                name="assignment_inbox_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.suggestion_id} → {self.unit} ({self.role})"

    @property
    def is_live(self) -> bool:
        """The row-level twin of `Assignment.objects.live()`: not returned."""
        return is_live_status(self.status)


class RequestKind(models.TextChoices):
    RETURN = "return", _("Return")
    EXTENSION = "extension", _("Extension")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class AssignmentRequest(models.Model):
    """A unit's request to return (退回) an assignment or extend (延期) its deadline, and staff's decision."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(_("kind"), max_length=10, choices=RequestKind.choices)
    reason = models.TextField(_("reason"))
    requested_due_date = models.DateField(_("requested due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    approved_due_date = models.DateField(_("approved due date"), null=True, blank=True)

    class Meta:
        verbose_name = _("return or extension request")
        verbose_name_plural = _("return and extension requests")
        ordering = ["-requested_at"]
        constraints = [
            # One open request of a kind per assignment: a second click cannot queue a duplicate.
            models.UniqueConstraint(
                fields=["assignment", "kind"], condition=Q(status="pending"), name="one_pending_request_per_kind"
            ),
        ]


class ContactPhase(models.TextChoices):
    BEFORE = "before", _("Before handling")
    DURING = "during", _("During handling")
    AFTER = "after", _("After handling")


class ContactMethod(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    SITE_VISIT = "site_visit", _("Site visit")
    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Letter")
    ONLINE = "online", _("Online")


class MetBy(models.TextChoices):
    HEAD = "head", _("Unit head")
    DEPUTY_HEAD = "deputy_head", _("Deputy head")
    DIVISION = "division", _("Division")
    STAFF = "staff", _("Staff")


class Contact(models.Model):
    """沟通记录: 办前有沟通、办中有联系、办后有反馈."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="contacts")
    phase = models.CharField(_("phase"), max_length=10, choices=ContactPhase.choices)
    method = models.CharField(_("method"), max_length=20, choices=ContactMethod.choices)
    met_by = models.CharField(_("met by"), max_length=20, choices=MetBy.choices)
    contacted_at = models.DateTimeField(_("contacted at"))
    summary = models.TextField(_("summary"), max_length=5000)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    disputed = models.BooleanField(_("disputed by the deputy"), default=False)
    dispute_note = models.TextField(_("dispute"), blank=True)
    disputed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("contact (沟通记录)")
        verbose_name_plural = _("contacts (沟通记录)")
        ordering = ["contacted_at", "id"]


class ResultClass(models.TextChoices):
    A = "A", _("A: solved or basically solved")
    B = "B", _("B: being solved or planned")
    C = "C", _("C: to be solved later")
    D = "D", _("D: kept for reference")


class Adoption(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    PARTLY_ADOPTED = "partly_adopted", _("Partly adopted")
    EXPLAINED = "explained", _("Explained")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


class ReplyStatus(models.TextChoices):
    AWAITING_SIGNOFF = "awaiting_signoff", _("Awaiting sign-off")
    RELEASED = "released", _("Released")
    SUPERSEDED = "superseded", _("Superseded")


class Reply(models.Model):
    """答复: drafted by a handler, signed off (签发) by the unit head, then released to the deputy."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="replies")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    body = models.TextField(_("reply text"), max_length=20000)
    result_class = models.CharField(_("result class"), max_length=1, choices=ResultClass.choices)
    adoption = models.CharField(_("adoption"), max_length=20, choices=Adoption.choices)
    public = models.BooleanField(_("public"), default=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReplyStatus.choices, default=ReplyStatus.AWAITING_SIGNOFF
    )
    drafted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(auto_now_add=True)
    signer = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    on_time = models.BooleanField(_("released by the original due date"), null=True)

    class Meta:
        verbose_name = _("reply (答复)")
        verbose_name_plural = _("replies (答复)")
        ordering = ["round", "id"]
        indexes = [models.Index(fields=["status", "released_at"], name="reply_status_released")]


class Opinion(models.Model):
    """会办意见: a co-unit's written opinion to the lead unit(s)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="opinions")
    body = models.TextField(_("opinion"), max_length=20000)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("co-unit opinion (会办意见)")
        verbose_name_plural = _("co-unit opinions (会办意见)")


class Delivery(models.TextChoices):
    DELIVERED = "delivered", _("Delivered")
    NOT_DELIVERED = "not_delivered", _("Not delivered")


class Commitment(models.Model):
    """承诺事项: what a B/C reply promises, tracked like a deadline."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="commitments")
    description = models.TextField(_("description"), max_length=2000)
    target_date = models.DateField(_("target date"))
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    fulfilment_note = models.TextField(_("fulfilment note"), blank=True)
    # 落实: once it falls due, the deputy (or an attached supervisor) confirms whether it was delivered.
    delivery = models.CharField(_("delivery"), max_length=20, choices=Delivery.choices, blank=True, default="")
    delivery_confirmed_at = models.DateTimeField(_("delivery confirmed at"), null=True, blank=True)
    delivery_confirmed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    delivery_note = models.TextField(_("delivery note"), blank=True)

    class Meta:
        verbose_name = _("commitment (承诺事项)")
        verbose_name_plural = _("commitments (承诺事项)")
        ordering = ["target_date", "id"]


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class Evaluation(models.Model):
    """满意度测评 by a deputy for one handling round; only the lead deputy's moves the state."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="evaluations")
    deputy = models.ForeignKey(User, on_delete=models.PROTECT, related_name="evaluations")
    round = models.PositiveSmallIntegerField(_("round"))
    is_lead = models.BooleanField(_("by the lead deputy"))
    attitude = models.CharField(_("attitude (办理态度)"), max_length=20, choices=Rating.choices)
    result = models.CharField(_("result (办理结果)"), max_length=20, choices=Rating.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation (满意度测评)")
        verbose_name_plural = _("evaluations (满意度测评)")
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "deputy", "round"], name="one_evaluation_per_round"),
        ]


class Event(models.Model):
    """The append-only timeline: every transition and every edit, as it happened."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    # Events about an unannounced visit stay hidden from the unit until the report is released.
    hidden_from_units = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["at", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Timeline events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Timeline events are append-only")


class Party(models.TextChoices):
    UNIT = "unit", _("Handling unit")
    DEPUTY = "deputy", _("Deputy")
    STAFF = "staff", _("Staff")


# "Due soon" means due today or within this many calendar days (pages, filters, dashboards alike).
DUE_SOON_DAYS = 7

# An open deadline is neither satisfied nor cancelled; the partial indexes below use the same condition.
OPEN_DEADLINE = Q(satisfied_at__isnull=True, cancelled_at__isnull=True)
# The deadlines a handling unit owes on an assignment: signing, the reply (again when re-handling), a co-unit's opinion.
HANDLING_KINDS = (DeadlineKind.SIGN, DeadlineKind.REPLY, DeadlineKind.REHANDLING_REPLY, DeadlineKind.OPINION)
# The deadlines a list row's "overdue" flag reads: the lead unit's reply, first time or re-handling.
REPLY_DEADLINE_KINDS = (DeadlineKind.REPLY, DeadlineKind.REHANDLING_REPLY)


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        return self.filter(OPEN_DEADLINE)

    def closed(self):
        return self.exclude(OPEN_DEADLINE)

    def overdue(self, today):
        """Open and past their due date on `today` (a local date)."""
        return self.open().filter(due_date__lt=today)

    def owned_by(self, owner):
        """The deadlines a supervision or handling object owns (through the generic relation)."""
        return self.filter(content_type=ContentType.objects.get_for_model(owner), object_id=owner.pk)

    def due_within(self, today, days: int = DUE_SOON_DAYS):
        """Open and due between `today` and `today + days`, both included."""
        return self.open().filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=days))


class Deadline(models.Model):
    """A due date as a first-class record. "Due soon" and "overdue" are derived, never stored."""

    kind = models.CharField(_("kind"), max_length=30, choices=DeadlineKind.choices)
    party = models.CharField(_("due from"), max_length=10, choices=Party.choices)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines")
    suggestion = models.ForeignKey(
        Suggestion, null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines"
    )
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines"
    )
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines"
    )
    # Other owners (supervision objects) through a generic relation.
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    owner = GenericForeignKey("content_type", "object_id")
    starts_on = models.DateField(_("counted from"))
    due_date = models.DateField(_("due date"))
    original_due_date = models.DateField(_("original due date"))
    satisfied_at = models.DateTimeField(_("satisfied at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)
    # The sweeper's trigger column: the next day a reminder stage may fire (reminders app keeps it).
    next_reminder_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("deadline (办理时限)")
        verbose_name_plural = _("deadlines (办理时限)")
        ordering = ["due_date", "id"]
        indexes = [
            # Only open deadlines matter to the sweeper and the dashboards; keep the index small. The sweeper
            # claims in (next_reminder_on, id) order, so a batch is a walk of the index that stops after
            # `batch` rows, not a sort of every due row (100,000 at the end of a long weekend).
            models.Index(
                fields=["next_reminder_on", "id"],
                name="deadline_open_next_reminder",
                condition=OPEN_DEADLINE,
            ),
            models.Index(
                fields=["due_date"],
                name="deadline_open_due",
                condition=OPEN_DEADLINE,
            ),
            models.Index(fields=["unit", "kind"], name="deadline_unit_kind"),
            # What a handling unit owes on its assignments, open: a unit's due-soon and overdue tabs
            # (by unit) and the office's overdue count (by due date), each read from the index alone.
            models.Index(
                fields=["unit", "due_date", "assignment"],
                condition=Q(OPEN_DEADLINE, kind__in=HANDLING_KINDS),
                name="deadline_open_handling_unit",
            ),
            models.Index(
                fields=["due_date", "suggestion"],
                condition=Q(OPEN_DEADLINE, kind__in=HANDLING_KINDS),
                name="deadline_open_handling_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_date}"

    @property
    def is_open(self) -> bool:
        return self.satisfied_at is None and self.cancelled_at is None


class SearchDocument(models.Model):
    """The suggestion's segmented words for full-text search (issue 14), one row per suggestion.

    A side table rather than columns on `Suggestion`, so the hot list rows stay narrow. Two vectors,
    because who may read which replies differs: `vector` holds the title, body and every released
    reply (for staff, the units and the suggestion's own deputies); `public_vector` the title, body
    and released *public* replies only (for everyone else). Written by `suggestions.search`
    inside the transaction that changed the text; GIN indexes are added on PostgreSQL only.
    """

    suggestion = models.OneToOneField(
        Suggestion, primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    vector = SearchVectorField(null=True)
    public_vector = SearchVectorField(null=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
