from django.contrib import admin
from django.db.models import Count

from .models import Answer, Assessment, Dimension, Framework, Question, Round


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


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = [
        ("position", "code"),
        "statement",
        "guidance",
        ("weight", "owner"),
        ("gate_level", "gate_owner"),
        "level_descriptors",
    ]


@admin.register(Dimension)
class DimensionAdmin(admin.ModelAdmin):
    list_display = ["name", "framework", "position", "code"]
    list_filter = ["framework"]
    search_fields = ["name", "code"]
    list_select_related = ["framework"]
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
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
    fields = ["question", "level", "evidence", "comment", "version", "updated_by", "updated_at"]
    readonly_fields = ["version", "updated_by", "updated_at"]
    raw_id_fields = ["question"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["organisation", "round", "status", "submitted_at", "updated_at"]
    list_filter = ["status", "round__partnership", "organisation__kind"]
    search_fields = ["organisation__name", "organisation__gss_code", "round__name"]
    list_select_related = ["organisation", "round__partnership"]
    autocomplete_fields = ["organisation", "round"]
    readonly_fields = ["created_by", "submitted_by"]
    inlines = [AnswerInline]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["assessment", "question", "level", "updated_at"]
    list_filter = ["level", "assessment__status"]
    search_fields = ["assessment__organisation__name", "question__code"]
    list_select_related = ["assessment__organisation", "assessment__round", "question"]
    raw_id_fields = ["assessment", "question"]
