from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html

from .models import (
    FundingFormula,
    FundingShare,
    FundingSignOff,
    Membership,
    Organisation,
    Partnership,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "role", "joined_on", "left_on"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
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
                    "memberships", filter=Q(memberships__left_on__isnull=True), distinct=True
                ),
                users_count=Count("users", distinct=True),
            )
        )

    @admin.display(description="Partnerships", ordering="current_partnerships")
    def partnership_count(self, obj):
        return obj.current_partnerships

    @admin.display(description="Users", ordering="users_count")
    def user_count(self, obj):
        return obj.users_count


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "member_count", "created_at"]
    search_fields = ["name", "memberships__organisation__name"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                current_members=Count(
                    "memberships", filter=Q(memberships__left_on__isnull=True), distinct=True
                )
            )
        )

    @admin.display(description="Current members", ordering="current_members")
    def member_count(self, obj):
        return obj.current_members


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["organisation", "partnership", "role", "joined_on", "left_on"]
    list_filter = ["role", "partnership", "organisation__kind"]
    search_fields = ["organisation__name", "organisation__gss_code", "partnership__name"]
    autocomplete_fields = ["organisation", "partnership"]
    list_select_related = ["organisation", "partnership"]
    date_hierarchy = "joined_on"


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
class FundingFormulaAdmin(admin.ModelAdmin):
    """Read-only here: a formula changes only by recording a new version on the
    partnership's funding page, so every member signs what they agree to."""

    list_display = ["partnership", "version", "created_at", "sign_off_count", "record_link"]
    list_filter = ["partnership"]
    search_fields = ["partnership__name", "text"]
    list_select_related = ["partnership"]
    fields = ["partnership", "version", "text", "created_at", "created_by", "record_link"]
    readonly_fields = fields
    inlines = [FundingShareInline, FundingSignOffInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Viewing only; the change form shows every field read-only.
        return request.method in ("GET", "HEAD") and super().has_change_permission(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(sign_offs_count=Count("sign_offs"))

    @admin.display(description="Sign-offs", ordering="sign_offs_count")
    def sign_off_count(self, obj):
        return obj.sign_offs_count

    @admin.display(description="Record a new version")
    def record_link(self, obj):
        return format_html(
            '<a href="{}">Funding page</a>',
            reverse("partnership_funding", args=[obj.partnership_id]),
        )


@admin.register(FundingSignOff)
class FundingSignOffAdmin(admin.ModelAdmin):
    list_display = ["organisation", "formula", "signer_name", "signer_role", "signed_at"]
    list_filter = ["formula__partnership"]
    search_fields = ["organisation__name", "signer_name", "formula__partnership__name"]
    list_select_related = ["organisation", "formula__partnership"]
    fields = ["formula", "organisation", "signer_name", "signer_role", "signed_at", "signed_by"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.method in ("GET", "HEAD") and super().has_change_permission(request, obj)
