from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import DateInput, Form

from .models import AuditAction


class AuditFilterForm(Form):
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", "—"), *AuditAction.choices])
    username = forms.CharField(label=_("Username"), required=False, max_length=150)
    ip = forms.GenericIPAddressField(label=_("Address"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())


class UnlockForm(Form):
    username = forms.CharField(required=False, max_length=150)
    ip_address = forms.GenericIPAddressField(required=False)

    def clean(self):
        data = super().clean()
        if not data.get("username") and not data.get("ip_address"):
            raise forms.ValidationError(_("Give a username or an address to unlock."))
        return data
