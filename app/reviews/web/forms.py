"""Forms of the selection screens. Domain rules are checked by the services; these only parse."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.accounts.web.admin.forms import CheckboxListField
from app.reviews.models import (
    MAX_SCORE,
    DecisionOutcome,
    PanelOutcome,
    Recommendation,
    ScreeningOutcome,
    Vote,
)
from app.reviews.queries.screening import MANUAL_CHECKS
from app.reviews.web.labels import LABELS, review_choices
from app.web.forms import AmountField

LONG = 10_000


class ScreeningForm(FlaskForm):
    outcome = RadioField(
        _l("Outcome"), choices=review_choices(ScreeningOutcome), validators=[InputRequired()]
    )
    confirmed = CheckboxListField(
        _l("Checks you confirmed from the documents"),
        choices=[(c.value, LABELS[(type(c), c.value)]) for c in MANUAL_CHECKS],
    )
    reason = TextAreaField(
        _l("Reason (shown to the organisation)"),
        validators=[Optional(), Length(max=LONG)],
        render_kw={"rows": 3},
        description=_l("Needed when the application is not eligible."),
    )
    question = TextAreaField(
        _l("Question for the organisation"),
        validators=[Optional(), Length(max=LONG)],
        render_kw={"rows": 3},
        description=_l("Needed when you ask for information."),
    )


class AssignForm(FlaskForm):
    reviewer_id = SelectField(_l("Reviewer"), coerce=int, validators=[DataRequired()])
    due_on = DateField(_l("Review due on"), validators=[Optional()])


class DueDateForm(FlaskForm):
    due_on = DateField(_l("New due date"), validators=[DataRequired()])


class RemoveForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (optional)"), validators=[Optional(), Length(max=500)], render_kw={"rows": 2}
    )


class DeclarationForm(FlaskForm):
    has_conflict = RadioField(
        _l("Declaration"),
        choices=[
            ("no", _l("I have no conflict of interest with this organisation or application")),
            ("yes", _l("I have a conflict of interest")),
        ],
        validators=[InputRequired()],
    )
    description = TextAreaField(
        _l("Describe the conflict"),
        validators=[Optional(), Length(max=LONG)],
        render_kw={"rows": 3},
        description=_l(
            "For example: you worked for or with the organisation, advise it, or are related to "
            "someone in it. You will then take no part in this review."
        ),
    )


class ScoreEntry(Form):
    criterion_id = HiddenField()
    score = SelectField(
        _l("Score"),
        choices=[("", "—"), *[(str(n), str(n)) for n in range(MAX_SCORE + 1)]],
        default="",
    )
    justification = TextAreaField(
        _l("Justification"), validators=[Optional(), Length(max=LONG)], render_kw={"rows": 3}
    )


class ReviewForm(FlaskForm):
    scores = FieldList(FormField(ScoreEntry))
    recommendation = RadioField(
        _l("Overall recommendation"),
        choices=review_choices(Recommendation),
        validators=[Optional()],
    )
    comments = TextAreaField(
        _l("Comments for the secretariat (not shared with the organisation)"),
        validators=[Optional(), Length(max=LONG)],
        render_kw={"rows": 4},
    )


class ReviewSubmitForm(FlaskForm):
    """The declaration ticked on the check page before the review is sent, final."""

    declaration = BooleanField(
        _l(
            "I have no conflict of interest with this application and these scores are my own "
            "judgement."
        ),
        validators=[DataRequired(message=_l("Confirm the declaration to submit the review."))],
    )


class RecommendForm(FlaskForm):
    outcome = RadioField(
        _l("Recommendation to the Board"),
        choices=review_choices(PanelOutcome),
        validators=[InputRequired()],
    )
    key_risks = TextAreaField(
        _l("Key risks (for the Board)"),
        validators=[Optional(), Length(max=LONG)],
        render_kw={"rows": 3},
    )
    feedback = TextAreaField(
        _l("Feedback summary (the organisation reads it with the decision)"),
        validators=[Optional(), Length(max=LONG)],
        render_kw={"rows": 4},
        description=_l("Strengths and weaknesses in your words; never name the reviewers."),
    )


class MeetingForm(FlaskForm):
    held_on = DateField(_l("Date of the meeting"), validators=[DataRequired()])
    call_id = SelectField(_l("Call"), coerce=int, default=0)
    members = CheckboxListField(_l("Members present"), coerce=int)
    notes = TextAreaField(
        _l("Notes"), validators=[Optional(), Length(max=LONG)], render_kw={"rows": 3}
    )


class VoteEntry(Form):
    member_id = HiddenField()
    vote = SelectField(
        _l("Vote"),
        choices=[
            ("", "—"),
            *[(v.value, LABELS[(Vote, v.value)]) for v in Vote if v != Vote.RECUSED],
        ],
        default="",
    )


class DecisionForm(FlaskForm):
    outcome = RadioField(
        _l("Decision"), choices=review_choices(DecisionOutcome), validators=[InputRequired()]
    )
    # In the application's currency, which the page sets as ``currency_code``.
    currency_code = ""
    approved_amount = AmountField(
        _l("Amount approved"),
        validators=[Optional(), Length(max=40)],
        description=_l("At most the amount requested. Only for an approval."),
    )
    conditions = TextAreaField(
        _l("Conditions (for an approval)"),
        validators=[Optional(), Length(max=LONG)],
        render_kw={"rows": 3},
    )
    rationale = TextAreaField(
        _l("The Board's reasons"),
        validators=[Optional(), Length(max=LONG)],
        render_kw={"rows": 3},
    )
    votes = FieldList(FormField(VoteEntry))
    # Ticked on the summary page, where the decision is read back before it is recorded.
    declaration = BooleanField(
        _l("The decision recorded here is the one the Board took at this meeting.")
    )


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for one-button actions."""
