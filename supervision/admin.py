"""Admin for reading and correcting supervision records. State changes (release, verdicts,
reports) go through the services from the pages and the API, so those fields are read-only here."""

from django.contrib import admin

from .models import (
    Campaign,
    FollowUpAction,
    HalfYearReport,
    Inspection,
    Instruction,
    KeySuggestion,
    Milestone,
    MonthlyReport,
    SuggestionSupervisor,
    YearEndResult,
    YearEndScore,
)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(KeySuggestion)
class KeySuggestionAdmin(admin.ModelAdmin):
    list_display = ["year", "topic", "status", "committee", "regime_starts_on"]
    list_filter = ["year", "status"]
    search_fields = ["topic"]
    filter_horizontal = ["suggestions", "leaders"]
    readonly_fields = ["status", "regime_starts_on", "created_by", "created_at", "completed_at"]
    inlines = [MilestoneInline]

    def has_add_permission(self, request):
        return False  # created through the service, which opens the regime's deadlines


class FollowUpInline(admin.TabularInline):
    model = FollowUpAction
    extra = 0
    readonly_fields = ["done_at", "done_by", "done_note"]


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["held_on", "kind", "key_item", "suggestion", "verdict", "report_released_at"]
    list_filter = ["kind", "verdict"]
    readonly_fields = ["kind", "verdict", "report_released_at", "released_by", "created_by", "created_at"]
    inlines = [FollowUpInline]

    def has_add_permission(self, request):
        return False


@admin.register(SuggestionSupervisor)
class SuggestionSupervisorAdmin(admin.ModelAdmin):
    list_display = ["suggestion", "user", "assigned_by", "assigned_at"]


@admin.register(MonthlyReport)
class MonthlyReportAdmin(admin.ModelAdmin):
    list_display = ["key_item", "unit", "period", "submitted_at"]
    list_filter = ["unit"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on"]
    filter_horizontal = ["key_items", "suggestions"]


admin.site.register([HalfYearReport, YearEndScore, YearEndResult, Instruction])
