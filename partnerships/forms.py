from decimal import Decimal

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
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
        self.fields["username"].widget = forms.TextInput()


class ErrorSummaryMixin:
    """(link target, message) pairs for the GOV.UK error summary. An error on radios
    links to the first radio, as the design system asks."""

    def error_summary(self) -> list[tuple[str, str]]:
        names = list(self.fields)
        items = [(self._target(names[0]), error) for error in self.non_field_errors()]
        for name in names:
            items += [(self._target(name), error) for error in self.errors.get(name, [])]
        return items

    def _target(self, name: str) -> str:
        if isinstance(self.fields[name].widget, forms.RadioSelect):
            return f"id_{name}_1"
        return f"id_{name}"


class FundingFormulaForm(ErrorSummaryMixin, forms.Form):
    """The formula's text and, optionally, each current member's percentage share."""

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
        layout = [Field.textarea("text", rows=6, label_size=Size.MEDIUM)]
        for organisation in members:
            name = organisation.name
            self.fields[f"share_{organisation.pk}"] = forms.DecimalField(
                label=f"{name}'s share (%)",
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
            layout.append(Field.text(f"share_{organisation.pk}", field_width=5))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*layout)

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


class SignOffForm(ErrorSummaryMixin, forms.Form):
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
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("signer_name", field_width=20),
            Field.text("signer_role", field_width=20),
            Field.checkbox("confirm"),
        )
