"""Admin bases for records that change only through the services."""

from django.contrib import admin


class RecordAdmin(admin.ModelAdmin):
    """Records written only by the service layer (funding formulas and sign-offs,
    answer history, reopenings): administrators view them; Django then shows a
    read-only page. Never added, edited or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NoBulkDeleteAdmin(admin.ModelAdmin):
    """For models whose rows are protected by the rows that point at them: the bulk
    "delete selected" action would fail for most selections with a generic message,
    so it is not offered; `deletable(obj)` says when one row may go."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def deletable(self, obj) -> bool:
        return True

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not self.deletable(obj):
            return False
        return super().has_delete_permission(request, obj)
