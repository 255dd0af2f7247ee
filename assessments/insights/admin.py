"""The insight records in the admin: the instance's peer benchmark switch (changed
through the service, which logs it and computes or deletes the figures), the stored
figures and the organisations' consents (read-only: written by the services)."""

from django.contrib import admin

from common.admin import RecordAdmin

from .models import BenchmarkSwitch, PeerBenchmark, ProjectionConsent
from .services import switch_benchmark


@admin.register(BenchmarkSwitch)
class BenchmarkSwitchAdmin(admin.ModelAdmin):
    list_display = ("__str__", "changed_at", "changed_by")
    fields = ("enabled", "changed_at", "changed_by")
    readonly_fields = ("changed_at", "changed_by")

    def has_add_permission(self, request):
        return False  # one row, made by the migration

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        switch_benchmark(user=request.user, enabled=obj.enabled)


@admin.register(PeerBenchmark)
class PeerBenchmarkAdmin(RecordAdmin):
    list_display = ("framework", "computed_at", "groups_shown")
    fields = ("framework", "computed_at", "groups_shown")
    readonly_fields = fields

    @admin.display(description="Comparison groups shown")
    def groups_shown(self, obj) -> str:
        groups = [
            group
            for family in ("organisation_groups", "partnership_groups")
            for group in (obj.data.get(family) or {}).values()
        ]
        shown = sum(1 for group in groups if group["shown"])
        return f"{shown} of {len(groups)}"


@admin.register(ProjectionConsent)
class ProjectionConsentAdmin(RecordAdmin):
    list_display = ("organisation", "allowed_by", "allowed_at")
    search_fields = ("organisation__name",)
