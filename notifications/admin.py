from django.contrib import admin

from .models import Delivery, Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "recipient", "kind", "stage", "due_date", "created_at", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient", "suggestion", "deadline", "event"]
    readonly_fields = ["created_at"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["key", "channel", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["channel", "status"]
    raw_id_fields = ["notification", "user", "unit"]
    search_fields = ["key"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "sms", "digest", "language"]
    raw_id_fields = ["user"]
