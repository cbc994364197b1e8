"""Supervision (督办): supervisors, key suggestions and their "五个一" regime, inspections, campaigns.

Due dates live in `suggestions.Deadline` rows owned (generic relation) by the objects here; whether
something is late is derived from those rows, never stored on these models.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, Unit
from suggestions.models import Rating, Suggestion

User = settings.AUTH_USER_MODEL


class SuggestionSupervisor(models.Model):
    """A supervising leader attached to one suggestion by staff (督办领导)."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="supervisor_links")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="supervised_links")
    assigned_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("suggestion supervisor (督办领导)")
        verbose_name_plural = _("suggestion supervisors (督办领导)")
        constraints = [
            # A second click on "attach" cannot create a second link.
            models.UniqueConstraint(fields=["suggestion", "user"], name="unique_suggestion_supervisor"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.suggestion_id}"


class KeyItemStatus(models.TextChoices):
    ACTIVE = "active", _("Under supervision")
    COMPLETED = "completed", _("Completed")


class KeySuggestion(models.Model):
    """重点督办事项: one or more suggestions chosen by the chair's council (主任会议) for a year."""

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    topic = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    suggestions = models.ManyToManyField(Suggestion, verbose_name=_("suggestions"), related_name="key_items")
    leaders = models.ManyToManyField(
        User, verbose_name=_("supervising leaders (领衔督办)"), related_name="led_key_items", blank=True
    )
    committee = models.CharField(_("responsible committee (一建议一工委)"), max_length=100, blank=True)
    # The committee as a record (its members follow the item); `committee` keeps its name as text.
    committee_ref = models.ForeignKey(
        "Committee",
        verbose_name=_("committee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="key_items",
    )
    government_leader = models.CharField(
        _("government leader who leads the handling (领办)"), max_length=100, blank=True
    )
    council_meeting = models.CharField(_("council meeting that chose it (主任会议)"), max_length=200, blank=True)
    council_date = models.DateField(_("council meeting date"), null=True, blank=True)
    work_plan = models.TextField(_("work plan"), blank=True, max_length=20000)
    status = models.CharField(_("status"), max_length=20, choices=KeyItemStatus.choices, default=KeyItemStatus.ACTIVE)
    # The "五个一" regime counts from this day (the month it was created unless staff say otherwise).
    regime_starts_on = models.DateField(_("tracking regime starts on"))
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("key suggestion (重点督办事项)")
        verbose_name_plural = _("key suggestions (重点督办事项)")
        ordering = ["-year", "id"]

    def __str__(self) -> str:
        return f"{self.year} {self.topic}"


class Milestone(models.Model):
    """A step of a key item's work plan (工作方案) with its target date."""

    key_item = models.ForeignKey(KeySuggestion, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    target_date = models.DateField(_("target date"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone (工作节点)")
        verbose_name_plural = _("milestones (工作节点)")
        ordering = ["target_date", "id"]

    def __str__(self) -> str:
        return self.title


class MonthlyReport(models.Model):
    """一月一情况: the lead unit's status report on a key item for one month."""

    key_item = models.ForeignKey(KeySuggestion, on_delete=models.CASCADE, related_name="monthly_reports")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="monthly_reports")
    period = models.DateField(_("month"), help_text=_("First day of the month reported on"))
    progress = models.TextField(_("progress"), max_length=10000)
    problems = models.TextField(_("problems"), blank=True, max_length=5000)
    next_steps = models.TextField(_("next steps"), blank=True, max_length=5000)
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("monthly status report (一月一情况)")
        verbose_name_plural = _("monthly status reports (一月一情况)")
        ordering = ["-period", "id"]
        constraints = [
            # Two concurrent submissions for the same month cannot both land.
            models.UniqueConstraint(fields=["key_item", "unit", "period"], name="one_monthly_report_per_unit_month"),
        ]

    def __str__(self) -> str:
        return f"{self.key_item_id} {self.unit} {self.period:%Y-%m}"


class HalfYearReport(models.Model):
    """半年一汇报: the report on a key item to the standing committee."""

    key_item = models.ForeignKey(KeySuggestion, on_delete=models.CASCADE, related_name="half_year_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    reported_on = models.DateField(_("reported on"))
    meeting = models.CharField(_("standing committee meeting"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), max_length=20000)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("half-year report (半年一汇报)")
        verbose_name_plural = _("half-year reports (半年一汇报)")
        constraints = [models.UniqueConstraint(fields=["key_item", "year"], name="one_half_year_report_per_year")]

    def __str__(self) -> str:
        return f"{self.key_item_id} {self.year}"


class YearEndScore(models.Model):
    """One committee member's or deputy's form in the year-end evaluation (年度一测评)."""

    key_item = models.ForeignKey(KeySuggestion, on_delete=models.CASCADE, related_name="year_end_scores")
    year = models.PositiveSmallIntegerField(_("year"))
    scorer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="year_end_scores")
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices)
    score = models.PositiveSmallIntegerField(_("score (0-100)"))
    comment = models.TextField(_("comment"), blank=True, max_length=5000)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("year-end evaluation form")
        verbose_name_plural = _("year-end evaluation forms")
        constraints = [
            models.UniqueConstraint(fields=["key_item", "year", "scorer"], name="one_year_end_score_per_scorer"),
            models.CheckConstraint(condition=Q(score__lte=100), name="year_end_score_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.key_item_id} {self.year} {self.scorer_id}"


class YearEndResult(models.Model):
    """The recorded result of a key item's year-end evaluation, computed from the forms when staff close it."""

    key_item = models.ForeignKey(KeySuggestion, on_delete=models.CASCADE, related_name="year_end_results")
    year = models.PositiveSmallIntegerField(_("year"))
    forms = models.PositiveIntegerField(_("forms"))
    average_score = models.DecimalField(_("average score"), max_digits=5, decimal_places=1)
    satisfied = models.PositiveIntegerField(_("satisfied"))
    basically_satisfied = models.PositiveIntegerField(_("basically satisfied"))
    unsatisfied = models.PositiveIntegerField(_("unsatisfied"))
    result = models.CharField(_("result"), max_length=20, choices=Rating.choices)
    note = models.TextField(_("note"), blank=True, max_length=5000)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("year-end evaluation result (年度一测评)")
        verbose_name_plural = _("year-end evaluation results (年度一测评)")
        constraints = [models.UniqueConstraint(fields=["key_item", "year"], name="one_year_end_result_per_year")]

    def __str__(self) -> str:
        return f"{self.key_item_id} {self.year} {self.result}"


class InspectionKind(models.TextChoices):
    SITE_VISIT = "site_visit", _("Site visit (现场查看)")
    UNANNOUNCED = "unannounced", _("Unannounced visit (暗访)")
    SPOT_CHECK = "spot_check", _("Spot check (飞行检查)")
    FORUM = "forum", _("Forum (座谈)")
    FACE_TO_FACE = "face_to_face", _("Face-to-face meeting (三个面对面)")
    LOOK_BACK = "look_back", _("Look-back (回头看)")
    SECOND_ACCEPTANCE = "second_acceptance", _("Second acceptance (二次验收)")


# Kinds that concern one suggestion's deputies and so need a suggestion.
SUGGESTION_KINDS = (InspectionKind.FACE_TO_FACE, InspectionKind.LOOK_BACK, InspectionKind.SECOND_ACCEPTANCE)


class Verdict(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


class Inspection(models.Model):
    """督查 of every kind. An unannounced visit is invisible to the unit until its report is released."""

    kind = models.CharField(_("kind"), max_length=20, choices=InspectionKind.choices)
    key_item = models.ForeignKey(
        KeySuggestion, null=True, blank=True, on_delete=models.CASCADE, related_name="inspections"
    )
    suggestion = models.ForeignKey(
        Suggestion, null=True, blank=True, on_delete=models.CASCADE, related_name="inspections"
    )
    units = models.ManyToManyField(Unit, verbose_name=_("inspected units"), related_name="inspections", blank=True)
    held_on = models.DateField(_("date"))
    participants = models.ManyToManyField(
        User, verbose_name=_("participants"), related_name="inspections_attended", blank=True
    )
    other_participants = models.CharField(_("other participants"), max_length=500, blank=True)
    findings = models.TextField(_("findings"), blank=True, max_length=20000)
    report = models.TextField(_("written report"), blank=True, max_length=20000)
    report_released_at = models.DateTimeField(_("report released at"), null=True, blank=True)
    released_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Face-to-face meetings (三个面对面): what the unit answered and what the deputies think now.
    answers = models.TextField(_("what was answered"), blank=True, max_length=20000)
    renewed_opinions = models.TextField(_("deputies' renewed opinions"), blank=True, max_length=20000)
    # Second acceptance (二次验收) only.
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection (督查)")
        verbose_name_plural = _("inspections (督查)")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["kind", "report_released_at"], name="inspection_kind_released")]
        constraints = [
            models.CheckConstraint(
                condition=Q(key_item__isnull=False) | Q(suggestion__isnull=False), name="inspection_has_subject"
            ),
            models.CheckConstraint(
                condition=Q(kind="second_acceptance", verdict__in=["pass", "fail"])
                | (~Q(kind="second_acceptance") & Q(verdict="")),
                name="verdict_iff_second_acceptance",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"

    @property
    def released(self) -> bool:
        return self.report_released_at is not None

    @property
    def hidden_from_units(self) -> bool:
        return self.kind == InspectionKind.UNANNOUNCED and self.report_released_at is None


class FollowUpAction(models.Model):
    """整改事项: what an inspection asks a unit to do, a deadline for the unit once the report is released."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="follow_up_actions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="follow_up_actions")
    description = models.TextField(_("description"), max_length=5000)
    due_date = models.DateField(_("due date"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    done_note = models.TextField(_("what was done"), blank=True, max_length=5000)

    class Meta:
        verbose_name = _("follow-up action (整改事项)")
        verbose_name_plural = _("follow-up actions (整改事项)")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["unit", "done_at"], name="followup_unit_done")]

    def __str__(self) -> str:
        return self.description[:50]


class Instruction(models.Model):
    """批示: a supervising leader's written instruction on a suggestion or a key item."""

    suggestion = models.ForeignKey(
        Suggestion, null=True, blank=True, on_delete=models.CASCADE, related_name="instructions"
    )
    key_item = models.ForeignKey(
        KeySuggestion, null=True, blank=True, on_delete=models.CASCADE, related_name="instructions"
    )
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="instructions")
    text = models.TextField(_("instruction"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("instruction (批示)")
        verbose_name_plural = _("instructions (批示)")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(key_item__isnull=False) | Q(suggestion__isnull=False), name="instruction_has_subject"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:50]


class Campaign(models.Model):
    """督办周: a supervision campaign with its dates, the items it covered and its outcome."""

    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    key_items = models.ManyToManyField(KeySuggestion, verbose_name=_("key items"), related_name="campaigns", blank=True)
    suggestions = models.ManyToManyField(
        Suggestion, verbose_name=_("suggestions"), related_name="campaigns", blank=True
    )
    outcome = models.TextField(_("outcome"), blank=True, max_length=20000)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supervision campaign (督办周)")
        verbose_name_plural = _("supervision campaigns (督办周)")
        ordering = ["-starts_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_dates")]

    def __str__(self) -> str:
        return self.name


class CommitteeKind(models.TextChoices):
    SPECIAL = "special_committee", _("Special committee (专门委员会)")
    WORKING = "working_committee", _("Working committee (工作委员会)")
    DEPUTY_GROUP = "deputy_group", _("Deputies' professional group (代表专业小组)")


# Who may sit on a committee or professional group: deputies, staff and supervisors, never a
# handling unit's people (the roster service refuses them; the visibility rule relies on it).
COMMITTEE_MEMBER_ROLES = (Role.DEPUTY, Role.STAFF, Role.SUPERVISOR)


class Committee(models.Model):
    """专门委员会 / 工作委员会 / 代表专业小组: follows the suggestions of the categories it supervises.

    Its members (deputies, staff, supervisors) read those suggestions and record supervision on them;
    key items may be assigned to it (一建议一工委).
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CommitteeKind.choices)
    members = models.ManyToManyField(User, verbose_name=_("members"), related_name="committees", blank=True)
    categories = models.ManyToManyField(
        "suggestions.Category", verbose_name=_("categories it supervises"), related_name="committees", blank=True
    )
    description = models.TextField(_("description"), blank=True, max_length=5000)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("committee (专门委员会 / 工作委员会 / 代表专业小组)")
        verbose_name_plural = _("committees (专门委员会 / 工作委员会 / 代表专业小组)")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name
