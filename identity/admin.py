"""Administrators register identity providers and link organisations to them (saved
through identity.services, which checks HTTPS and that no domain leads to two
organisations), and read the security log (read-only, filterable)."""

from datetime import timedelta

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone

from common.admin import RecordAdmin

from .access import can_view_security_log
from .models import IdentityProvider, OrganisationSignIn, SecurityEvent
from .services import (
    check_domains_free,
    check_issuer_url,
    normalise_domains,
    remove_link,
    save_link,
    save_provider,
)


class IdentityProviderForm(forms.ModelForm):
    issuer_url = forms.URLField(
        label="Issuer URL",
        max_length=300,
        assume_scheme="https",
        help_text=IdentityProvider._meta.get_field("issuer_url").help_text,
    )
    client_secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Never shown again once saved. Leave blank to keep the current secret.",
    )

    class Meta:
        model = IdentityProvider
        fields = ["name", "slug", "issuer_url", "client_id", "client_secret", "is_active"]

    def clean_client_secret(self):
        secret = self.cleaned_data["client_secret"]
        if not secret and not self.instance.pk:
            raise ValidationError("Enter the client secret the provider gave you")
        return secret or self.instance.client_secret

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("issuer_url"):
            check_issuer_url(cleaned["issuer_url"])
        return cleaned


class OrganisationSignInForm(forms.ModelForm):
    class Meta:
        model = OrganisationSignIn
        fields = ["organisation", "email_domains", "just_in_time_accounts"]

    def clean_email_domains(self):
        return normalise_domains(self.cleaned_data["email_domains"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("email_domains"):
            probe = OrganisationSignIn(pk=self.instance.pk, email_domains=cleaned["email_domains"])
            check_domains_free(probe)
        return cleaned


class OrganisationSignInInline(admin.TabularInline):
    model = OrganisationSignIn
    form = OrganisationSignInForm
    extra = 1
    autocomplete_fields = ["organisation"]
    verbose_name_plural = (
        "Organisations that sign in here (delete a row to revoke single sign-on at once)"
    )


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    form = IdentityProviderForm
    list_display = ["name", "slug", "issuer_url", "is_active", "redirect_uri"]
    search_fields = ["name", "slug", "issuer_url", "organisation_links__organisation__name"]
    inlines = [OrganisationSignInInline]
    readonly_fields = ["redirect_uri"]

    @admin.display(description="Redirect URI to register with the provider")
    def redirect_uri(self, obj):
        if not obj or not obj.slug:
            return "Shown once saved"
        return f"<your site address>/accounts/oidc/{obj.slug}/login/callback/"

    def save_model(self, request, obj, form, change):
        save_provider(provider=obj, user=request.user)

    def save_formset(self, request, form, formset, change):
        links = formset.save(commit=False)
        for link in formset.deleted_objects:
            remove_link(link=link, user=request.user)
        for link in links:
            link.provider = form.instance
            save_link(link=link, user=request.user)

    def has_delete_permission(self, request, obj=None):
        # Turn a provider off instead; its links and the log keep their history.
        return False


class DayFilter(admin.SimpleListFilter):
    title = "when"
    parameter_name = "within"

    def lookups(self, request, model_admin):
        return [("1", "Last 24 hours"), ("7", "Last 7 days"), ("30", "Last 30 days")]

    def queryset(self, request, queryset):
        if self.value() in {"1", "7", "30"}:
            return queryset.filter(at__gte=timezone.now() - timedelta(days=int(self.value())))
        return queryset


@admin.register(SecurityEvent)
class SecurityEventAdmin(RecordAdmin):
    list_display = [
        "at",
        "kind",
        "succeeded",
        "username",
        "organisation",
        "method",
        "ip_address",
        "actor",
        "detail",
    ]
    list_filter = [DayFilter, "kind", "succeeded", "method", "organisation__kind"]
    search_fields = ["username", "ip_address", "detail", "organisation__name"]
    list_select_related = ["organisation", "actor"]
    date_hierarchy = "at"
    list_per_page = 100
    fields = list_display
    readonly_fields = fields
    show_full_result_count = False  # the log grows large; counting it all is slow

    def has_view_permission(self, request, obj=None):
        # Who reads the log is the access module's answer, not only Django's staff flag.
        return can_view_security_log(request.user) and super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return can_view_security_log(request.user) and super().has_module_permission(request)
