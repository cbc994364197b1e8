"""Web forms: they parse and validate input shapes; the services decide everything else."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, Unit, User
from common.forms import Form
from suggestions.models import Category, Rating, Suggestion

from .models import Committee, CommitteeKind, Inspection, InspectionKind, Verdict
from .services import NOT_SUPERVISABLE

DATE = forms.DateInput(attrs={"type": "date"})
# A long multiple choice with a type-ahead box above it (see common/_field.html and app.js).
FILTERABLE_MULTIPLE = forms.SelectMultiple(attrs={"data-filterable": "", "size": 8})


class StyledForm(Form):
    """Bootstrap classes on every widget (common.forms), so templates render `{{ field }}` as is."""


def supervisors():
    return User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("full_name", "username")


class KeyItemForm(StyledForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    suggestions = forms.ModelMultipleChoiceField(
        label=_("Suggestions"),
        queryset=Suggestion.objects.none(),
        help_text=_("Suggestions being handled; type part of a number or title to find them."),
        widget=FILTERABLE_MULTIPLE,
    )
    leaders = forms.ModelMultipleChoiceField(
        label=_("Supervising leaders (领衔督办)"), queryset=User.objects.none(), required=False
    )
    committee_ref = forms.ModelChoiceField(
        label=_("Responsible committee (一建议一工委)"), queryset=Committee.objects.none(), required=False
    )
    committee = forms.CharField(
        label=_("Committee (as text)"),
        max_length=100,
        required=False,
        help_text=_("Left empty, the chosen committee's name is used."),
    )
    government_leader = forms.CharField(label=_("Government leader (领办)"), max_length=100, required=False)
    council_meeting = forms.CharField(label=_("Council meeting that chose it"), max_length=200, required=False)
    council_date = forms.DateField(label=_("Council meeting date"), required=False, widget=DATE)
    work_plan = forms.CharField(label=_("Work plan"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    regime_starts_on = forms.DateField(
        label=_("Tracking regime starts on"), required=False, widget=DATE, help_text=_("Today if left empty")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leaders"].queryset = supervisors()
        self.fields["committee_ref"].queryset = Committee.objects.filter(active=True)
        chooser = self.fields["suggestions"]
        chooser.queryset = (
            Suggestion.objects.exclude(status__in=NOT_SUPERVISABLE)
            .select_related("session")
            .order_by("-session__year", "-session__term", "-session__number", "number", "id")
        )
        chooser.label_from_instance = lambda s: f"{s.display_number} {s.title}".strip()


class InstructionForm(StyledForm):
    text = forms.CharField(label=_("Instruction (批示)"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class MonthlyReportForm(StyledForm):
    period = forms.DateField(
        label=_("Month"), input_formats=["%Y-%m", "%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "month"})
    )
    progress = forms.CharField(label=_("Progress"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5}))
    problems = forms.CharField(
        label=_("Problems"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_steps = forms.CharField(
        label=_("Next steps"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class HalfYearReportForm(StyledForm):
    reported_on = forms.DateField(label=_("Reported on"), widget=DATE)
    meeting = forms.CharField(label=_("Standing committee meeting"), max_length=200, required=False)
    summary = forms.CharField(label=_("Summary"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))


class YearEndScoreForm(StyledForm):
    rating = forms.ChoiceField(label=_("Rating"), choices=Rating.choices)
    score = forms.IntegerField(label=_("Score (0-100)"), min_value=0, max_value=100)
    comment = forms.CharField(
        label=_("Comment"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(StyledForm):
    note = forms.CharField(label=_("Note"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RequiredNoteForm(StyledForm):
    note = forms.CharField(label=_("What was done"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class InspectionForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=InspectionKind.choices)
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    units = forms.ModelMultipleChoiceField(
        label=_("Inspected units"),
        queryset=Unit.objects.filter(active=True),
        required=False,
        help_text=_("The units handling the suggestions if left empty"),
        widget=FILTERABLE_MULTIPLE,
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Participants"),
        queryset=User.objects.filter(role__in=[Role.STAFF, Role.SUPERVISOR, Role.DEPUTY], is_active=True),
        required=False,
        widget=FILTERABLE_MULTIPLE,
    )
    other_participants = forms.CharField(label=_("Other participants"), max_length=500, required=False)
    findings = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    report = forms.CharField(label=_("Written report"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    answers = forms.CharField(
        label=_("What was answered (face-to-face)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    renewed_opinions = forms.CharField(
        label=_("Deputies' renewed opinions (face-to-face)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    verdict = forms.ChoiceField(
        label=_("Verdict (second acceptance)"), choices=[("", "—"), *Verdict.choices], required=False
    )
    follow_up_unit = forms.ModelChoiceField(
        label=_("Follow-up action: unit"), queryset=Unit.objects.filter(active=True), required=False
    )
    follow_up_description = forms.CharField(label=_("Follow-up action"), max_length=5000, required=False)
    follow_up_due = forms.DateField(label=_("Follow-up action: due date"), required=False, widget=DATE)

    def follow_ups(self) -> list[dict]:
        d = self.cleaned_data
        if not (d.get("follow_up_unit") or d.get("follow_up_description") or d.get("follow_up_due")):
            return []
        return [
            {
                "unit": d.get("follow_up_unit"),
                "description": d.get("follow_up_description"),
                "due_date": d.get("follow_up_due"),
            }
        ]


class SupervisorForm(StyledForm):
    user = forms.ModelChoiceField(label=_("Supervisor"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = supervisors()


class LinkRepeatForm(StyledForm):
    repeat_of = forms.IntegerField(label=_("Earlier suggestion (id)"), min_value=1)


class LinkFollowUpForm(StyledForm):
    look_back = forms.TypedChoiceField(label=_("Look-back"), coerce=int, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        recent = (
            Inspection.objects.filter(
                kind__in=[InspectionKind.LOOK_BACK, InspectionKind.SECOND_ACCEPTANCE], suggestion__isnull=False
            )
            .select_related("suggestion")
            .order_by("-held_on", "-id")[:300]
        )
        self.fields["look_back"].choices = [
            ("", "—"),
            *((i.pk, f"{i.held_on:%Y-%m-%d} {i.get_kind_display()}: {i.suggestion.title}") for i in recent),
        ]


class CampaignForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    key_items = forms.ModelMultipleChoiceField(label=_("Key items covered"), queryset=None, required=False)
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        from .models import KeySuggestion

        super().__init__(*args, **kwargs)
        self.fields["key_items"].queryset = KeySuggestion.objects.order_by("-year", "id")


class CommitteeForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=CommitteeKind.choices)
    members = forms.ModelMultipleChoiceField(
        label=_("Members"), queryset=User.objects.none(), required=False, widget=FILTERABLE_MULTIPLE
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories it supervises"), queryset=Category.objects.none(), required=False
    )
    description = forms.CharField(
        label=_("Description"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = User.objects.filter(
            role__in=[Role.DEPUTY, Role.STAFF, Role.SUPERVISOR], is_active=True
        ).order_by("role", "full_name", "username")
        self.fields["members"].label_from_instance = lambda u: f"{u.display_name} ({u.get_role_display()})"
        self.fields["categories"].queryset = Category.objects.select_related("parent").order_by("order", "name")


class KeyItemEditForm(KeyItemForm):
    """The key item form for an existing item: the year is fixed; milestones one a line."""

    milestones = forms.CharField(
        label=_("Milestones not done yet"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line: a date (YYYY-MM-DD), a space, the title. Done milestones are kept."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["year"]
        self.fields["regime_starts_on"].help_text = _("Moving it cancels open deadlines before the new start.")

    def clean_milestones(self) -> list[dict]:
        rows = []
        for n, line in enumerate((self.cleaned_data.get("milestones") or "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            date_text, _sep, title = line.partition(" ")
            try:
                target = dt.date.fromisoformat(date_text)
            except ValueError:
                raise forms.ValidationError(_("Line %(n)s: start with a date such as 2026-06-30.") % {"n": n}) from None
            if not title.strip():
                raise forms.ValidationError(_("Line %(n)s: give the milestone a title.") % {"n": n})
            rows.append({"title": title.strip()[:200], "target_date": target})
        return rows


class CampaignEditForm(CampaignForm):
    """A campaign with the suggestions it covered as well as its key items."""

    suggestions = forms.ModelMultipleChoiceField(
        label=_("Suggestions covered"), queryset=Suggestion.objects.none(), required=False, widget=FILTERABLE_MULTIPLE
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chooser = self.fields["suggestions"]
        chooser.queryset = (
            Suggestion.objects.exclude(status__in=NOT_SUPERVISABLE)
            .select_related("session")
            .order_by("-session__year", "-session__term", "-session__number", "number", "id")
        )
        chooser.label_from_instance = lambda s: f"{s.display_number} {s.title}".strip()
        # Listed after the key items, before the outcome.
        self.order_fields(["name", "starts_on", "ends_on", "key_items", "suggestions", "outcome"])
