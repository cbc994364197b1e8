"""Input and output serializers. Inputs only validate shapes; no serializer writes `status`."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Unit, User
from suggestions.models import (
    Adoption,
    Assignment,
    AssignmentRequest,
    Attachment,
    Category,
    Commitment,
    CongressSession,
    Contact,
    ContactMethod,
    ContactPhase,
    CoSigner,
    CoSignerStatus,
    Deadline,
    Evaluation,
    Event,
    MetBy,
    Opinion,
    Rating,
    Reply,
    ResultClass,
    Suggestion,
    format_display_number,
    is_live_status,
    session_date_errors,
)
from suggestions.search import search_highlight
from suggestions.selectors import ROW_COLUMNS


class SessionSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = CongressSession
        fields = ["id", "term", "number", "year", "start_date", "end_date", "label"]

    def validate(self, attrs):
        errors = session_date_errors(attrs.get("year"), attrs.get("start_date"), attrs.get("end_date"))
        if errors:
            raise serializers.ValidationError({k: [str(v)] for k, v in errors.items()})
        return attrs


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "parent", "order"]


class AssignmentBrief(serializers.ModelSerializer):
    class Meta:
        model = Assignment
        fields = ["id", "unit", "role", "status", "due_date"]


class CoSignerOut(serializers.ModelSerializer):
    class Meta:
        model = CoSigner
        fields = ["deputy", "status", "responded_at", "withdraw_consent"]


_DATETIME = serializers.DateTimeField()


class SuggestionOut(serializers.ModelSerializer):
    display_number = serializers.CharField(read_only=True)
    co_signers = serializers.SerializerMethodField()
    co_signer_status = CoSignerOut(source="cosignatures", many=True, read_only=True)
    assignments = AssignmentBrief(many=True, read_only=True)
    highlight = serializers.SerializerMethodField(
        help_text="With `search`: the title, a body excerpt and (in lists) the passage of a reply the caller may "
        "read that holds the words, as HTML, matched words in <mark>, the rest escaped."
    )

    class Meta:
        model = Suggestion
        fields = [
            "id", "number", "display_number", "title", "body", "category", "session", "during_session", "status",
            "lead_deputy", "co_signers", "co_signer_status", "confidential", "suggested_unit", "repeat_of",
            "follows_up", "merged_into", "complex", "round", "reason", "assignments", "created_at",
            "submitted_at", "registered_at", "assigned_at", "replied_at", "closed_at", "highlight",
        ]  # fmt: skip

    def get_co_signers(self, obj) -> list[int]:
        return [c.deputy_id for c in obj.cosignatures.all()]

    # The same output as the declared fields, built directly from the rows: a list of 50 suggestions
    # spent most of its time in DRF's generic field machinery (see docs/benchmarks.md). One suggestion
    # goes through `model_row`; the list reads plain rows (`selectors.suggestion_rows`) and calls
    # `suggestion_out` itself. test_api_lifecycle / test_openapi keep the shape;
    # test_fast_representation_matches_drf pins it.
    def to_representation(self, obj):
        participated = self.context.get("participated")
        return suggestion_out(
            model_row(obj),
            participated=participated is None or participated(obj),
            highlight=self.get_highlight(obj),
            tz=timezone.get_current_timezone(),
        )

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "title": {"type": "string"},
                "body": {"type": "string"},
                "reply": {"type": "string", "nullable": True},
            },
        }
    )
    def get_highlight(self, obj) -> dict | None:
        # One suggestion; the list computes a whole page's highlights at once (`search_highlights`).
        text = search_text(self.context)
        return search_highlight(obj, text) if text else None


def search_text(context) -> str:
    """The list's `search` parameter, if any (the rows are then highlighted)."""
    request = context.get("request")
    text = getattr(request, "query_params", {}).get("search", "") if request is not None else ""
    return text if text.strip() else ""


DATETIMES = ("created_at", "submitted_at", "registered_at", "assigned_at", "replied_at", "closed_at")


def iso_datetime(value: dt.datetime | None, tz) -> str | None:
    """DRF's ISO 8601 output of a time (`DateTimeField.to_representation`) in the current time zone,
    with the zone looked up once per list instead of once per value."""
    if value is None:
        return None
    if value.tzinfo is None:
        return _DATETIME.to_representation(value)
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def model_row(obj: Suggestion) -> dict:
    """One suggestion (with its relations prefetched) as the plain row `selectors.suggestion_rows` reads."""
    row = {name: getattr(obj, name) for name in ROW_COLUMNS}
    row["display_number"] = obj.display_number
    row["cosignatures"] = [(c.deputy_id, c.status, c.responded_at, c.withdraw_consent) for c in obj.cosignatures.all()]
    row["assignments"] = [(a.pk, a.unit_id, a.role, a.status, a.due_date) for a in obj.assignments.all()]
    return row


def suggestion_out(row: dict, *, participated: bool, highlight: dict | None, tz) -> dict:
    """`SuggestionOut`'s representation of a plain row; a reader who is not a participant gets the
    public view (SPEC section 8): confirmed co-signers, the live units, no internal notes."""
    cosignatures = row["cosignatures"]
    assignments = row["assignments"]
    if not participated:
        cosignatures = [(deputy, status, None, False) for deputy, status, _, _ in cosignatures if status == CONFIRMED]
        # A list reads live assignments only; one suggestion's representation may not.
        assignments = [a for a in assignments if is_live_status(a[3])]
    number = row["number"]
    return {
        "id": row["id"], "number": number,
        "display_number": row["display_number"] if "display_number" in row
        else format_display_number(row["session_label"], number),
        "title": row["title"], "body": row["body"], "category": row["category_id"], "session": row["session_id"],
        "during_session": row["during_session"], "status": row["status"], "lead_deputy": row["lead_deputy_id"],
        "co_signers": [c[0] for c in cosignatures],
        "co_signer_status": [
            {"deputy": deputy, "status": status, "responded_at": iso_datetime(responded_at, tz),
             "withdraw_consent": consent}
            for deputy, status, responded_at, consent in cosignatures
        ],
        "confidential": row["confidential"], "suggested_unit": row["suggested_unit_id"],
        "repeat_of": row["repeat_of_id"], "follows_up": row["follows_up_id"], "merged_into": row["merged_into_id"],
        "complex": row["complex"], "round": row["round"], "reason": row["reason"] if participated else "",
        "assignments": [
            {"id": pk, "unit": unit, "role": role, "status": status, "due_date": due.isoformat() if due else None}
            for pk, unit, role, status, due in assignments
        ],
        **{name: iso_datetime(row[name], tz) for name in DATETIMES},
        "highlight": highlight,
    }  # fmt: skip


CONFIRMED = CoSignerStatus.CONFIRMED


@extend_schema_field(OpenApiTypes.INT)
class VisibleSuggestionField(serializers.PrimaryKeyRelatedField):
    """A suggestion id among those the caller may see. A missing id and one the caller may not see
    get the same answer, so the field cannot be used to probe which ids exist (issue 12)."""

    default_error_messages = {
        "does_not_exist": _("Unknown suggestion."),
        "incorrect_type": _("Unknown suggestion."),
    }

    def get_queryset(self):
        from suggestions.selectors import suggestions_visible_to

        request = self.context.get("request")
        return suggestions_visible_to(getattr(request, "user", None))


class SuggestionIn(serializers.Serializer):
    title = serializers.CharField(max_length=200, allow_blank=False, trim_whitespace=True)
    body = serializers.CharField(max_length=20000, allow_blank=False)
    session = serializers.PrimaryKeyRelatedField(queryset=CongressSession.objects.all())
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)
    co_signers = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role="deputy", is_active=True), many=True, required=False
    )
    suggested_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(active=True), required=False, allow_null=True
    )
    confidential = serializers.BooleanField(required=False, default=False)
    during_session = serializers.BooleanField(required=False, default=True)
    repeat_of = VisibleSuggestionField(required=False, allow_null=True)
    follows_up = VisibleSuggestionField(required=False, allow_null=True)
    lead_deputy = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role="deputy"), required=False, help_text="Staff entering on a deputy's behalf."
    )
    attachments = serializers.ListField(child=serializers.FileField(), required=False, write_only=True)


class CosignIn(serializers.Serializer):
    accept = serializers.BooleanField()


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class RejectIn(ReasonIn):
    keep_as_letter = serializers.BooleanField(required=False, default=False)


class MergeIn(serializers.Serializer):
    into = serializers.PrimaryKeyRelatedField(queryset=Suggestion.objects.all())


class NoteIn(serializers.Serializer):
    note = serializers.CharField(max_length=5000)


class OptionalNoteIn(serializers.Serializer):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class AssignIn(serializers.Serializer):
    lead_units = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), many=True)
    co_units = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), many=True, required=False)
    complex = serializers.BooleanField(required=False, default=False)
    due_date = serializers.DateField(required=False, allow_null=True)


class EvaluateIn(serializers.Serializer):
    attitude = serializers.ChoiceField(choices=Rating.choices)
    result = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ExtensionIn(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)
    due_date = serializers.DateField()


class DecisionIn(serializers.Serializer):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    due_date = serializers.DateField(required=False, allow_null=True, help_text="Extension only: another date.")


class DateOrDateTimeField(serializers.DateTimeField):
    """Accepts `YYYY-MM-DD` (passed on as a date; the contact service decides its time) or a full
    ISO 8601 time."""

    def to_internal_value(self, value):
        if isinstance(value, str) and len(value) == 10:
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                self.fail("invalid", format="YYYY-MM-DD or ISO 8601")
        return super().to_internal_value(value)


class ContactIn(serializers.Serializer):
    phase = serializers.ChoiceField(choices=ContactPhase.choices)
    method = serializers.ChoiceField(choices=ContactMethod.choices)
    met_by = serializers.ChoiceField(choices=MetBy.choices)
    contacted_at = DateOrDateTimeField()
    summary = serializers.CharField(max_length=5000)


class ContactOut(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = [
            "id", "assignment", "phase", "method", "met_by", "contacted_at", "summary", "created_by",
            "created_at", "disputed", "dispute_note",
        ]  # fmt: skip


class CommitmentIn(serializers.Serializer):
    description = serializers.CharField(max_length=2000)
    target_date = serializers.DateField()


class CommitmentOut(serializers.ModelSerializer):
    class Meta:
        model = Commitment
        fields = [
            "id",
            "description",
            "target_date",
            "fulfilled_at",
            "fulfilment_note",
            "delivery",
            "delivery_confirmed_at",
            "delivery_note",
        ]


class DeliveryIn(serializers.Serializer):
    delivered = serializers.BooleanField()
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ReplyIn(serializers.Serializer):
    body = serializers.CharField(max_length=20000)
    result_class = serializers.ChoiceField(choices=ResultClass.choices)
    adoption = serializers.ChoiceField(choices=Adoption.choices)
    public = serializers.BooleanField(required=False, default=True)
    contact_person = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    commitments = CommitmentIn(many=True, required=False)


class ReplyOut(serializers.ModelSerializer):
    commitments = CommitmentOut(many=True, read_only=True)

    class Meta:
        model = Reply
        fields = [
            "id", "assignment", "round", "body", "result_class", "adoption", "public", "contact_person",
            "contact_phone", "status", "drafted_by", "drafted_at", "signer", "released_at", "on_time", "commitments",
        ]  # fmt: skip


class OpinionIn(serializers.Serializer):
    body = serializers.CharField(max_length=20000)


class OpinionOut(serializers.ModelSerializer):
    class Meta:
        model = Opinion
        fields = ["id", "assignment", "body", "author", "sent_at"]


class RequestOut(serializers.ModelSerializer):
    class Meta:
        model = AssignmentRequest
        fields = [
            "id", "assignment", "kind", "reason", "requested_due_date", "status", "requested_by", "requested_at",
            "decided_by", "decided_at", "decision_note", "approved_due_date",
        ]  # fmt: skip


class AssignmentOut(serializers.ModelSerializer):
    suggestion_title = serializers.CharField(source="suggestion.title", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id", "suggestion", "suggestion_title", "unit", "role", "status", "assigned_at", "due_date",
            "original_due_date", "signed_at", "replied_at",
        ]  # fmt: skip


class EvaluationOut(serializers.ModelSerializer):
    class Meta:
        model = Evaluation
        fields = ["id", "suggestion", "deputy", "round", "is_lead", "attitude", "result", "comment", "created_at"]


class EventOut(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ["id", "at", "actor", "actor_name", "action", "from_status", "to_status", "detail"]

    def get_actor_name(self, obj) -> str:
        return obj.actor.display_name if obj.actor else ""


class DeadlineOut(serializers.ModelSerializer):
    state = serializers.SerializerMethodField(help_text="Derived: met, cancelled, overdue, due_today, due_soon, open.")

    class Meta:
        model = Deadline
        fields = [
            "id", "kind", "party", "unit", "user", "suggestion", "assignment", "commitment", "starts_on", "due_date",
            "original_due_date", "satisfied_at", "cancelled_at", "explanation", "state",
        ]  # fmt: skip

    def get_state(self, obj) -> str:
        from suggestions.deadlines import deadline_status

        return deadline_status(obj, self.context.get("today"))


class AttachmentOut(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "suggestion", "reply", "name", "size", "content_type", "uploaded_by", "uploaded_at"]


class FileIn(serializers.Serializer):
    file = serializers.FileField()


class DisputeIn(serializers.Serializer):
    note = serializers.CharField(max_length=5000)
