import re

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import HTML, Div, Field, Size
from django import forms
from django.utils.html import format_html
from django.utils.text import Truncator

from common.forms import GovukForm

from ..models import Level
from .services import COMMENT_MAX_CHARACTERS, EVIDENCE_MAX_CHARACTERS, AnswerInput

ANSWER_FIELD = re.compile(r"^(level|evidence|comment|version)_(\d+)$")
RELOAD_MESSAGE = (
    "This page is missing information it needs to save your answers safely. "
    "Copy anything you typed, reload the page, then enter your answers again"
)


def short_statement(question) -> str:
    return Truncator(question.statement).words(9)


def statement_hint(question) -> str:
    """The statement's guidance; for a gated statement, the "Critical" marker first.

    The marker goes in the hint because the radios' fieldset points to the hint with
    aria-describedby, so screen readers announce it with the statement. format_html
    escapes the guidance, as the form base would."""
    if question.gate_level is None:
        return question.guidance
    return format_html(
        '<span class="app-gate"><strong class="govuk-tag govuk-tag--red">Critical</strong> '
        "Below level {} is a critical gap for the whole partnership.</span> {}",
        question.gate_level,
        question.guidance,
    )


class DimensionForm(GovukForm):
    """One dimension's statements: a level (0-4), evidence and a comment each.

    "Save as draft" may leave levels empty; "Save and continue" needs every one.
    A hidden version per statement lets the service detect a concurrent save."""

    def __init__(self, *args, questions, answers, require_complete=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.require_complete = require_complete
        self.answers = answers
        for question in questions:
            self._add_fields(question, answers[question.pk])

    def get_layout(self):
        return [self._question_layout(q, self.answers[q.pk]) for q in self.questions]

    def _add_fields(self, question, answer) -> None:
        qid = question.pk
        level_message = f"Select a level from 0 to 4 for “{short_statement(question)}”"
        self.fields[f"level_{qid}"] = forms.TypedChoiceField(
            label=question.statement,
            help_text=statement_hint(question),
            choices=[
                Choice(value, f"{value} – {label}", hint=question.descriptor(value))
                for value, label in Level.choices
            ],
            coerce=int,
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
            initial=answer.level,
            error_messages={"invalid_choice": level_message, "required": level_message},
        )
        self.fields[f"evidence_{qid}"] = self._text_field(
            "Evidence",
            "Say what shows this, for example a signed agreement or a committee decision, "
            f"with links where you can. You can enter up to {EVIDENCE_MAX_CHARACTERS:,} "
            "characters.",
            EVIDENCE_MAX_CHARACTERS,
            f"Evidence for “{short_statement(question)}”",
            answer.evidence,
        )
        self.fields[f"comment_{qid}"] = self._text_field(
            "Comment (optional)",
            f"Anything the partnership should know. You can enter up to "
            f"{COMMENT_MAX_CHARACTERS:,} characters.",
            COMMENT_MAX_CHARACTERS,
            f"The comment on “{short_statement(question)}”",
            answer.comment,
        )
        self.fields[f"version_{qid}"] = forms.IntegerField(
            widget=forms.HiddenInput, initial=answer.version, min_value=1
        )

    @staticmethod
    def _text_field(label, help_text, limit, what, initial) -> forms.CharField:
        field = forms.CharField(
            label=label,
            help_text=help_text,
            required=False,
            strip=False,
            max_length=limit,
            widget=forms.Textarea,
            initial=initial,
            error_messages={"max_length": f"{what} must be {limit:,} characters or fewer"},
        )
        # No maxlength attribute: browsers would cut off pasted text without saying so.
        # The character count tells the user instead, and the server refuses the excess.
        field.widget.attrs.pop("maxlength", None)
        return field

    def _question_layout(self, question, answer) -> Div:
        qid = question.pk
        parts = []
        if answer.copied:
            parts.append(
                HTML(
                    '<strong class="govuk-tag govuk-tag--blue app-copied-tag">'
                    "Copied from your last assessment: check and save</strong>"
                )
            )
        parts += [
            Field.radios(f"level_{qid}", legend_size=Size.MEDIUM, legend_tag="h2", small=True),
            Field.textarea(f"evidence_{qid}", rows=4, max_characters=EVIDENCE_MAX_CHARACTERS),
            Field.textarea(f"comment_{qid}", rows=2, max_characters=COMMENT_MAX_CHARACTERS),
            Field(f"version_{qid}"),
        ]
        return Div(*parts, css_class="app-question", css_id=f"question-{qid}")

    def clean(self):
        cleaned = super().clean()
        own_ids = {str(q.pk) for q in self.questions}
        foreign = {m.group(2) for key in self.data if (m := ANSWER_FIELD.match(key))} - own_ids
        if foreign:
            raise forms.ValidationError(
                "This form included a statement that is not on this page. "
                "Reload the page and enter your answers again"
            )
        version_errors = [
            f"version_{q.pk}" for q in self.questions if f"version_{q.pk}" in self.errors
        ]
        if version_errors:
            for name in version_errors:
                del self.errors[name]
            raise forms.ValidationError(RELOAD_MESSAGE)
        if self.require_complete:
            for question in self.questions:
                name = f"level_{question.pk}"
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(name, self.fields[name].error_messages["required"])
        return cleaned

    def answer_inputs(self) -> list[AnswerInput]:
        data = self.cleaned_data
        return [
            AnswerInput(
                question_id=q.pk,
                level=data[f"level_{q.pk}"],
                evidence=data[f"evidence_{q.pk}"],
                comment=data[f"comment_{q.pk}"],
                version=data[f"version_{q.pk}"],
            )
            for q in self.questions
        ]

    def with_versions(self, versions: dict[int, int]) -> "DimensionForm":
        """A copy of this bound form whose hidden versions are the current ones, so the
        user can save their reconciled answers on purpose after a conflict."""
        data = self.data.copy()
        for qid, version in versions.items():
            data[f"version_{qid}"] = str(version)
        self.data = data
        return self


class ReopenForm(GovukForm):
    reason = forms.CharField(
        label="Why does this assessment need to be reopened?",
        help_text="The partner and other administrators will see this reason.",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={
            "required": "Enter why the assessment needs to be reopened",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )
    layout = (Field.textarea("reason", rows=4),)


class StartForm(GovukForm):
    """How to begin: blank, or from the organisation's last submitted assessment."""

    start_from = forms.ChoiceField(
        label="How do you want to start?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you want to start the assessment"},
    )

    def __init__(self, *args, previous=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        if previous is not None:
            choices.append(
                Choice(
                    "copy",
                    f"Copy the answers from our assessment for {previous.round.name} "
                    f"({previous.round.partnership.name})",
                    hint=f"Submitted on {previous.submitted_at:%-d %B %Y}. Copied answers are "
                    "marked until you check and save each dimension.",
                )
            )
        choices.append(Choice("blank", "Start with no answers"))
        self.fields["start_from"].choices = choices

    layout = (Field.radios("start_from", legend_size=Size.MEDIUM),)
