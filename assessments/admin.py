from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from common.admin import NoBulkDeleteAdmin, RecordAdmin
from common.audit import security_event_for

from .framework.loader import FrameworkFileError, load_framework_text
from .models import (
    Action,
    ActionChange,
    Answer,
    AnswerChange,
    Assessment,
    AssessmentReopening,
    Dimension,
    Framework,
    Question,
    Round,
    RoundReopening,
    RoundStatus,
)
from .rounds import (
    ReopenReasonRequired,
    change_round,
    close_rounds,
    drafts_in,
    open_round,
    reopen_rounds,
)

MAX_FRAMEWORK_BYTES = 1024 * 1024


class DimensionInline(admin.TabularInline):
    model = Dimension
    extra = 0
    fields = ["position", "code", "name"]
    show_change_link = True


class RoundsUsingInline(admin.TabularInline):
    model = Round
    extra = 0
    fields = ["name", "partnership", "status", "opens_on", "closes_on"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "Rounds using this version"

    def has_add_permission(self, request, obj=None):
        return False


class FrameworkUploadForm(forms.Form):
    file = forms.FileField(
        label="Framework file (YAML)",
        help_text="The same format as assessments/framework/partnership-readiness.yaml.",
        error_messages={"required": "Choose a framework file to upload"},
    )


@admin.register(Framework)
class FrameworkAdmin(NoBulkDeleteAdmin):
    """Framework versions are made by loading a file, never edited, so the rounds and
    assessments that use a version keep the statements they were answered against."""

    list_display = ["name", "version", "loaded_at", "source", "round_count"]
    search_fields = ["name"]
    fields = ["name", "version", "source", "loaded_at", "content_hash"]
    readonly_fields = fields
    inlines = [DimensionInline, RoundsUsingInline]
    change_list_template = "admin/assessments/framework/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(rounds_count=Count("rounds"))

    @admin.display(description="Rounds using it", ordering="rounds_count")
    def round_count(self, obj):
        return obj.rounds_count

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def deletable(self, obj) -> bool:
        return not obj.rounds.exists()

    def get_urls(self):
        load = path(
            "load/",
            self.admin_site.admin_view(self.load_view),
            name="assessments_framework_load",
        )
        return [load, *super().get_urls()]

    def load_view(self, request):
        if not request.user.has_perm("assessments.add_dimension"):
            raise PermissionDenied
        posted = request.method == "POST"
        form = FrameworkUploadForm(
            request.POST if posted else None, request.FILES if posted else None
        )
        problems = []
        if posted and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_FRAMEWORK_BYTES:
                problems = ["The file is too big for a framework. Upload a file under 1 MB"]
            else:
                problems = self._load(request, upload)
                if not problems:
                    return redirect("admin:assessments_framework_changelist")
        return TemplateResponse(
            request,
            "admin/assessments/framework/load.html",
            {
                **self.admin_site.each_context(request),
                "title": "Load a framework file",
                "form": form,
                "problems": problems,
                "opts": self.model._meta,
            },
        )

    def _load(self, request, upload) -> list[str]:
        try:
            result = load_framework_text(upload.read().decode("utf-8-sig"), source=upload.name)
        except UnicodeDecodeError:
            return ["The file is not text saved as UTF-8. Save it as UTF-8 and try again"]
        except FrameworkFileError as error:
            return str(error).splitlines()
        if result.created:
            security_event_for(
                "framework_uploaded", user=request.user, detail=f"Loaded {result.framework}"
            )
            message = f"Loaded {result.framework}. New rounds can use it."
        else:
            message = f"That file is already loaded as {result.framework}; nothing changed."
        self.message_user(request, message, messages.SUCCESS)
        return []


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
            return False  # Django shows a read-only page to whoever may view it
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
class RoundAdmin(NoBulkDeleteAdmin):
    list_display = ["name", "partnership", "framework", "status", "opens_on", "closes_on"]
    list_filter = ["status", "closes_on", "framework"]
    search_fields = ["name", "partnership__name"]
    list_select_related = ["partnership", "framework"]
    autocomplete_fields = ["partnership"]
    actions = ["close_rounds", "open_rounds"]

    def get_readonly_fields(self, request, obj=None):
        readonly = []
        if obj is not None:
            # A closed round's closing date is the day it closed; an open one's is its
            # deadline, which may move.
            readonly = ["status"] if obj.is_open else ["status", "closes_on"]
        if obj is not None and obj.assessments.exists():
            readonly.append("framework")  # answers belong to its statements
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "closes_on" in form.base_fields and (obj is None or obj.closes_on is not None):
            form.base_fields["closes_on"].required = True
            form.base_fields["closes_on"].help_text = "Partners see the days left until this date"
        return form

    def deletable(self, obj) -> bool:
        return not obj.assessments.exists()

    def save_model(self, request, obj, form, change):
        if change:
            change_round(round_=obj, user=request.user)
        else:
            open_round(round_=obj, user=request.user)

    @admin.action(description="Close the selected rounds")
    def close_rounds(self, request, queryset):
        rounds = list(queryset.filter(status=RoundStatus.OPEN).select_related("partnership"))
        drafts = drafts_in(rounds)
        if drafts and request.POST.get("confirm") != "yes":
            # Ask first, and say which partners would be left with an unsubmitted draft.
            return TemplateResponse(
                request,
                "admin/assessments/round/close_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Close rounds that still have drafts?",
                    "rounds": rounds,
                    "drafts": drafts,
                    "selected": [r.pk for r in queryset],
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                    "opts": self.model._meta,
                },
            )
        closed = close_rounds(rounds=rounds, user=request.user)
        self.message_user(
            request,
            f"Closed {closed} round(s)."
            + (f" {len(drafts)} draft assessment(s) were not submitted." if drafts else ""),
            messages.SUCCESS,
        )
        return None

    @admin.action(description="Reopen the selected rounds")
    def open_rounds(self, request, queryset):
        rounds = list(queryset.filter(status=RoundStatus.CLOSED).select_related("partnership"))
        reason, error = request.POST.get("reason", ""), None
        if request.POST.get("confirm") == "yes":
            try:
                count = reopen_rounds(rounds=rounds, user=request.user, reason=reason)
            except ReopenReasonRequired as refused:
                error = str(refused)
            else:
                self.message_user(
                    request,
                    f"Reopened {count} round(s). Their frozen reports were discarded.",
                    messages.SUCCESS,
                )
                return None
        # Reopening discards the reports frozen at closing: ask why, and say so.
        return TemplateResponse(
            request,
            "admin/assessments/round/reopen_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": "Reopen closed rounds?",
                "rounds": rounds,
                "reason": reason,
                "error": error,
                "selected": [r.pk for r in queryset],
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


class AnswerInline(admin.TabularInline):
    """Answers change only on the assessment's pages, where every save is checked
    against concurrent saves and recorded in the history; here they are read-only."""

    model = Answer
    extra = 0
    fields = ["question", "level", "evidence", "comment", "copied", "version", "updated_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReopeningInline(admin.TabularInline):
    model = AssessmentReopening
    extra = 0
    fields = ["reopened_at", "reopened_by", "reason", "previously_submitted_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(RecordAdmin):
    """Read-only: an organisation's ICT manager starts, fills in and submits its
    assessment on its pages; an administrator reopens a submitted one (with a reason)
    from the link here."""

    list_display = ["organisation", "round", "status", "submitted_at", "updated_at"]
    list_filter = ["status", "round__partnership", "organisation__kind"]
    search_fields = ["organisation__name", "organisation__gss_code", "round__name"]
    list_select_related = ["organisation", "round__partnership"]
    autocomplete_fields = ["organisation", "round"]
    fields = [
        "round",
        "organisation",
        "status",
        "created_at",
        "created_by",
        "submitted_at",
        "submitted_by",
        "reopen",
    ]
    readonly_fields = fields
    inlines = [AnswerInline, ReopeningInline]

    @admin.display(description="Reopen")
    def reopen(self, obj):
        if obj.pk is None or not obj.is_submitted:
            return "Not submitted: the organisation's ICT manager can change it."
        return format_html(
            '<a href="{}">Reopen this submitted assessment (a reason is recorded)</a>',
            reverse("assessments:reopen", args=[obj.pk]),
        )


@admin.register(Answer)
class AnswerAdmin(RecordAdmin):
    list_display = ["assessment", "question", "level", "copied", "updated_at"]
    list_filter = ["level", "assessment__status"]
    search_fields = ["assessment__organisation__name", "question__code"]
    list_select_related = ["assessment__organisation", "assessment__round", "question"]


@admin.register(AnswerChange)
class AnswerChangeAdmin(RecordAdmin):
    list_display = ["answer", "changed_by", "changed_at", "old_level", "new_level"]
    list_filter = ["evidence_changed"]
    search_fields = ["answer__assessment__organisation__name", "answer__question__code"]
    list_select_related = ["answer__assessment__organisation", "answer__question", "changed_by"]


@admin.register(AssessmentReopening)
class AssessmentReopeningAdmin(RecordAdmin):
    list_display = ["assessment", "reopened_by", "reopened_at", "reason"]
    search_fields = ["assessment__organisation__name", "reason"]
    list_select_related = ["assessment__organisation", "assessment__round", "reopened_by"]


@admin.register(RoundReopening)
class RoundReopeningAdmin(RecordAdmin):
    list_display = ["round", "reopened_by", "reopened_at", "reason", "discarded_snapshot_as_at"]
    search_fields = ["round__name", "round__partnership__name", "reason"]
    list_select_related = ["round__partnership", "reopened_by"]


class ActionChangeInline(admin.TabularInline):
    model = ActionChange
    fields = ["changed_at", "changed_by", "changes", "version"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Action)
class ActionAdmin(RecordAdmin):
    """Read-only: actions are agreed and updated by the partners on their pages, where
    each change is recorded."""

    list_display = ["description", "partnership", "organisation", "status", "due_on"]
    list_filter = ["status", "partnership_wide"]
    search_fields = ["description", "partnership__name", "organisation__name"]
    list_select_related = ["partnership", "organisation"]
    inlines = [ActionChangeInline]


# The insight records register themselves with their capability.
from .insights import admin as insights_admin  # noqa: E402, F401
