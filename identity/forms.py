"""The sign-in and second-factor forms, in GOV.UK style. The code forms are allauth's
(they check codes, rate-limit guesses and mark recovery codes used); these classes only
give them our labels and messages."""

from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.totp.forms import ActivateTOTPForm
from crispy_forms_gds.layout import Field, Size
from django import forms

from common.forms import GovukForm, GovukFormMixin
from partnerships.models import Role

WRONG_CODE = (
    "The code is not right. Enter the 6-digit code your authenticator app shows now, or "
    "one of your recovery codes"
)


def _code_field(field: forms.Field, label: str, hint: str) -> None:
    field.label = label
    field.help_text = hint
    field.error_messages["required"] = "Enter the code"
    field.widget.attrs.update(
        {"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
    )
    field.widget.attrs.pop("placeholder", None)


class _PlainCodeErrors:
    """allauth's "Incorrect code." says what went wrong, not what to do; its other
    messages (too many attempts) are kept."""

    def clean(self):
        cleaned = super().clean()
        if "code" in self.errors:
            self.errors["code"] = self.error_class(
                [
                    WRONG_CODE if error.code == "incorrect_code" else message
                    for error in self.errors.as_data()["code"]
                    for message in error.messages
                ]
            )
        return cleaned


class OrganisationEmailForm(GovukForm):
    email = forms.EmailField(
        label="Work email address",
        help_text="We send you to your organisation's sign-in page",
        error_messages={
            "required": "Enter your work email address",
            "invalid": "Enter an email address like name@council.gov.uk",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    layout = (Field.text("email", field_width=20),)


class SignInCodeForm(_PlainCodeErrors, GovukFormMixin, AuthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(
            self.fields["code"],
            "Security code",
            "The 6-digit code from your authenticator app, or a recovery code",
        )

    layout = (Field.text("code", field_width=10),)


class SetUpAuthenticatorForm(_PlainCodeErrors, GovukFormMixin, ActivateTOTPForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(
            self.fields["code"],
            "Enter the 6-digit code the app shows",
            "This checks the app is set up",
        )

    layout = (Field.text("code", field_width=5),)


class ConfirmRemovalForm(SignInCodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = "Enter a code to confirm"

    def save(self):
        """Checking the code is all that is needed; the removal is the view's."""


class AssignRoleForm(GovukForm):
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a role"},
    )
    layout = (Field.radios("role", legend_size=Size.SMALL),)
