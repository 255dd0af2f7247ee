"""Identity providers that organisations sign in with, and the security event log.

An administrator registers each OpenID Connect provider (a council's Microsoft Entra
ID tenant, a shared NHS tenant, Google Workspace, Okta, Keycloak...) and links
organisations to it with their email domains. allauth reads the providers through our
adapter (`identity.adapters`), so a new provider works at once, without a restart.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from partnerships.models import Organisation, Partnership


class IdentityProvider(models.Model):
    name = models.CharField(
        max_length=200, help_text="For example Oxfordshire councils' Microsoft Entra ID"
    )
    slug = models.SlugField(
        max_length=40,
        unique=True,
        help_text=(
            "A short name in lower case, like oxfordshire-entra. It is part of the "
            "redirect URI that you register with the provider."
        ),
    )
    issuer_url = models.URLField(
        "Issuer URL",
        max_length=300,
        help_text=(
            "The provider's issuer, for Entra ID https://login.microsoftonline.com/<tenant id>/v2.0"
        ),
    )
    client_id = models.CharField("Client ID", max_length=255)
    # Kept like allauth keeps its own client secrets; never shown again once saved.
    client_secret = models.CharField(max_length=255)
    is_active = models.BooleanField(
        "Active", default=True, help_text="Turn off to stop all sign-ins through this provider"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


domain_list_validator = RegexValidator(
    r"^\s*[a-z0-9.-]+\.[a-z]{2,}(\s*[,\s]\s*[a-z0-9.-]+\.[a-z]{2,})*\s*$",
    "Enter email domains like cherwell.gov.uk, separated by commas or spaces",
)


class OrganisationSignIn(models.Model):
    """An organisation's link to its identity provider. People whose work email is in
    one of `email_domains` sign in there. Deleting the link revokes single sign-on for
    the organisation at once; accounts stay, and can use a password if they have one."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="sign_in"
    )
    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.PROTECT, related_name="organisation_links"
    )
    # Normalised by the service to lower case, one space between domains. A domain
    # belongs to one organisation only (checked by the service).
    email_domains = models.CharField(
        max_length=500,
        validators=[domain_list_validator],
        help_text="The organisation's email domains, like cherwell.gov.uk, separated by commas",
    )
    just_in_time_accounts = models.BooleanField(
        "Create accounts on first sign-in",
        default=False,
        help_text=(
            "People with a verified email address in these domains get an account the "
            "first time they sign in, with no role until an administrator or the "
            "organisation's executive gives them one. Off: only invited people get in."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = "organisation sign-in link"

    def __str__(self) -> str:
        return f"{self.organisation} through {self.provider}"

    @property
    def domains(self) -> list[str]:
        return self.email_domains.split()


class EventKind(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    LOCKED_OUT = "locked_out", "Signing in paused after failures"
    SIGN_OUT = "sign_out", "Signed out"
    ACCOUNT_LINKED = "account_linked", "Account linked to identity provider"
    ACCOUNT_CREATED = "account_created", "Account created"
    MFA_ADDED = "mfa_added", "Authenticator app set up"
    MFA_REMOVED = "mfa_removed", "Authenticator app removed"
    MFA_FAILED = "mfa_failed", "Wrong security code"
    MFA_RESET = "mfa_reset", "Second factor reset by an administrator"
    RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
    RECOVERY_CODES_NEW = "recovery_codes_new", "New recovery codes"
    ROLE_CHANGED = "role_changed", "Role changed"
    ORGANISATION_CHANGED = "organisation_changed", "Organisation changed"
    ACCESS_CHANGED = "access_changed", "Administrator access or account status changed"
    INVITATION_SENT = "invitation_sent", "Invitation sent"
    REPORT_DOWNLOADED = "report_downloaded", "Report PDF downloaded"
    EXPORT_DOWNLOADED = "export_downloaded", "Data exported"
    REOPENED = "reopened", "Assessment or round reopened"
    FRAMEWORK_UPLOADED = "framework_uploaded", "Framework uploaded"
    ORGANISATIONS_IMPORTED = "organisations_imported", "Organisations imported"
    PROVIDER_CHANGED = "provider_changed", "Identity provider or link changed"
    PARTNERSHIP_CHANGED = "partnership_changed", "Partnership changed"
    SHARING_CHANGED = "sharing_changed", "Score sharing or peer benchmark changed"


class SecurityEvent(models.Model):
    """One thing that matters for security, for administrators to review. Never holds a
    password, token, secret or evidence text: `detail` is a short sentence written by
    our code (names, counts, identifiers), not text a person typed."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    succeeded = models.BooleanField(default=True)
    # The person the event is about; `username` keeps what was typed for failed
    # sign-ins and survives the account's deletion.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="security_events",
    )
    username = models.CharField(max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who did it, when someone else acted (an administrator changing a role).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The partnership a change was made in (coordinators' and administrators' work),
    # so its coordination page can list what changed.
    partnership = models.ForeignKey(
        Partnership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    method = models.CharField(max_length=30, blank=True)
    ip_address = models.GenericIPAddressField("Address", null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["kind", "at"]),
            models.Index(fields=["user", "at"]),
            models.Index(fields=["partnership", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.username or 'no account'})"
