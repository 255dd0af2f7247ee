"""A coordinator's pages: the overview, members, rounds, people and the coordinators.
Every page loads the partnership through `get_partnership_to_coordinate` (another
partnership is a 404) and every change goes through the services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render


def show_errors(form, error: ValidationError) -> None:
    """A service's refusal shown on the form, against the field it names."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def done(request, partnership, message: str, *, refused: bool = False):
    """Back to the partnership's page, saying what happened (or why nothing did)."""
    (messages.error if refused else messages.success)(request, message)
    return redirect("coordination:partnership", pk=partnership.pk)


def form_page(request, partnership, form, template: str, change, **context):
    """The shape every coordinator's form page shares: on a valid POST, `change` (given
    the cleaned data) makes the change through a service and returns what to tell the
    person, and a ValidationError it raises shows on the form; otherwise the page,
    with status 400 when the form has errors."""
    if request.method == "POST" and form.is_valid():
        try:
            message = change(form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            return done(request, partnership, message)
    return render(
        request,
        template,
        {"partnership": partnership, "form": form, **context},
        status=400 if form.errors else 200,
    )
