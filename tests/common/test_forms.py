"""The GOV.UK form base: a crispy layout from `layout`, and an error summary whose
links reach the field (the first option, for radios)."""

from crispy_forms_gds.layout import Field
from django import forms

from common.forms import GovukForm


class ExampleForm(GovukForm):
    name = forms.CharField(error_messages={"required": "Enter a name"})
    colour = forms.ChoiceField(
        choices=[("red", "Red"), ("blue", "Blue")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select a colour"},
    )

    layout = (Field.text("name"), Field.radios("colour"))

    def clean(self):
        raise forms.ValidationError("Something about the whole form")


def test_the_helper_lays_out_the_fields_without_a_form_tag():
    form = ExampleForm()
    assert form.helper.form_tag is False
    assert [field.fields[0] for field in form.helper.layout.fields] == ["name", "colour"]


def test_the_error_summary_links_each_error_to_its_field():
    form = ExampleForm(data={})
    assert not form.is_valid()
    assert form.error_summary() == [
        ("id_name", "Something about the whole form"),
        ("id_name", "Enter a name"),
        ("id_colour_1", "Select a colour"),
    ]
