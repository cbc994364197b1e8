"""Form pieces shared by every app's forms: Bootstrap styling, native date inputs, service errors at fields."""

from __future__ import annotations

from django import forms

BOOTSTRAP_INPUT = "form-control"


class DateInput(forms.DateInput):
    """A native date picker; it needs ISO dates whatever the language's display format."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class BootstrapMixin:
    """Give every widget Bootstrap's class, and `is-invalid` once the form has an error for it."""

    def _style(self) -> None:
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = BOOTSTRAP_INPUT
            # Read `_errors`, not `errors`: the latter would validate before subclasses finish __init__.
            errors = getattr(self, "_errors", None)
            if errors and name in errors:
                css += " is-invalid"
            widget.attrs["class"] = css

    def full_clean(self):
        super().full_clean()  # type: ignore[misc]
        self._style()


class Form(BootstrapMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()

    def add_action_errors(self, errors: dict[str, list[str]], message: str = "") -> None:
        """Put a service's field errors next to the fields; unknown fields go to the top of the form."""
        for field, messages in (errors or {}).items():
            target = field if field in self.fields else None
            for message_text in messages:
                self.add_error(target, message_text)
        if not errors and message:
            self.add_error(None, message)
        self._style()
