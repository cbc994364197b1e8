from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.utils.translation import gettext_lazy as _

from . import services
from .models import DeputyProfile, Unit, User


class RoleUnitCheck:
    """The admin's user forms check role against unit with the service's rule, so a bad pair is a
    form error rather than a failed save."""

    def clean(self):
        cleaned = super().clean()
        for field, messages in services.user_role_errors(cleaned.get("role"), cleaned.get("unit")).items():
            for message in messages:
                self.add_error(field, message)
        return cleaned


class UserAddForm(RoleUnitCheck, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = ("username", "full_name", "role", "unit")


class UserChangeForm(RoleUnitCheck, BaseUserChangeForm):
    class Meta(BaseUserChangeForm.Meta):  # type: ignore[name-defined]
        model = User


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code"]


class DeputyProfileInline(admin.StackedInline):
    model = DeputyProfile
    can_delete = False
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "unit", "is_active"]
    list_filter = ["role", "unit", "is_active"]
    search_fields = ["username", "full_name"]
    inlines = [DeputyProfileInline]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Role"), {"fields": ("full_name", "role", "unit")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Role"), {"fields": ("full_name", "role", "unit")}),
    )
    add_form = UserAddForm
    form = UserChangeForm

    def get_inlines(self, request, obj):
        # A new user's profile is made by the service; it is edited once the user exists.
        return [DeputyProfileInline] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            services.profile_ensure(obj)  # made a deputy later: the profile comes with the role
        else:
            services.user_register(obj)  # the form has set the password
