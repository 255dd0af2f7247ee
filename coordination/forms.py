"""The coordinator's forms, in GOV.UK style. They check what a person typed; the
services check who may do it and what the data allows."""

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.utils import timezone

from assessments.models import Framework
from common.forms import GovukDateField, GovukForm
from partnerships.models import Membership, OrganisationKind, Role, gss_code_validator

NAME_MAX = 200


class SearchForm(GovukForm):
    form_method = "get"
    q = forms.CharField(
        label="Organisation name or GSS code",
        help_text="For example Cherwell or E07000177",
        max_length=NAME_MAX,
        error_messages={"required": "Enter part of a name, or a GSS code"},
    )
    layout = (Field.text("q", field_width=20),)


def _joined_on():
    return GovukDateField(
        what="date it joins", label="Date it joins", help_text="For example 1 4 2027"
    )


class JoinForm(GovukForm):
    joined_on = _joined_on()
    layout = (Field("joined_on"),)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"joined_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class NewOrganisationForm(JoinForm):
    name = forms.CharField(
        label="Name",
        max_length=NAME_MAX,
        error_messages={
            "required": "Enter the organisation's name",
            "max_length": f"The name must be {NAME_MAX} characters or fewer",
        },
    )
    kind = forms.ChoiceField(
        label="Kind of organisation",
        choices=OrganisationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of organisation"},
    )
    gss_code = forms.CharField(
        label="GSS code (optional)",
        help_text="Councils have one, like E07000177. Leave blank if it has none",
        required=False,
        max_length=9,
        error_messages={"max_length": "Enter a GSS code like E07000177"},
    )
    region = forms.CharField(label="Region (optional)", required=False, max_length=100)
    joined_on = _joined_on()

    layout = (
        Field.text("name"),
        Field.radios("kind", legend_size=Size.SMALL),
        Field.text("gss_code", field_width=10),
        Field.text("region", field_width=20),
        Field("joined_on"),
    )

    def clean_gss_code(self):
        # Upper-cased before the check, so e07000177 is as good as E07000177.
        code = self.cleaned_data["gss_code"].strip().upper()
        if code:
            gss_code_validator(code)
        return code


class EndMembershipForm(GovukForm):
    left_on = GovukDateField(
        what="date it leaves",
        label="Date it leaves",
        help_text="From this day it is no longer a member. For example 31 3 2027",
    )
    layout = (Field("left_on"),)


class LeadForm(GovukForm):
    membership = forms.ModelChoiceField(
        label="Lead partner",
        queryset=Membership.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose the lead partner"},
    )
    layout = (Field.radios("membership", legend_size=Size.SMALL),)

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["membership"]
        field.queryset = memberships
        field.label_from_instance = lambda membership: membership.organisation.name


class OpenRoundForm(GovukForm):
    name = forms.CharField(
        label="Name of the round",
        help_text="For example 2027 readiness review",
        max_length=200,
        error_messages={"required": "Enter a name for the round"},
    )
    framework = forms.ModelChoiceField(
        label="Framework version",
        queryset=Framework.objects.order_by("-loaded_at"),
        empty_label=None,
        error_messages={"required": "Choose the framework version"},
    )
    closes_on = GovukDateField(
        what="closing date",
        label="Closing date",
        help_text="Partners submit by this day. For example 30 6 2027",
    )
    layout = (Field.text("name"), Field.select("framework"), Field("closes_on"))

    def clean_closes_on(self):
        closes_on = self.cleaned_data["closes_on"]
        if closes_on < timezone.localdate():
            raise forms.ValidationError("The closing date must be today or in the future")
        return closes_on


class ReasonForm(GovukForm):
    reason = forms.CharField(
        label="Why does it need reopening?",
        help_text="The organisation's people see this reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        error_messages={
            "required": "Enter why the assessment needs to be reopened",
            "max_length": "The reason must be 500 characters or fewer",
        },
    )
    layout = (Field.textarea("reason"),)


class InviteForm(GovukForm):
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Membership.objects.none(),
        empty_label="Choose an organisation",
        error_messages={"required": "Choose the person's organisation"},
    )
    first_name = forms.CharField(
        label="First name", max_length=150, error_messages={"required": "Enter a first name"}
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, error_messages={"required": "Enter a last name"}
    )
    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter the person's email address",
            "invalid": "Enter an email address like name@council.gov.uk",
        },
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the person's role"},
    )
    job_title = forms.CharField(label="Job title (optional)", required=False, max_length=100)
    layout = (
        Field.select("organisation"),
        Field.text("first_name", field_width=20),
        Field.text("last_name", field_width=20),
        Field.text("email", field_width=30),
        Field.radios("role", legend_size=Size.SMALL),
        Field.text("job_title", field_width=30),
    )

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.queryset = memberships
        field.label_from_instance = lambda membership: membership.organisation.name


class CoordinatorForm(GovukForm):
    email = forms.EmailField(
        label="Their email address",
        help_text="They must already have an account here",
        error_messages={
            "required": "Enter the person's email address",
            "invalid": "Enter an email address like name@council.gov.uk",
        },
    )
    layout = (Field.text("email", field_width=30),)


class InvitationsFileForm(GovukForm):
    file = forms.FileField(
        label="Upload a CSV file",
        help_text="Columns: organisation, email, role, first_name, last_name (job_title optional)",
        error_messages={"required": "Choose a CSV file to upload", "empty": "The file is empty"},
    )
    layout = (Field("file"),)
