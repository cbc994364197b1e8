from django.contrib import admin

from .models import Consultation, HandlingPlan, PlanStep


class ReadOnlyAdmin(admin.ModelAdmin):
    """Consultations and plans change only through their services; the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdmin):
    list_display = ["draft_title", "unit", "asked_at", "answered_at"]
    list_select_related = ["unit"]


class PlanStepInline(admin.TabularInline):
    model = PlanStep
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HandlingPlan)
class HandlingPlanAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "recorded_at", "updated_at"]
    inlines = [PlanStepInline]
