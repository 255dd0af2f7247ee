from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from common.admin import NoBulkDeleteAdmin, RecordAdmin

from .admin_import import OrganisationImportExportMixin
from .coordination import add_coordinator, remove_coordinator
from .invitations import invite_user
from .models import (
    Coordinator,
    FundingFormula,
    FundingShare,
    FundingSignOff,
    Membership,
    Organisation,
    Partnership,
    Role,
    User,
    still_a_member,
)
from .services import deactivate_users, end_memberships, save_membership


class MembershipInline(admin.TabularInline):
    """Members are never deleted: to remove one, give the date it left, so the rounds
    and reports it took part in stay as they were."""

    model = Membership
    extra = 1
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "role", "joined_on", "left_on"]
    can_delete = False
    verbose_name_plural = "Members (to remove a member, enter the date it left)"


class CoordinatorInline(admin.TabularInline):
    """The people who run the partnership from its coordination pages."""

    model = Coordinator
    extra = 1
    autocomplete_fields = ["user"]
    fields = ["user", "added_by", "added_at"]
    readonly_fields = ["added_by", "added_at"]
    verbose_name_plural = "Coordinators (they run this partnership outside the admin)"


@admin.register(Organisation)
class OrganisationAdmin(OrganisationImportExportMixin, NoBulkDeleteAdmin):
    list_display = ["name", "kind", "gss_code", "region", "partnership_count", "user_count"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "gss_code", "region"]
    list_per_page = 50
    ordering = ["name"]

    def get_queryset(self, request):
        # Counted in the changelist query itself, so 400+ rows cost one query.
        return (
            super()
            .get_queryset(request)
            .annotate(
                current_partnerships=Count(
                    "memberships", filter=still_a_member("memberships__"), distinct=True
                ),
                users_count=Count("users", distinct=True),
            )
        )

    def deletable(self, obj) -> bool:
        # Members, people and assessments keep their organisation (PROTECT).
        return not (obj.memberships.exists() or obj.users.exists() or obj.assessments.exists())

    @admin.display(description="Partnerships", ordering="current_partnerships")
    def partnership_count(self, obj):
        return obj.current_partnerships

    @admin.display(description="Users", ordering="users_count")
    def user_count(self, obj):
        return obj.users_count


@admin.register(Partnership)
class PartnershipAdmin(NoBulkDeleteAdmin):
    list_display = ["name", "member_count", "created_at"]
    ordering = ["name"]  # the annotation below would otherwise drop Meta.ordering
    search_fields = ["name", "memberships__organisation__name"]
    inlines = [MembershipInline, CoordinatorInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                current_members=Count(
                    "memberships", filter=still_a_member("memberships__"), distinct=True
                )
            )
        )

    def deletable(self, obj) -> bool:
        # Its rounds' assessments are kept (PROTECT); an unused partnership may go.
        return not obj.rounds.filter(assessments__isnull=False).exists()

    def save_formset(self, request, form, formset, change):
        if formset.model is Coordinator:
            coordinators = formset.save(commit=False)
            for coordinator in formset.deleted_objects:
                remove_coordinator(coordinator=coordinator, user=request.user)
            for coordinator in coordinators:
                add_coordinator(
                    partnership=form.instance, person=coordinator.user, user=request.user
                )
            return None
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        for membership in formset.save(commit=False):
            save_membership(membership=membership, user=request.user)
        return None

    @admin.display(description="Current members", ordering="current_members")
    def member_count(self, obj):
        return obj.current_members


class CurrentFilter(admin.SimpleListFilter):
    title = "current or ended"
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", "Current members"), ("no", "Ended memberships")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(still_a_member())
        if self.value() == "no":
            return queryset.exclude(still_a_member())
        return queryset


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["organisation", "partnership", "role", "joined_on", "left_on"]
    list_filter = [CurrentFilter, "role", "partnership", "organisation__kind"]
    search_fields = ["organisation__name", "organisation__gss_code", "partnership__name"]
    autocomplete_fields = ["organisation", "partnership"]
    list_select_related = ["organisation", "partnership"]
    date_hierarchy = "joined_on"
    actions = ["end_memberships"]

    def has_delete_permission(self, request, obj=None):
        # Ending a membership keeps its history; deleting would rewrite past reports.
        return False

    def save_model(self, request, obj, form, change):
        save_membership(membership=obj, user=request.user)

    @admin.action(description="End the selected memberships today")
    def end_memberships(self, request, queryset):
        ended = end_memberships(
            memberships=list(queryset.select_related("partnership")), user=request.user
        )
        self.message_user(
            request,
            f"Ended {ended} membership(s) from today. Past rounds and reports keep them.",
            messages.SUCCESS,
        )


class InviteForm(forms.Form):
    email = forms.EmailField(
        error_messages={
            "required": "Enter the person's email address",
            "invalid": "Enter an email address like name@council.gov.uk",
        }
    )
    first_name = forms.CharField(max_length=150, error_messages={"required": "Enter a first name"})
    last_name = forms.CharField(max_length=150, error_messages={"required": "Enter a last name"})
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        error_messages={"required": "Choose the person's organisation"},
    )
    role = forms.ChoiceField(
        choices=Role.choices, error_messages={"required": "Choose the person's role"}
    )
    job_title = forms.CharField(max_length=100, required=False)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists():
            raise forms.ValidationError("Someone with this email address already has an account")
        return email


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "organisation",
        "role",
        "is_staff",
        "is_active",
    ]
    list_filter = ["role", "is_staff", "is_active", "organisation__kind"]
    search_fields = ["username", "email", "first_name", "last_name", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    fieldsets = (
        DjangoUserAdmin.fieldsets[:2]
        + (("Organisation and role", {"fields": ("organisation", "role", "job_title")}),)
        + DjangoUserAdmin.fieldsets[2:]
    )
    change_list_template = "admin/partnerships/user/change_list.html"
    actions = ["deactivate_users"]

    def get_urls(self):
        invite = path(
            "invite/", self.admin_site.admin_view(self.invite_view), name="partnerships_user_invite"
        )
        return [invite, *super().get_urls()]

    def invite_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InviteForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            user = invite_user(
                **form.cleaned_data,
                invited_by=request.user,
                base_url=request.build_absolute_uri("/"),
            )
            self.message_user(
                request,
                f"Invited {user.get_full_name()} ({user.email}). They choose their own "
                "password from the link in the email, which works for 3 days.",
                messages.SUCCESS,
            )
            return redirect("admin:partnerships_user_changelist")
        return TemplateResponse(
            request,
            "admin/partnerships/user/invite.html",
            {
                **self.admin_site.each_context(request),
                "title": "Invite a user",
                "form": form,
                "opts": self.model._meta,
            },
        )

    @admin.action(description="Deactivate the selected users (ends their sessions)")
    def deactivate_users(self, request, queryset):
        # An inactive user's session is refused on their next request (Django checks
        # is_active when it loads the user), so deactivating signs them out everywhere.
        count = deactivate_users(users=queryset, user=request.user)
        self.message_user(request, f"Deactivated {count} user(s).", messages.SUCCESS)

    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        (
            "Organisation and role",
            {"fields": ("first_name", "last_name", "email", "organisation", "role", "job_title")},
        ),
    )


class FundingSignOffInline(admin.TabularInline):
    """Sign-offs are records of what an executive agreed: they can be removed if made in
    error, never edited."""

    model = FundingSignOff
    extra = 0
    fields = ["organisation", "signer_name", "signer_role", "signed_at", "signed_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class FundingShareInline(admin.TabularInline):
    model = FundingShare
    extra = 0
    fields = ["organisation", "percentage"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FundingFormula)
class FundingFormulaAdmin(RecordAdmin):
    """Read-only here: a formula changes only by recording a new version on the
    partnership's funding page, so every member signs what they agree to."""

    list_display = ["partnership", "version", "created_at", "sign_off_count", "record_link"]
    list_filter = ["partnership"]
    search_fields = ["partnership__name", "text"]
    list_select_related = ["partnership"]
    fields = ["partnership", "version", "text", "created_at", "created_by", "record_link"]
    readonly_fields = fields
    inlines = [FundingShareInline, FundingSignOffInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(sign_offs_count=Count("sign_offs"))

    @admin.display(description="Sign-offs", ordering="sign_offs_count")
    def sign_off_count(self, obj):
        return obj.sign_offs_count

    @admin.display(description="Record a new version")
    def record_link(self, obj):
        return format_html(
            '<a href="{}">Funding page</a>',
            reverse("partnerships:funding", args=[obj.partnership_id]),
        )


@admin.register(FundingSignOff)
class FundingSignOffAdmin(RecordAdmin):
    list_display = ["organisation", "formula", "signer_name", "signer_role", "signed_at"]
    list_filter = ["formula__partnership"]
    search_fields = ["organisation__name", "signer_name", "formula__partnership__name"]
    list_select_related = ["organisation", "formula__partnership"]
    fields = ["formula", "organisation", "signer_name", "signer_role", "signed_at", "signed_by"]
    readonly_fields = fields
