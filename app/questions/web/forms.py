"""The fund manager's question form, and the NGO's answers form built from a call's questions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import Length, Optional

from app.calls.models import DEFAULT_LOCALE
from app.questions.models import QUESTION_LANGUAGES, CallQuestion, QuestionAnswer, QuestionKind
from app.questions.services import (
    MAX_OPTION_LABEL,
    MAX_WORD_LIMIT,
    MAX_WORDING,
    NUMBER_BOUND,
    AnswerValue,
    QuestionDetails,
)
from app.web.display import editable_number, language_name
from app.web.forms import LocalDecimalField, WholeNumberField, reader_locale

KIND_LABELS = {
    QuestionKind.TEXT: _l("Text"),
    QuestionKind.CHOICE: _l("Choice of one option"),
    QuestionKind.NUMBER: _l("Number"),
    QuestionKind.FILE: _l("File"),
}
NUMBER_PLACES = 6


class QuestionForm(FlaskForm):
    """One question: its kind and limits, then its words in each language (English needed)."""

    kind = SelectField(
        _l("Kind of answer"), choices=[(kind.value, label) for kind, label in KIND_LABELS.items()]
    )
    required = BooleanField(_l("An answer is required before the application can be submitted"))
    max_words = WholeNumberField(
        _l("Word limit (text)"),
        minimum=1,
        maximum=MAX_WORD_LIMIT,
        description=_l("Leave empty for no limit."),
    )
    min_value = LocalDecimalField(
        _l("Smallest number allowed (number)"),
        minimum=-NUMBER_BOUND,
        maximum=NUMBER_BOUND,
        places=NUMBER_PLACES,
    )
    max_value = LocalDecimalField(
        _l("Largest number allowed (number)"),
        minimum=-NUMBER_BOUND,
        maximum=NUMBER_BOUND,
        places=NUMBER_PLACES,
    )
    condition = SelectField(
        _l("Shown"),
        choices=[],
        validate_choice=False,
        description=_l("A question can depend on an earlier choice question."),
    )

    def setup(self, earlier: list[CallQuestion]) -> None:
        """The conditions on offer: every option of the earlier choice questions."""
        locale = reader_locale()
        self.condition.choices = [("", _("Always"))] + [
            (
                f"{question.id}:{key}",
                _(
                    "Only when question %(number)s is answered “%(option)s”",
                    number=number,
                    option=label,
                ),
            )
            for number, question in enumerate(earlier, start=1)
            if question.kind == QuestionKind.CHOICE
            for key, label in question.option_choices(locale)
        ]

    def validate(self, extra_validators: Any = None) -> bool:
        """The English wording is checked with the other fields, so every error shows at once."""
        valid = bool(super().validate(extra_validators))
        english = self[f"wording_{DEFAULT_LOCALE}"]
        if not (english.data or "").strip():
            english.errors = [
                *english.errors,
                _("Write the question in English (the fund's default language)."),
            ]
            return False
        return valid

    def fill_from(self, question: CallQuestion) -> None:
        self.kind.data = question.kind.value
        self.required.data = question.required
        self.max_words.data = question.max_words
        self.min_value.data = question.min_value
        self.max_value.data = question.max_value
        self.condition.data = (
            f"{question.condition_question_id}:{question.condition_value}"
            if question.condition_question_id
            else ""
        )
        for locale in QUESTION_LANGUAGES:
            self[f"wording_{locale}"].data = question.wording.get(locale, "")
            self[f"help_{locale}"].data = question.help_text.get(locale, "")
            self[f"options_{locale}"].data = "\n".join(
                option.get("labels", {}).get(locale, "") for option in question.options
            ).strip("\n")

    def details(self) -> QuestionDetails | None:
        """What the form says, or None with the mistake next to the options."""
        lines = {
            locale: [line.strip() for line in (self[f"options_{locale}"].data or "").splitlines()]
            for locale in QUESTION_LANGUAGES
        }
        lines = {locale: [line for line in given if line] for locale, given in lines.items()}
        kind = QuestionKind(self.kind.data)
        options: list[dict[str, str]] = []
        if kind == QuestionKind.CHOICE:
            count = len(lines[DEFAULT_LOCALE])
            for locale, given in lines.items():
                if given and len(given) != count:
                    self[f"options_{locale}"].errors = [
                        _(
                            "Give as many options as in English (%(count)s), in the same order.",
                            count=count,
                        )
                    ]
                    return None
            options = [
                {locale: lines[locale][index] for locale in lines if lines[locale]}
                for index in range(count)
            ]
        depends_on, _sep, value = (self.condition.data or "").partition(":")
        return QuestionDetails(
            kind=kind,
            required=bool(self.required.data),
            wording={locale: self[f"wording_{locale}"].data or "" for locale in QUESTION_LANGUAGES},
            help_text={locale: self[f"help_{locale}"].data or "" for locale in QUESTION_LANGUAGES},
            options=options,
            max_words=self.max_words.data if kind == QuestionKind.TEXT else None,
            min_value=self.min_value.data if kind == QuestionKind.NUMBER else None,
            max_value=self.max_value.data if kind == QuestionKind.NUMBER else None,
            condition_question_id=int(depends_on) if depends_on.isdigit() else None,
            condition_value=value or None,
        )


# The words of a question in each language of the interface: English first (required).
for _language in QUESTION_LANGUAGES:
    setattr(
        QuestionForm,
        f"wording_{_language}",
        TextAreaField(
            _l("Question"), validators=[Optional(), Length(max=MAX_WORDING)], render_kw={"rows": 2}
        ),
    )
    setattr(
        QuestionForm,
        f"help_{_language}",
        TextAreaField(
            _l("Help text (optional)"),
            validators=[Optional(), Length(max=MAX_WORDING)],
            render_kw={"rows": 2},
        ),
    )
    setattr(
        QuestionForm,
        f"options_{_language}",
        TextAreaField(
            _l("Options (choice): one per line"),
            validators=[Optional(), Length(max=MAX_OPTION_LABEL * 30)],
            render_kw={"rows": 3},
        ),
    )


def language_label(code: str) -> str:
    return language_name(code)


class ActionForm(FlaskForm):
    """The CSRF token of a button's form (move, remove)."""


# --- The NGO's answers ----------------------------------------------------------------------


class AnswersForm(FlaskForm):
    version = HiddenField()

    def expected_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


def field_name(question: CallQuestion) -> str:
    return f"q{question.id}"


def answers_form(
    questions: list[CallQuestion], numbers: dict[int, int], **kwargs: Any
) -> AnswersForm:
    """A form with one field per shown question, labelled in the reader's language."""
    locale = reader_locale()

    class _Form(AnswersForm):
        pass

    for question in questions:
        label = _(
            "%(number)s. %(question)s",
            number=numbers[question.id],
            question=question.wording_in(locale),
        )
        hints = [question.help_in(locale)]
        if question.kind == QuestionKind.TEXT and question.max_words:
            hints.append(_("At most %(count)s words.", count=question.max_words))
        if question.kind == QuestionKind.NUMBER:
            hints.append(_number_range(question))
        if not question.required:
            hints.append(_("Optional."))
        description = " ".join(hint for hint in hints if hint)
        name = field_name(question)
        field: Any
        if question.kind == QuestionKind.TEXT:
            field = TextAreaField(label, description=description, render_kw={"rows": 4})
        elif question.kind == QuestionKind.CHOICE:
            field = RadioField(
                label,
                description=description,
                choices=question.option_choices(locale),
                validate_choice=False,
            )
        elif question.kind == QuestionKind.NUMBER:
            field = LocalDecimalField(
                label,
                description=description,
                minimum=-NUMBER_BOUND,
                maximum=NUMBER_BOUND,
                places=NUMBER_PLACES,
            )
        else:
            field = FileField(label, description=description)
            setattr(
                _Form,
                f"{name}_remove",
                BooleanField(
                    _("Remove the file sent for question %(number)s", number=numbers[question.id])
                ),
            )
        setattr(_Form, name, field)
    return _Form(**kwargs)


def _number_range(question: CallQuestion) -> str:
    low, high = question.min_value, question.max_value
    if low is not None and high is not None:
        return _(
            "A number from %(min)s to %(max)s.",
            min=editable_number(low.normalize()),
            max=editable_number(high.normalize()),
        )
    if low is not None:
        return _("A number of at least %(min)s.", min=editable_number(low.normalize()))
    if high is not None:
        return _("A number of at most %(max)s.", max=editable_number(high.normalize()))
    return ""


def fill_answers(
    form: AnswersForm, questions: list[CallQuestion], kept: dict[int, QuestionAnswer]
) -> None:
    for question in questions:
        answer = kept.get(question.id)
        if answer is None or question.kind == QuestionKind.FILE:
            continue
        field = form[field_name(question)]
        if question.kind == QuestionKind.TEXT:
            field.data = answer.text
        elif question.kind == QuestionKind.CHOICE:
            field.data = answer.choice
        else:
            field.data = None if answer.number is None else _trimmed(answer.number)


def _trimmed(value: Decimal) -> Decimal:
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal


def values_from(form: AnswersForm, questions: list[CallQuestion]) -> dict[int, AnswerValue]:
    """The typed answers (files are stored by the page, which adds them)."""
    values: dict[int, AnswerValue] = {}
    for question in questions:
        field = form[field_name(question)]
        if question.kind == QuestionKind.TEXT:
            values[question.id] = AnswerValue(text=field.data or "")
        elif question.kind == QuestionKind.CHOICE:
            values[question.id] = AnswerValue(choice=field.data or None)
        elif question.kind == QuestionKind.NUMBER:
            values[question.id] = AnswerValue(number=field.data)
        else:
            values[question.id] = AnswerValue(
                remove_file=bool(form[f"{field_name(question)}_remove"].data)
            )
    return values
