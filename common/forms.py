"""The GOV.UK form base: every page form renders through crispy-forms-gds and shows
its errors in one GOV.UK error summary."""

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout
from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.html import conditional_escape


class GovukFormMixin:
    """Gives a form a crispy `helper` built from its `layout` (a sequence of
    crispy-forms-gds layout objects; override `get_layout()` for fields added in
    `__init__`) and (link target, message) pairs for the error summary."""

    layout: tuple = ()
    form_method = "post"  # "get" for forms whose answers go in the address

    def get_layout(self):
        return self.layout

    @cached_property
    def helper(self) -> FormHelper:
        # Built on first use, so forms that add fields in __init__ lay them out too.
        self.escape_labels_and_hints()
        helper = FormHelper()
        helper.form_tag = False  # pages write their own <form>, CSRF token and buttons
        # A search form's choices live in the address: no CSRF token belongs there.
        helper.form_method = self.form_method
        helper.layout = Layout(*self.get_layout())
        return helper

    def escape_labels_and_hints(self) -> None:
        """crispy-forms-gds prints labels and hints with `|safe`, and ours carry text
        from people and files (organisation names, framework statements and
        guidance). Escape them here, at the boundary, so they always show as text;
        `conditional_escape` leaves already-safe text alone, so nothing is escaped
        twice."""
        for field in self.fields.values():
            if field.label:
                field.label = conditional_escape(field.label)
            if field.help_text:
                field.help_text = conditional_escape(field.help_text)

    def error_summary(self) -> list[tuple[str, str]]:
        """An error on radios or checkboxes links to the first option, as the design
        system asks; a form-wide error links to the first field."""
        names = list(self.fields)
        items = [(self._target(names[0]), error) for error in self.non_field_errors()]
        for name in names:
            items += [(self._target(name), error) for error in self.errors.get(name, [])]
        return items

    def _target(self, name: str) -> str:
        widget = self.fields[name].widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            return f"id_{name}_1"
        return f"id_{name}"


class GovukForm(GovukFormMixin, forms.Form):
    pass


class GovukDateField(DateInputField):
    """GOV.UK date input (day, month, year) that turns an impossible date (31 February,
    year 99999) into a message that says what to do, not Python's, and names the part
    missing from a date entered in part. `what` names the date in messages ("due
    date" gives "Enter the due date")."""

    def __init__(self, *, what: str, **kwargs):
        # Each part is checked on its own, so a missing month is named as such.
        super().__init__(require_all_fields=False, **kwargs)
        self.what = what
        self.error_messages["required"] = f"Enter the {what}"
        for field, name in zip(self.fields, ("day", "month", "year"), strict=True):
            field.validators[0].message = f"Enter the {what}'s {name} as a number"
            field.error_messages["incomplete"] = f"The {what} must include a {name}"

    def compress(self, data_list):
        try:
            return super().compress(data_list)
        except (ValidationError, OverflowError) as error:
            raise ValidationError(
                f"The {self.what} must be a real date, for example 31 3 2027"
            ) from error
