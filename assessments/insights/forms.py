"""The "what if" form: members to remove, organisations to add, and a search for more.
It checks what was chosen; the projection never saves anything."""

from crispy_forms.layout import HTML
from crispy_forms_gds.layout import Field, Size
from django import forms

from common.forms import GovukForm

from .projection import MAX_CHANGES

SEARCH_BUTTON = HTML(
    '<button type="submit" class="govuk-button govuk-button--secondary" '
    'data-module="govuk-button">Search</button>'
)


def _candidate_label(candidate: dict) -> str:
    judged = "assessed elsewhere" if candidate["assessed"] else "not assessed"
    return f"{candidate['name']} ({candidate['kind'].lower()}, {judged})"


class WhatIfForm(GovukForm):
    form_method = "get"
    remove = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        label="Members to remove",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose members to remove from the list"},
    )
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Find an organisation to add",
        help_text="Part of its name, or its GSS code, for example Vale or E07000180",
        error_messages={"max_length": "Enter 200 characters or fewer to search for"},
    )
    add = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        label="Organisations to add",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose organisations to add from the search results"},
    )

    def __init__(self, data, *, members: list[tuple[int, str]], candidates: list[dict]):
        super().__init__(data)
        self.fields["remove"].choices = members
        self.fields["add"].choices = [(c["id"], _candidate_label(c)) for c in candidates]
        if not candidates and not self.data.getlist("add"):
            del self.fields["add"]

    def get_layout(self):
        layout = [
            Field.checkboxes("remove", small=True, legend_size=Size.MEDIUM, legend_tag="h2"),
            Field.text("q", field_width=20),
            SEARCH_BUTTON,
        ]
        if "add" in self.fields:
            layout.append(
                Field.checkboxes("add", small=True, legend_size=Size.MEDIUM, legend_tag="h2")
            )
        return layout

    def clean_remove(self):
        remove = self.cleaned_data["remove"]
        if len(remove) > MAX_CHANGES:
            raise forms.ValidationError(f"Choose {MAX_CHANGES} members to remove or fewer")
        if remove and len(remove) == len(self.fields["remove"].choices):
            raise forms.ValidationError("Keep at least one member")
        return remove

    def clean_add(self):
        add = self.cleaned_data["add"]
        if len(add) > MAX_CHANGES:
            raise forms.ValidationError(f"Choose {MAX_CHANGES} organisations to add or fewer")
        return add


class ScoreSharingForm(GovukForm):
    share = forms.TypedChoiceField(
        coerce=lambda value: value == "yes",
        choices=[
            ("yes", "Yes, show our scores in other partnerships' projections"),
            ("no", "No, show only the verdict and the number of gaps"),
        ],
        widget=forms.RadioSelect,
        label="Can other partnerships see your dimension scores when they project adding you?",
        error_messages={"required": "Choose whether other partnerships can see your scores"},
    )
    layout = (Field.radios("share", legend_size=Size.MEDIUM, legend_tag="h2"),)
