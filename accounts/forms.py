from django.contrib.auth.forms import PasswordChangeForm

from common.forms import BootstrapMixin


class StyledPasswordChangeForm(BootstrapMixin, PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()
