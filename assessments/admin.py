from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from .models import (
    Answer,
    AnswerChange,
    Assessment,
    AssessmentReopening,
    Dimension,
    Framework,
    Question,
    Round,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that are written only by the service layer: viewable, never edited."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DimensionInline(admin.TabularInline):
    model = Dimension
    extra = 0
    fields = ["position", "code", "name"]
    show_change_link = True


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "loaded_at", "source", "round_count"]
    search_fields = ["name"]
    readonly_fields = ["content_hash", "loaded_at"]
    inlines = [DimensionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(rounds_count=Count("rounds"))

    @admin.display(description="Rounds using it", ordering="rounds_count")
    def round_count(self, obj):
        return obj.rounds_count


class FrameworkInUseReadOnly:
    """A framework that rounds use is never edited (load a changed file instead, which
    makes a new version), so its dimensions and questions are read-only here."""

    def _in_use(self, obj) -> bool:
        framework = getattr(obj, "framework", None) or getattr(
            getattr(obj, "dimension", None), "framework", None
        )
        return framework is not None and framework.rounds.exists()

    def has_change_permission(self, request, obj=None):
        if obj is not None and self._in_use(obj):
            return request.method in ("GET", "HEAD")
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self._in_use(obj):
            return False
        return super().has_delete_permission(request, obj)


class QuestionInline(FrameworkInUseReadOnly, admin.StackedInline):
    model = Question
    extra = 0

    def has_add_permission(self, request, obj=None):
        return not (obj is not None and self._in_use(obj)) and super().has_add_permission(
            request, obj
        )

    fields = [
        ("position", "code"),
        "statement",
        "guidance",
        ("weight", "owner"),
        ("gate_level", "gate_owner"),
        "level_descriptors",
    ]


@admin.register(Dimension)
class DimensionAdmin(FrameworkInUseReadOnly, admin.ModelAdmin):
    list_display = ["name", "framework", "position", "code"]
    list_filter = ["framework"]
    search_fields = ["name", "code"]
    list_select_related = ["framework"]
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(FrameworkInUseReadOnly, admin.ModelAdmin):
    list_display = ["code", "dimension", "weight", "gate_level", "gate_owner"]
    list_filter = ["dimension__framework", "dimension__name", "gate_owner"]
    search_fields = ["code", "statement"]
    list_select_related = ["dimension__framework"]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["name", "partnership", "framework", "status", "opens_on", "closes_on"]
    list_filter = ["status", "framework"]
    search_fields = ["name", "partnership__name"]
    list_select_related = ["partnership", "framework"]
    autocomplete_fields = ["partnership"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "level", "evidence", "comment", "copied", "version", "updated_by"]
    readonly_fields = ["version", "updated_by"]
    raw_id_fields = ["question"]

    # A submitted assessment cannot change, here as everywhere else.
    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_submitted

    def has_add_permission(self, request, obj=None):
        return obj is None or not obj.is_submitted

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_submitted


class ReopeningInline(admin.TabularInline):
    model = AssessmentReopening
    extra = 0
    fields = ["reopened_at", "reopened_by", "reason", "previously_submitted_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["organisation", "round", "status", "submitted_at", "updated_at"]
    list_filter = ["status", "round__partnership", "organisation__kind"]
    search_fields = ["organisation__name", "organisation__gss_code", "round__name"]
    list_select_related = ["organisation", "round__partnership"]
    autocomplete_fields = ["organisation", "round"]
    readonly_fields = ["status", "submitted_at", "created_by", "submitted_by", "reopen"]
    inlines = [AnswerInline, ReopeningInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_submitted:
            return ["round", "organisation", *self.readonly_fields]
        return self.readonly_fields

    @admin.display(description="Reopen")
    def reopen(self, obj):
        if obj.pk is None or not obj.is_submitted:
            return "Not submitted: the organisation's ICT manager can change it."
        return format_html(
            '<a href="{}">Reopen this submitted assessment (a reason is recorded)</a>',
            reverse("assessment_reopen", args=[obj.pk]),
        )


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["assessment", "question", "level", "copied", "updated_at"]
    list_filter = ["level", "assessment__status"]
    search_fields = ["assessment__organisation__name", "question__code"]
    list_select_related = ["assessment__organisation", "assessment__round", "question"]
    raw_id_fields = ["assessment", "question"]
    readonly_fields = ["version", "updated_by", "updated_at"]

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.assessment.is_submitted

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.assessment.is_submitted


@admin.register(AnswerChange)
class AnswerChangeAdmin(ReadOnlyAdmin):
    list_display = ["answer", "changed_by", "changed_at", "old_level", "new_level"]
    list_filter = ["evidence_changed"]
    search_fields = ["answer__assessment__organisation__name", "answer__question__code"]
    list_select_related = ["answer__assessment__organisation", "answer__question", "changed_by"]


@admin.register(AssessmentReopening)
class AssessmentReopeningAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "reopened_by", "reopened_at", "reason"]
    search_fields = ["assessment__organisation__name", "reason"]
    list_select_related = ["assessment__organisation", "assessment__round", "reopened_by"]
