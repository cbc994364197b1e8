"""Web forms. They only check the shape of what was typed; the services decide what is allowed.

Nothing here writes a status: views hand `cleaned_data` to one service function each.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, Unit, User
from common.errors import ActionInvalid
from common.forms import DateInput, FastSelect, FastSelectMultiple, Form

from .models import (
    Adoption,
    Category,
    CongressSession,
    ContactMethod,
    ContactPhase,
    MetBy,
    Rating,
    ResultClass,
    Suggestion,
    SuggestionStatus,
)


def deputy_label(obj: User) -> str:
    delegation = getattr(getattr(obj, "deputy_profile", None), "delegation", "")
    return f"{obj.display_name} ({delegation})" if delegation else obj.display_name


class DeputySearchMixin:
    """A choice among every deputy (83,000 at 10^6 suggestions): only the chosen ones, and those a
    search without JavaScript found (`found`), are rendered as options; the search box before it
    (`common/_field.html`, `static/js/app.js`) asks `deputy_search` for more. The field still
    validates what is posted against its whole queryset, on the server."""

    found: tuple[int, ...] = ()

    def optgroups(self, name, value, attrs=None):
        full = self.choices
        queryset = getattr(full, "queryset", None)
        if queryset is not None:
            wanted = {int(v) for v in value if str(v).isdigit()} | set(self.found)
            chosen = queryset.filter(pk__in=wanted) if wanted else []
            empty = getattr(full.field, "empty_label", None)
            self.choices = [*([("", empty)] if empty is not None else []), *(
                (obj.pk, full.field.label_from_instance(obj)) for obj in chosen
            )]  # fmt: skip
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = full


class DeputySearchSelectMultiple(DeputySearchMixin, FastSelectMultiple):
    pass


class DeputySearchSelect(DeputySearchMixin, FastSelect):
    pass


DEPUTY_SEARCH_LIMIT = 20


def search_deputies(query: str, *, exclude: User | None = None) -> list[User]:
    """Active deputies whose name or username holds `query`, by name, at most `DEPUTY_SEARCH_LIMIT`."""
    query = query.strip()[:50]
    if not query:
        return []
    found = User.objects.filter(role=Role.DEPUTY, is_active=True).filter(
        Q(full_name__icontains=query) | Q(username__icontains=query)
    )
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    return list(found.select_related("deputy_profile").order_by("full_name", "username")[:DEPUTY_SEARCH_LIMIT])


class DeputyChoiceField(forms.ModelMultipleChoiceField):
    widget = DeputySearchSelectMultiple

    def label_from_instance(self, obj: User) -> str:
        return deputy_label(obj)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several uploads, each checked by the service's rule (type, size) so a refused file is a field error."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(item, initial) for item in data if item]
        else:
            files = [single(data, initial)] if data else []
        return self._checked(files)

    @staticmethod
    def _checked(files):
        from .services import validate_attachment

        for upload in files:
            try:
                validate_attachment(upload)
            except ActionInvalid as exc:
                raise forms.ValidationError(exc.message) from None
        return files


class SuggestionForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200, help_text=_("Customarily “A suggestion on …”."))
    body = forms.CharField(
        label=_("Body"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("The problem, your analysis and concrete proposals."),
    )
    session = forms.ModelChoiceField(label=_("Session"), queryset=CongressSession.objects.all(), empty_label=None)
    during_session = forms.BooleanField(label=_("Made during the congress session"), required=False, initial=True)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(), required=False)
    co_signers = DeputyChoiceField(
        label=_("Co-signers"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Type a name to find deputies; each one is asked to confirm."),
    )
    suggested_unit = forms.ModelChoiceField(
        label=_("Suggested handling unit"), queryset=Unit.objects.filter(active=True), required=False
    )
    confidential = forms.BooleanField(label=_("Confidential (not to be published)"), required=False)
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Documents or images, at most 20 MB each."),
    )

    def __init__(self, *args, deputy: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["co_signers"].queryset = (
            User.objects.filter(role=Role.DEPUTY, is_active=True)
            .exclude(pk=deputy.pk)
            .select_related("deputy_profile")
            .order_by("full_name", "username")
        )
        self.fields["co_signers"].widget.attrs["data-deputy-search"] = reverse("deputy_search")
        self.fields["suggested_unit"].widget.attrs["data-filterable"] = "true"
        if not self.is_bound and "session" not in self.initial:
            latest = CongressSession.objects.order_by("-year", "-term", "-number").first()
            if latest is not None:
                self.initial["session"] = latest.pk

    DEPUTY_FIELDS = ("co_signers",)

    def offer_deputies(self, query: str, *, deputy: User) -> None:
        """Offer the deputies matching `query` as options of the deputy fields (the search without
        JavaScript: the form comes back with them to choose from)."""
        found = tuple(d.pk for d in search_deputies(query, exclude=deputy))
        for name in self.DEPUTY_FIELDS:
            self.fields[name].widget.found = found


class DeputyField(forms.ModelChoiceField):
    widget = DeputySearchSelect

    def label_from_instance(self, obj: User) -> str:
        return deputy_label(obj)


class StaffSuggestionForm(SuggestionForm):
    """Staff enter a suggestion handed in on paper (代录): the draft is the deputy's, who checks and
    submits it; only the lead deputy submits (SPEC section 3)."""

    lead_deputy = DeputyField(
        label=_("Lead deputy"),
        queryset=User.objects.none(),
        help_text=_("The deputy who handed it in; they are asked to check the draft and submit it."),
    )
    field_order = ["lead_deputy"]
    DEPUTY_FIELDS = ("lead_deputy", "co_signers")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        deputies = (
            User.objects.filter(role=Role.DEPUTY, is_active=True)
            .select_related("deputy_profile")
            .order_by("full_name", "username")
        )
        self.fields["lead_deputy"].queryset = deputies
        self.fields["lead_deputy"].widget.attrs["data-deputy-search"] = reverse("deputy_search")
        self.fields["co_signers"].queryset = deputies


class ReasonForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class RejectForm(ReasonForm):
    keep_as_letter = forms.BooleanField(label=_("Keep it as a deputy's letter"), required=False)


class MergeForm(Form):
    into = forms.ModelChoiceField(
        label=_("Merge into"),
        queryset=Suggestion.objects.none(),
        help_text=_("The suggestion that will be handled for both."),
    )

    def __init__(self, *args, suggestion: Suggestion, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = (
            Suggestion.objects.exclude(pk=suggestion.pk)
            .exclude(
                status__in=[
                    SuggestionStatus.DRAFT,
                    SuggestionStatus.NOT_ACCEPTED,
                    SuggestionStatus.MERGED,
                    SuggestionStatus.WITHDRAWN,
                ]
            )
            .filter(session_id=suggestion.session_id)
            .select_related("session")
            .order_by("number", "id")
        )
        self.fields["into"].widget.attrs["data-filterable"] = "true"


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class AssignForm(Form):
    lead_units = UnitChoiceField(
        label=_("Lead units"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Type to find a unit. Lead units reply to the deputy."),
    )
    co_units = UnitChoiceField(
        label=_("Co-units"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Co-units send their opinion to the lead units."),
    )
    complex = forms.BooleanField(label=_("Complex (six months to reply)"), required=False)
    due_date = forms.DateField(
        label=_("Due date (optional)"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty to compute it from the rules; a past date is allowed for old suggestions."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(active=True).order_by("name")
        for name in ("lead_units", "co_units"):
            self.fields[name].queryset = units
            self.fields[name].widget.attrs["data-filterable"] = "true"

    def clean(self):
        data = super().clean()
        lead, co = set(data.get("lead_units") or []), set(data.get("co_units") or [])
        if lead & co:
            self.add_error("co_units", _("A unit cannot be both lead and co-unit."))
        return data


class CosignForm(Form):
    accept = forms.TypedChoiceField(
        label=_("Answer"),
        choices=[("yes", _("Confirm")), ("no", _("Decline"))],
        coerce=lambda v: v == "yes",
    )


class EvaluateForm(Form):
    attitude = forms.ChoiceField(label=_("Handling attitude"), choices=Rating.choices, widget=forms.RadioSelect)
    result = forms.ChoiceField(label=_("Handling result"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you are unsatisfied."),
    )

    def clean(self):
        data = super().clean()
        unsatisfied = Rating.UNSATISFIED in (data.get("attitude"), data.get("result"))
        if unsatisfied and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say why you are unsatisfied."))
        return data

    def _style(self) -> None:
        super()._style()
        for name in ("attitude", "result"):
            self.fields[name].widget.attrs["class"] = "form-check-input"


class NoteForm(Form):
    note = forms.CharField(label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class OptionalNoteForm(Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(OptionalNoteForm):
    due_date = forms.DateField(
        label=_("New due date"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty to grant the date the unit asked for."),
    )


class ExtensionForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    due_date = forms.DateField(label=_("New due date"), widget=DateInput())


class ContactForm(Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=ContactPhase.choices)
    method = forms.ChoiceField(label=_("Method"), choices=ContactMethod.choices)
    met_by = forms.ChoiceField(label=_("Met by"), choices=MetBy.choices)
    contacted_at = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    summary = forms.CharField(label=_("Summary"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    # The date goes to the service as it is: `contact_log` holds the one rule for dates and times.


COMMITMENT_ROWS = 3


class ReplyForm(Form):
    body = forms.CharField(
        label=_("Reply text"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Answer each of the deputy's proposals."),
    )
    result_class = forms.ChoiceField(label=_("Result class"), choices=ResultClass.choices)
    adoption = forms.ChoiceField(label=_("Adoption"), choices=Adoption.choices)
    public = forms.BooleanField(label=_("May be published"), required=False, initial=True)
    contact_person = forms.CharField(label=_("Contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, COMMITMENT_ROWS + 1):
            self.fields[f"commitment_{i}"] = forms.CharField(
                label=_("Commitment %(n)d") % {"n": i}, required=False, max_length=2000
            )
            self.fields[f"commitment_{i}_date"] = forms.DateField(
                label=_("Target date of commitment %(n)d") % {"n": i},
                required=False,
                widget=DateInput(),
            )
        self._style()

    def commitment_rows(self):
        return [(self[f"commitment_{i}"], self[f"commitment_{i}_date"]) for i in range(1, COMMITMENT_ROWS + 1)]

    def commitments(self) -> list[dict]:
        rows = []
        for i in range(1, COMMITMENT_ROWS + 1):
            text = (self.cleaned_data.get(f"commitment_{i}") or "").strip()
            day = self.cleaned_data.get(f"commitment_{i}_date")
            if text or day:
                rows.append({"description": text, "target_date": day})
        return rows

    def clean(self):
        data = super().clean()
        for i in range(1, COMMITMENT_ROWS + 1):
            text = (data.get(f"commitment_{i}") or "").strip()
            day = data.get(f"commitment_{i}_date")
            if text and not day:
                self.add_error(f"commitment_{i}_date", _("Give the date the unit commits to."))
            elif day and not text:
                self.add_error(f"commitment_{i}", _("Describe what the unit commits to do."))
        return data


class OpinionForm(Form):
    body = forms.CharField(label=_("Opinion"), max_length=20000, widget=forms.Textarea(attrs={"rows": 5}))


class PublicFilterForm(Form):
    """The public list: free text, session and category (no state or unit workload filters)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    session = forms.ModelChoiceField(label=_("Session"), queryset=CongressSession.objects.all(), required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("session", "category"):
            self.fields[name].empty_label = _("Any")
        self.fields["category"].queryset = Category.objects.select_related("parent")

    def filter_params(self) -> dict:
        """The chosen filters as `SuggestionFilter` (the API's filter set) takes them; empty ones left out."""
        if not (self.is_bound and self.is_valid()):
            return {}
        return {k: v for k, v in self._params(self.cleaned_data).items() if v}

    def _params(self, data: dict) -> dict:
        return {
            "search": data["q"],
            "session": data["session"].pk if data["session"] else "",
            "category": data["category"].pk if data["category"] else "",
        }


class SuggestionFilterForm(PublicFilterForm):
    """The all-suggestions list: adds state, unit and overdue to the public filters."""

    status = forms.ChoiceField(label=_("State"), required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.all(), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any state")), *SuggestionStatus.choices]
        self.fields["unit"].empty_label = _("Any")

    def _params(self, data: dict) -> dict:
        return {
            **super()._params(data),
            "status": [data["status"]] if data["status"] else [],
            "unit": data["unit"].pk if data["unit"] else "",
            "overdue": "true" if data["overdue"] else "",
        }
