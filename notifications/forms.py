from crispy_forms_gds.layout import Field, Size
from django import forms

from common.forms import GovukForm


class PreferenceForm(GovukForm):
    reminders = forms.TypedChoiceField(
        label="Do you want reminder emails?",
        help_text="Reminders before a round closes, and about actions you own that are due "
        "or overdue. Notices that your assessment was reopened, that a funding formula "
        "needs your signature and that a round has opened are always sent.",
        choices=[("yes", "Yes, send me reminders"), ("no", "No, do not send me reminders")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether you want reminder emails",
            "invalid_choice": "Select whether you want reminder emails",
        },
    )

    layout = (Field.radios("reminders", legend_size=Size.MEDIUM, legend_tag="h2"),)
