"""Forms for agreeing an action from a gap and for updating it."""

from crispy_forms_gds.layout import Field, Size
from django import forms

from common.forms import GovukDateField, GovukForm

from ..choices import OwnerRole
from .models import ActionStatus
from .services import FUNDING_OWNER_REQUIRED, PARTNERSHIP_ACTIONS_REFUSED, is_funding_gap

MAX_DESCRIPTION = 2000
OWN, PARTNERSHIP = "own", "partnership"


class DueDateField(GovukDateField):
    def __init__(self, **kwargs):
        super().__init__(what="due date", **kwargs)


class ActionDetailsForm(GovukForm):
    description = forms.CharField(
        label="What will be done",
        help_text="Say what will change and how you will know it has",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_DESCRIPTION,
        error_messages={
            "required": "Enter what will be done",
            "max_length": f"What will be done must be {MAX_DESCRIPTION} characters or fewer",
        },
    )
    owner_role = forms.ChoiceField(
        label="Who owns it",
        choices=OwnerRole.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who owns the action",
            "invalid_choice": "Select who owns the action from the list",
        },
    )
    owner_name = forms.CharField(
        label="Named person (optional)",
        help_text="For example the officer leading the work",
        required=False,
        max_length=150,
        error_messages={"max_length": "The named person must be 150 characters or fewer"},
    )
    due_on = DueDateField(label="Due date", help_text="For example 31 3 2027")

    details_layout = (
        Field.textarea("description"),
        Field.radios("owner_role", legend_size=Size.MEDIUM),
        Field.text("owner_name", field_width=20),
        Field("due_on"),
    )

    def __init__(self, *args, gap_code: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if is_funding_gap(gap_code):
            self.limit_owner_to_executives()

    def limit_owner_to_executives(self):
        """Funding actions belong to chief executives and finance directors."""
        owner = self.fields["owner_role"]
        owner.choices = [(OwnerRole.EXECUTIVE.value, OwnerRole.EXECUTIVE.label)]
        owner.initial = OwnerRole.EXECUTIVE.value
        owner.error_messages["invalid_choice"] = FUNDING_OWNER_REQUIRED


class NewActionForm(ActionDetailsForm):
    gap = forms.ChoiceField(
        label="Which gap will this action close?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the gap this action will close",
            "invalid_choice": "Select one of the gaps listed",
        },
    )
    scope = forms.ChoiceField(
        label="Whose action is it?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whose action it is",
            "invalid_choice": "Select whose action it is from the list",
        },
    )

    def __init__(
        self, *args, gaps: list[dict], organisation_name: str, may_plan_partnership: bool, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["gap"].choices = [
            (gap["key"], f"{gap['severity'].capitalize()}: {gap['message']}") for gap in gaps
        ]
        scopes = [(OWN, f"{organisation_name}'s action")]
        if may_plan_partnership:
            scopes.append((PARTNERSHIP, "The whole partnership's action (led by the lead partner)"))
        self.fields["scope"].choices = scopes
        if not may_plan_partnership:
            # Only a forged form offers any other scope.
            self.fields["scope"].error_messages["invalid_choice"] = PARTNERSHIP_ACTIONS_REFUSED
        self.fields["scope"].initial = OWN
        if len(scopes) == 1:
            self.fields["scope"].widget = forms.HiddenInput()
        chosen = next((g for g in gaps if g["key"] == self["gap"].value()), None)
        if chosen and is_funding_gap(chosen["code"]):
            self.limit_owner_to_executives()

    def get_layout(self):
        scope = (
            (Field.radios("scope", legend_size=Size.MEDIUM),)
            if not isinstance(self.fields["scope"].widget, forms.HiddenInput)
            else ("scope",)
        )
        return (
            Field.radios("gap", legend_size=Size.MEDIUM, legend_tag="h2"),
            *scope,
            *self.details_layout,
        )


class UpdateActionForm(ActionDetailsForm):
    status = forms.ChoiceField(
        label="Status",
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the action's status",
            "invalid_choice": "Select the action's status from the list",
        },
    )
    dropped_reason = forms.CharField(
        label="Why was it dropped?",
        help_text="Only if you select Dropped",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_DESCRIPTION,
        error_messages={
            "max_length": f"The reason must be {MAX_DESCRIPTION} characters or fewer",
        },
    )
    # Only a tampered or truncated form carries a bad version.
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            code: "This page is out of date: open the action again and make your changes"
            for code in ("required", "invalid", "min_value")
        },
    )

    def get_layout(self):
        return (
            Field.radios("status", legend_size=Size.MEDIUM, legend_tag="h2"),
            Field.textarea("dropped_reason"),
            *self.details_layout,
            "version",
        )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("status") == ActionStatus.DROPPED
            and not cleaned.get("dropped_reason", "").strip()
        ):
            self.add_error("dropped_reason", "Enter why the action is being dropped")
        return cleaned
