from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import BootstrapMixin, Form

from .models import NotificationPreference
from .services import URGE_MAX_LENGTH


class PreferenceForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["email", "sms", "phone", "digest", "language", "quiet_start", "quiet_end"]
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("style", "max-width: 20rem")

    def clean(self):
        data = super().clean()
        if data.get("sms") and not (data.get("phone") or "").strip():
            self.add_error("phone", _("Enter a mobile number to receive SMS."))
        return data


class UrgeForm(Form):
    message = forms.CharField(
        label=_("Urge notice (催办函)"), max_length=URGE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )
