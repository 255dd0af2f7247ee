"""Partner organisations, partnerships, their members and people, and the funding formula.

This app knows nothing about assessments; `assessments` builds on it.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from common.access import scoped_to_organisation


class OrganisationKind(models.TextChoices):
    COUNTY = "county", "County council"
    DISTRICT = "district", "District council"
    UNITARY = "unitary", "Unitary authority"
    METROPOLITAN = "metropolitan", "Metropolitan borough council"
    LONDON_BOROUGH = "london_borough", "London borough council"
    POLICE = "police", "Police"
    FIRE = "fire", "Fire and rescue service"
    NHS = "nhs", "NHS body"
    HOUSING = "housing", "Housing association"
    VOLUNTARY = "voluntary", "Voluntary and community sector"
    OTHER = "other", "Other"


gss_code_validator = RegexValidator(
    r"^[EWSN]\d{8}$",
    "Enter a GSS code as a letter E, W, S or N followed by 8 digits, like E06000001",
)


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The user's own organisation; all for staff."""
        return scoped_to_organisation(self, user, lambda qs, org_id: qs.filter(pk=org_id))

    def matching(self, query: str):
        """Organisations a person finds by typing part of the name or the GSS code."""
        return self.filter(Q(name__icontains=query) | Q(gss_code__iexact=query))


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    # ONS Government Statistical Service code; councils have one, most other bodies
    # do not. NULL (not "") when absent so the unique constraint ignores it.
    gss_code = models.CharField(
        "GSS code",
        max_length=9,
        null=True,
        blank=True,
        unique=True,
        validators=[gss_code_validator],
        help_text="ONS code such as E06000001. Leave blank if the organisation has none.",
    )
    region = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Forms give "" for an empty optional field; store NULL so that many
        # organisations without a code do not collide on the unique constraint.
        self.gss_code = (self.gss_code or "").strip().upper() or None
        super().save(*args, **kwargs)


def still_a_member(prefix: str = "", on=None) -> Q:
    """A membership that has not ended by `on` (today by default). `left_on` is the day
    the member left: from that day it is no longer a member."""
    on = on or timezone.localdate()
    return Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": on})


class PartnershipQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Partnerships the user's organisation currently belongs to, and those the
        user coordinates; all for staff."""
        # Subqueries, not joins: joining every membership and every coordinator row
        # and then filtering made this the slowest query of a report page at scale.
        members = scoped_to_organisation(
            self,
            user,
            lambda qs, org_id: qs.filter(
                pk__in=Membership.objects.filter(still_a_member(), organisation_id=org_id).values(
                    "partnership_id"
                )
            ),
        )
        if not user.is_authenticated:
            return members
        coordinated = Coordinator.objects.filter(user_id=user.pk).values("partnership_id")
        return members | self.filter(pk__in=coordinated)


class Partnership(models.Model):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MembershipRole(models.TextChoices):
    LEAD = "lead", "Lead partner"
    MEMBER = "member", "Member"


class MembershipQuerySet(models.QuerySet):
    def current(self, on=None):
        return self.filter(still_a_member(on=on))


class Membership(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(
        max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    joined_on = models.DateField(default=timezone.localdate)
    # A member that leaves keeps its row, so past rounds and reports stay as they were.
    left_on = models.DateField(null=True, blank=True)
    # Part of the cached report's fingerprint: any change to a membership shows.
    updated_at = models.DateTimeField(auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation"], name="one_membership_per_organisation"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_leaves_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.partnership}"


class Role(models.TextChoices):
    ICT_MANAGER = "ict_manager", "ICT manager"
    EXECUTIVE = "executive", "Executive (chief executive or finance director)"


class UserQuerySet(models.QuerySet):
    def select_for_update(self, nowait=False, skip_locked=False, of=(), no_key=False):
        """Locks the user rows only, unless told otherwise: the organisation joined in
        below is on the nullable side of an outer join, which PostgreSQL refuses to
        lock (allauth locks the user row when it makes new recovery codes)."""
        return super().select_for_update(
            nowait=nowait, skip_locked=skip_locked, of=of or ("self",), no_key=no_key
        )


class UserQueryManager(UserManager.from_queryset(UserQuerySet)):
    def get_queryset(self):
        # Every page shows the signed-in user's organisation in the header; loading it
        # with the user saves a query on every request.
        return super().get_queryset().select_related("organisation")


class User(AbstractUser):
    """A person at a partner organisation. Administrators are staff users and may
    have no organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    job_title = models.CharField(
        max_length=100, blank=True, help_text="For example Chief Executive or Director of Finance"
    )

    objects = UserQueryManager()

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role="") | Q(role__in=Role.values),
                name="user_role_is_known",
            ),
        ]


class Coordinator(models.Model):
    """A person who runs a partnership from its coordination pages: members, rounds,
    invitations, reopenings, the funding formula. Usually the lead partner's programme
    manager; a person may coordinate several partnerships. Coordinators see statuses
    and scores, as members do, never another organisation's evidence."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="coordinators"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordinations"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partnership", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "user"], name="one_coordinator_row_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} coordinates {self.partnership}"


class FundingFormula(models.Model):
    """One version of a partnership's funding formula. Editing the formula makes a
    new version, which needs every member's sign-off again."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="funding_formulas"
    )
    version = models.PositiveIntegerField()
    text = models.TextField(help_text="How the partnership's costs and savings are shared")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["partnership", "-version"]
        verbose_name_plural = "funding formulas"
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "version"], name="one_funding_formula_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partnership} funding formula v{self.version}"


class FundingShare(models.Model):
    """A member's percentage share of costs under one version of the formula."""

    formula = models.ForeignKey(FundingFormula, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    percentage = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["formula", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["formula", "organisation"], name="one_share_per_organisation"
            ),
            models.CheckConstraint(
                condition=Q(percentage__gte=0, percentage__lte=100),
                name="share_between_0_and_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.percentage}%"


class FundingSignOff(models.Model):
    """A member organisation's executive agreeing one version of the formula."""

    formula = models.ForeignKey(FundingFormula, on_delete=models.CASCADE, related_name="sign_offs")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Kept as typed at the time, so the record survives later changes to the user.
    signer_name = models.CharField(max_length=150)
    signer_role = models.CharField(max_length=100)
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["formula", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["formula", "organisation"], name="one_sign_off_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} signed {self.formula}"
