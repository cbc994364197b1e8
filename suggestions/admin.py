"""Admin for master data. Suggestions and their timeline are read-only here: state changes go
through the services (the admin actions below call them), never through a form that writes status."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from common.errors import ActionError

from . import services
from .models import Category, CongressSession, Deadline, DeadlineRule, Event, HolidayOverride, Suggestion


@admin.register(CongressSession)
class CongressSessionAdmin(admin.ModelAdmin):
    list_display = ["label", "term", "number", "year", "start_date", "end_date"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "order"]


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "amount", "unit"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = Event
    fields = ["at", "actor", "action", "from_status", "to_status", "detail"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ["id", "display_number", "title", "status", "session", "lead_deputy", "created_at"]
    list_filter = ["status", "session", "category", "confidential"]
    search_fields = ["title", "body"]
    list_select_related = ["session", "lead_deputy"]
    inlines = [EventInline]
    actions = ["accept_selected"]

    @admin.action(description=_("Accept (立案) the selected submitted suggestions"))
    def accept_selected(self, request, queryset):
        done = 0
        for suggestion in queryset.select_related("session"):
            try:
                services.suggestion_accept(suggestion=suggestion, actor=request.user)
                done += 1
            except ActionError as exc:
                self.message_user(request, f"{suggestion.pk}: {exc.message}", messages.WARNING)
        self.message_user(request, _("%(n)d accepted.") % {"n": done})


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["at", "suggestion", "actor", "action", "from_status", "to_status"]
    list_filter = ["action"]


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["kind", "suggestion", "unit", "due_date", "original_due_date", "satisfied_at", "cancelled_at"]
    list_filter = ["kind", "party"]
