"""Input and output serializers for supervision. Inputs validate shapes only; services decide."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from rest_framework import serializers

from accounts.models import Unit, User
from suggestions.deadlines import deadline_status
from suggestions.models import Deadline, Rating

from .. import selectors
from ..models import (
    Campaign,
    Committee,
    FollowUpAction,
    HalfYearReport,
    Inspection,
    InspectionKind,
    Instruction,
    KeySuggestion,
    Milestone,
    MonthlyReport,
    SuggestionSupervisor,
    Verdict,
    YearEndResult,
    YearEndScore,
)

ACTIVE_USERS = User.objects.filter(is_active=True)


# ---------------------------------------------------------------------------------------------
# Supervisors and instructions


class SupervisorIn(serializers.Serializer):
    suggestion = serializers.IntegerField()
    user = serializers.PrimaryKeyRelatedField(queryset=ACTIVE_USERS)


class SupervisorOut(serializers.ModelSerializer):
    name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = SuggestionSupervisor
        fields = ["id", "suggestion", "user", "name", "assigned_by", "assigned_at"]


class InstructionIn(serializers.Serializer):
    suggestion = serializers.IntegerField(required=False)
    key_item = serializers.IntegerField(required=False)
    text = serializers.CharField(max_length=5000)

    def validate(self, attrs):
        if ("suggestion" in attrs) == ("key_item" in attrs):
            raise serializers.ValidationError({"suggestion": "Give either a suggestion or a key item."})
        return attrs


class InstructionOut(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.display_name", read_only=True)

    class Meta:
        model = Instruction
        fields = ["id", "suggestion", "key_item", "author", "author_name", "text", "created_at"]


# ---------------------------------------------------------------------------------------------
# Key items


class MilestoneIn(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    target_date = serializers.DateField()


class MilestoneOut(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "title", "target_date", "done_at"]


class KeyItemIn(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    topic = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    suggestions = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    leaders = serializers.PrimaryKeyRelatedField(queryset=ACTIVE_USERS, many=True, required=False)
    committee = serializers.CharField(max_length=100, required=False, allow_blank=True)
    committee_ref = serializers.PrimaryKeyRelatedField(
        queryset=Committee.objects.all(), required=False, allow_null=True, help_text="The committee record (id)."
    )
    government_leader = serializers.CharField(max_length=100, required=False, allow_blank=True)
    council_meeting = serializers.CharField(max_length=200, required=False, allow_blank=True)
    council_date = serializers.DateField(required=False, allow_null=True)
    work_plan = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    milestones = MilestoneIn(many=True, required=False)
    regime_starts_on = serializers.DateField(required=False)


class KeyItemUpdateIn(serializers.Serializer):
    topic = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    suggestions = serializers.ListField(child=serializers.IntegerField(), allow_empty=False, required=False)
    leaders = serializers.PrimaryKeyRelatedField(queryset=ACTIVE_USERS, many=True, required=False)
    committee = serializers.CharField(max_length=100, required=False, allow_blank=True)
    committee_ref = serializers.PrimaryKeyRelatedField(
        queryset=Committee.objects.all(), required=False, allow_null=True, help_text="The committee record (id)."
    )
    government_leader = serializers.CharField(max_length=100, required=False, allow_blank=True)
    council_meeting = serializers.CharField(max_length=200, required=False, allow_blank=True)
    council_date = serializers.DateField(required=False, allow_null=True)
    work_plan = serializers.CharField(max_length=20000, required=False, allow_blank=True)


class RegimeDeadlineOut(serializers.ModelSerializer):
    period = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField(help_text="Derived: met, cancelled, overdue, due_today, due_soon, open.")

    class Meta:
        model = Deadline
        fields = ["id", "kind", "party", "unit", "period", "starts_on", "due_date", "satisfied_at", "state"]

    def get_period(self, obj) -> str:
        return (obj.explanation or {}).get("period", "")

    def get_state(self, obj) -> str:
        return deadline_status(obj, self.context.get("today"))


class YearEndResultOut(serializers.ModelSerializer):
    class Meta:
        model = YearEndResult
        fields = [
            "id", "key_item", "year", "forms", "average_score", "satisfied", "basically_satisfied", "unsatisfied",
            "result", "note", "recorded_at",
        ]  # fmt: skip


class KeyItemOut(serializers.ModelSerializer):
    suggestions = serializers.SerializerMethodField()
    leaders = serializers.SerializerMethodField()
    next_due = serializers.DateField(read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField()
    last_report_at = serializers.DateTimeField(read_only=True, allow_null=True)
    flag = serializers.SerializerMethodField(help_text="red / amber / green by next deadline and last report")

    class Meta:
        model = KeySuggestion
        fields = [
            "id", "year", "topic", "status", "suggestions", "leaders", "committee", "committee_ref", "government_leader",
            "council_meeting", "council_date", "regime_starts_on", "next_due", "overdue", "last_report_at", "flag",
            "created_at", "completed_at",
        ]  # fmt: skip

    def get_suggestions(self, obj) -> list[int]:
        return [s.pk for s in obj.suggestions.all()]

    def get_leaders(self, obj) -> list[int]:
        return [u.pk for u in obj.leaders.all()]

    def get_overdue(self, obj) -> int:
        return getattr(obj, "overdue", 0) or 0

    def get_flag(self, obj) -> str:
        today = self.context.get("today") or timezone.localdate()
        return selectors.board_flag(obj, obj.next_due, obj.overdue or 0, obj.last_report_at, today)


class KeyItemDetailOut(KeyItemOut):
    milestones = MilestoneOut(many=True, read_only=True)
    regime = serializers.SerializerMethodField()
    year_end_results = YearEndResultOut(many=True, read_only=True)

    class Meta(KeyItemOut.Meta):
        fields = [*KeyItemOut.Meta.fields, "description", "work_plan", "milestones", "regime", "year_end_results"]

    def get_regime(self, obj) -> list[dict]:
        rows = selectors.key_item_deadlines_for(self.context["request"].user, obj)
        return list(RegimeDeadlineOut(rows, many=True, context=self.context).data)


class CompleteIn(serializers.Serializer):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class MilestoneDoneIn(serializers.Serializer):
    milestone = serializers.IntegerField()


class MonthField(serializers.DateField):
    """A month as `YYYY-MM` (or any date inside it)."""

    def to_internal_value(self, value):
        if isinstance(value, str) and len(value) == 7:
            value = f"{value}-01"
        return super().to_internal_value(value).replace(day=1)


class MonthlyReportIn(serializers.Serializer):
    key_item = serializers.IntegerField()
    period = MonthField(help_text="YYYY-MM")
    progress = serializers.CharField(max_length=10000)
    problems = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    next_steps = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class MonthlyReportOut(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    period = serializers.SerializerMethodField()

    class Meta:
        model = MonthlyReport
        fields = [
            "id", "key_item", "unit", "unit_name", "period", "progress", "problems", "next_steps", "submitted_by",
            "submitted_at",
        ]  # fmt: skip

    def get_period(self, obj) -> str:
        return obj.period.strftime("%Y-%m")


class HalfYearReportIn(serializers.Serializer):
    reported_on = serializers.DateField()
    meeting = serializers.CharField(max_length=200, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=20000)


class HalfYearReportOut(serializers.ModelSerializer):
    class Meta:
        model = HalfYearReport
        fields = ["id", "key_item", "year", "reported_on", "meeting", "summary", "recorded_at"]


class YearEndScoreIn(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    score = serializers.IntegerField(min_value=0, max_value=100)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class YearEndScoreOut(serializers.ModelSerializer):
    class Meta:
        model = YearEndScore
        fields = ["id", "key_item", "year", "scorer", "rating", "score", "comment", "submitted_at"]


class YearEndResultIn(serializers.Serializer):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)


# ---------------------------------------------------------------------------------------------
# Inspections and meetings


class FollowUpIn(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    description = serializers.CharField(max_length=5000)
    due_date = serializers.DateField()


class FollowUpOut(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = FollowUpAction
        fields = ["id", "inspection", "unit", "unit_name", "description", "due_date", "done_at", "done_note"]


class CompleteActionIn(serializers.Serializer):
    note = serializers.CharField(max_length=5000)


class InspectionIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=InspectionKind.choices)
    held_on = serializers.DateField()
    suggestion = serializers.IntegerField(required=False, allow_null=True)
    key_item = serializers.IntegerField(required=False, allow_null=True)
    units = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), many=True, required=False)
    participants = serializers.PrimaryKeyRelatedField(queryset=ACTIVE_USERS, many=True, required=False)
    other_participants = serializers.CharField(max_length=500, required=False, allow_blank=True)
    findings = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    report = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    answers = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    renewed_opinions = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    verdict = serializers.ChoiceField(choices=Verdict.choices, required=False, allow_blank=True)
    follow_up_actions = FollowUpIn(many=True, required=False)


class MeetingIn(serializers.Serializer):
    """三个面对面 between a unit and the deputies of one suggestion."""

    held_on = serializers.DateField()
    suggestion = serializers.IntegerField()
    units = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), many=True, required=False)
    participants = serializers.PrimaryKeyRelatedField(
        queryset=ACTIVE_USERS, many=True, required=False, help_text="who attended (staff, supervisors, deputies)"
    )
    other_participants = serializers.CharField(max_length=500, required=False, allow_blank=True)
    answers = serializers.CharField(max_length=20000, help_text="what the unit answered")
    renewed_opinions = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    findings = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    report = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    follow_up_actions = FollowUpIn(many=True, required=False)


class InspectionOut(serializers.ModelSerializer):
    units = serializers.SerializerMethodField()
    participants = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()
    report = serializers.SerializerMethodField()
    follow_up_actions = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = [
            "id", "kind", "key_item", "suggestion", "units", "held_on", "participants", "other_participants",
            "findings", "report", "report_released_at", "answers", "renewed_opinions", "verdict",
            "follow_up_actions", "created_by", "created_at",
        ]  # fmt: skip

    def _user(self):
        return self.context["request"].user

    def get_units(self, obj) -> list[int]:
        return [u.pk for u in obj.units.all()]

    def get_participants(self, obj) -> list[int]:
        return [u.pk for u in obj.participants.all()]

    def get_findings(self, obj) -> str:
        return obj.findings if selectors.report_visible_to(self._user(), obj) else ""

    def get_report(self, obj) -> str:
        return obj.report if selectors.report_visible_to(self._user(), obj) else ""

    def get_follow_up_actions(self, obj) -> list[dict]:
        user = self._user()
        actions = obj.follow_up_actions.all()
        if user.is_unit_user:
            if obj.report_released_at is None:
                return []
            actions = [a for a in actions if a.unit_id == user.unit_id]
        return list(FollowUpOut(actions, many=True).data)


# ---------------------------------------------------------------------------------------------
# Campaigns and repeated suggestions


class CampaignIn(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    key_items = serializers.PrimaryKeyRelatedField(queryset=KeySuggestion.objects.all(), many=True, required=False)
    suggestions = serializers.ListField(child=serializers.IntegerField(), required=False)
    outcome = serializers.CharField(max_length=20000, required=False, allow_blank=True)


class CampaignOut(serializers.ModelSerializer):
    key_items = serializers.SerializerMethodField()
    suggestions = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = ["id", "name", "starts_on", "ends_on", "key_items", "suggestions", "outcome", "created_at"]

    def get_key_items(self, obj) -> list[int]:
        return [k.pk for k in obj.key_items.all()]

    def get_suggestions(self, obj) -> list[int]:
        return [s.pk for s in obj.suggestions.all()]


class ChainItemOut(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()


class RepeatChainOut(serializers.Serializer):
    count = serializers.IntegerField(help_text="how many times the matter was raised")
    since_year = serializers.IntegerField()
    chain = ChainItemOut(many=True)


class RepeatCandidateOut(ChainItemOut):
    score = serializers.FloatField()


class LinkRepeatIn(serializers.Serializer):
    repeat_of = serializers.IntegerField()


class LinkFollowUpIn(serializers.Serializer):
    look_back = serializers.IntegerField(help_text="id of the look-back (or second acceptance) inspection")


def chain_item(suggestion, title_visible: bool = True) -> dict:
    return {
        "id": suggestion.pk,
        "year": suggestion.session.year,
        "number": suggestion.display_number,
        "title": suggestion.title if title_visible else "",
        "status": suggestion.status,
    }


def parse_date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
