import re
from decimal import Decimal

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.html import format_html

from common.forms import GovukForm, GovukFormMixin


class SignInForm(GovukFormMixin, AuthenticationForm):
    """Django's sign-in form with GOV.UK-style messages that say what to do."""

    error_messages = {
        "invalid_login": (
            "Enter a correct username and password. Both are case-sensitive; "
            "ask your administrator if you have forgotten them"
        ),
        "inactive": "This account has been turned off. Ask your administrator to turn it on",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["password"].strip = False
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
        self.fields["username"].widget = forms.TextInput(
            attrs={"autocomplete": "username", "spellcheck": "false"}
        )

    layout = (
        Field.text("username", field_width=20),
        Field.text("password", field_width=20),
    )


class ResetPasswordForm(GovukFormMixin, PasswordResetForm):
    """Asks for the account's email address, to send a link to choose a password."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages = {
            "required": "Enter your email address",
            "invalid": "Enter an email address like name@council.gov.uk",
        }
        self.fields["email"].widget.attrs.update({"spellcheck": "false", "autocomplete": "email"})

    layout = (Field.text("email", field_width=20),)


class ChoosePasswordForm(GovukFormMixin, SetPasswordForm):
    """An invited person (or one who forgot their password) chooses a password."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = ""
        self.fields["new_password2"].label = "Confirm the new password"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget.attrs.update({"autocomplete": "new-password"})

    layout = (
        Field.text("new_password1", field_width=20),
        Field.text("new_password2", field_width=20),
    )


class FundingFormulaForm(GovukForm):
    """The formula's text and, optionally, each current member's percentage share."""

    class TextInput(forms.TextInput):
        """A GOV.UK text input with a "%" suffix, for a share. Keeps the name TextInput
        because crispy-forms-gds chooses the classes govuk-input and govuk-input--error
        by the widget's class name."""

        def __init__(self):
            super().__init__(
                attrs={
                    "inputmode": "decimal",
                    "spellcheck": "false",
                    "autocomplete": "off",
                    "data-app-share": "",  # static/js/funding-total.js adds these up
                }
            )

        def format_value(self, value):
            if isinstance(value, Decimal):
                value = FundingFormulaForm.percent(value)
            return super().format_value(value)

        def render(self, name, value, attrs=None, renderer=None):
            return format_html(
                '<div class="govuk-input__wrapper">{}'
                '<div class="govuk-input__suffix" aria-hidden="true">%</div></div>',
                super().render(name, value, attrs, renderer),
            )

    # What the running total counts: a share as it could be valid (up to 3 digits and 2
    # decimal places). Anything else counts as 0, here and in static/js/funding-total.js.
    COUNTED_SHARE = re.compile(r"\d{1,3}(\.\d{0,2})?|\.\d{1,2}")

    text = forms.CharField(
        label="How is the partnership funded?",
        help_text="Say how costs and savings are shared between partners, and when the "
        "formula is reviewed.",
        widget=forms.Textarea,
        max_length=10000,
        error_messages={
            "required": "Enter the funding formula",
            "max_length": "The funding formula must be 10,000 characters or fewer",
        },
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        for organisation in members:
            name = organisation.name
            self.fields[f"share_{organisation.pk}"] = forms.DecimalField(
                label=f"{name}'s share (%)",
                widget=self.TextInput(),
                required=False,
                max_digits=5,
                decimal_places=2,
                min_value=0,
                max_value=100,
                error_messages={
                    "invalid": f"Enter {name}'s share as a number, like 25 or 12.5",
                    "min_value": f"{name}'s share must be 0 or more",
                    "max_value": f"{name}'s share must be 100 or less",
                    "max_digits": f"{name}'s share must be 100 or less",
                    "max_decimal_places": f"Give {name}'s share to no more than 2 decimal places",
                    "max_whole_digits": f"{name}'s share must be 100 or less",
                },
            )

    def get_layout(self):
        return [
            Field.textarea("text", rows=6, label_size=Size.MEDIUM),
            *(Field.text(f"share_{o.pk}", field_width=5) for o in self.members),
        ]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        shares = self.shares()
        if shares and len(shares) != len(self.members):
            raise forms.ValidationError(
                "Enter a share for every member, or leave all the shares blank"
            )
        total = sum(shares.values(), Decimal(0))
        if shares and total != 100:
            raise forms.ValidationError(
                f"The shares add up to {total:g}%. They must add up to 100%"
            )
        return cleaned

    def shares(self) -> dict[int, Decimal]:
        return {
            organisation.pk: self.cleaned_data[f"share_{organisation.pk}"]
            for organisation in self.members
            if self.cleaned_data.get(f"share_{organisation.pk}") is not None
        }

    def share_total(self) -> str:
        """The running total of the shares on the page, as the page's script writes it:
        "Total: 75% — 25% still to share". From the submitted values after a POST (even
        ones the form refused), from the current version's before."""
        total = Decimal(0)
        for organisation in self.members:
            value = self[f"share_{organisation.pk}"].value()
            text = self.percent(value) if isinstance(value, Decimal) else str(value or "")
            if self.COUNTED_SHARE.fullmatch(text.strip()):
                total += Decimal(text.strip())
        remaining = 100 - total
        if remaining > 0:
            return f"Total: {self.percent(total)}% — {self.percent(remaining)}% still to share"
        if remaining < 0:
            return f"Total: {self.percent(total)}% — {self.percent(-remaining)}% too much"
        return "Total: 100% — all shared"

    @staticmethod
    def percent(value: Decimal) -> str:
        """75, 12.5 or 33.33: no exponent and no trailing zeros."""
        text = f"{value:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text


class SignOffForm(GovukForm):
    signer_name = forms.CharField(
        label="Your full name",
        max_length=150,
        error_messages={"required": "Enter your full name"},
    )
    signer_role = forms.CharField(
        label="Your role",
        help_text="For example Chief Executive or Director of Finance",
        max_length=100,
        error_messages={"required": "Enter your role"},
    )
    confirm = forms.BooleanField(
        error_messages={"required": "Confirm that you agree the funding formula"},
    )

    def __init__(self, *args, organisation_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "confirm"
        ].label = f"I agree this funding formula on behalf of {organisation_name}"

    layout = (
        Field.text("signer_name", field_width=20),
        Field.text("signer_role", field_width=20),
        Field.checkbox("confirm"),
    )
