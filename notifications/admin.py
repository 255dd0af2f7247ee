from django.contrib import admin

from common.admin import RecordAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(RecordAdmin):
    """The notification log: read-only, written only by `send_notifications`."""

    list_display = ["kind", "recipient", "about", "outcome", "attempts", "sent_at", "created_at"]
    list_filter = ["kind", "outcome"]
    search_fields = ["recipient__username", "recipient__email", "about", "subject"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
