"""Form pieces shared by every app's forms: Bootstrap styling, native date inputs, service errors at fields."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe

BOOTSTRAP_INPUT = "form-control"


class DateInput(forms.DateInput):
    """A native date picker; it needs ISO dates whatever the language's display format."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _attrs_html(attrs: dict) -> str:
    """Django's `django/forms/widgets/attrs.html`, written in Python (same order, same escaping)."""
    return "".join(
        "" if value is False else format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
    )


class FastSelectMixin:
    """Writes a select's HTML in Python, exactly as Django's `select.html` and `select_option.html`
    templates would: those include one template per option (0.1-0.3 ms each), and the unit
    filter's 300 options were half of a list page's time at 10^6 suggestions (issue 13)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        parts = [format_html('<select name="{}"', widget["name"]), _attrs_html(widget["attrs"]), ">"]
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in group_choices:
                parts.append(format_html('\n  <option value="{}"', str(option["value"])))
                parts += [_attrs_html(option["attrs"]), format_html(">{}</option>\n", option["label"])]
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped by format_html


class FastSelect(FastSelectMixin, forms.Select):
    pass


class FastSelectMultiple(FastSelectMixin, forms.SelectMultiple):
    pass


FAST_WIDGETS: dict[type, type] = {forms.Select: FastSelect, forms.SelectMultiple: FastSelectMultiple}


class BootstrapMixin:
    """Give every widget Bootstrap's class, and `is-invalid` once the form has an error for it."""

    def _style(self) -> None:
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
                # Django's own select widgets write their options through a template each.
                widget.__class__ = FAST_WIDGETS.get(type(widget), type(widget))
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
