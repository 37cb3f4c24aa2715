"""Monitoring forms: plan an activity, record it, a finding and its recommendation, the
grantee's answer, reopening, and the rating decision."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.monitoring.models import ActivityKind, FindingSeverity
from app.monitoring.services import MAX_ASSIGNEE, MAX_TEXT
from app.monitoring.web.labels import choices
from app.web.forms import DayField


class PlanForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices(ActivityKind), validators=[DataRequired()])
    planned_on = DayField(_l("Planned date"), validators=[InputRequired()])
    assignee = StringField(
        _l("Who goes"),
        validators=[Optional(), Length(max=MAX_ASSIGNEE)],
        description=_l("A colleague, a consultant or an audit firm."),
    )


class RecordForm(FlaskForm):
    done_on = DayField(_l("Date done"), validators=[InputRequired()])
    summary = TextAreaField(
        _l("Summary for the grantee"),
        validators=[Optional(), Length(max=MAX_TEXT)],
        description=_l("The grantee reads this with the recommendations."),
        render_kw={"rows": 3},
    )
    staff_notes = TextAreaField(
        _l("Staff notes"),
        validators=[Optional(), Length(max=MAX_TEXT)],
        description=_l("Seen only by the fund's staff, never by the grantee."),
        render_kw={"rows": 3},
    )


class FindingForm(FlaskForm):
    severity = RadioField(
        _l("Severity"), choices=choices(FindingSeverity), validators=[DataRequired()]
    )
    description = TextAreaField(
        _l("What was found"),
        validators=[DataRequired(), Length(max=MAX_TEXT)],
        description=_l("The grantee reads this with the recommendation."),
        render_kw={"rows": 3},
    )
    recommendation = TextAreaField(
        _l("Recommendation to the grantee"),
        validators=[Optional(), Length(max=MAX_TEXT)],
        description=_l("Leave empty for a finding that asks nothing of the grantee."),
        render_kw={"rows": 3},
    )
    due_on = DayField(_l("Due date of the recommendation"), validators=[Optional()])

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if (self.recommendation.data or "").strip() and not self.due_on.data:
            self.due_on.errors = [*self.due_on.errors, _l("Give the recommendation a due date.")]
            return False
        return valid


class ResponseForm(FlaskForm):
    response = TextAreaField(
        _l("What your organisation did"),
        validators=[DataRequired(), Length(max=MAX_TEXT)],
        render_kw={"rows": 4},
    )


class ReopenForm(FlaskForm):
    reason = TextAreaField(
        _l("What is still missing"),
        validators=[DataRequired(), Length(max=MAX_TEXT)],
        description=_l("The grantee reads this."),
        render_kw={"rows": 3},
    )
    due_on = DayField(
        _l("New due date"),
        validators=[Optional()],
        description=_l("Leave empty to keep the due date."),
    )


class RatingForm(FlaskForm):
    rating = RadioField(_l("Risk rating"), validators=[DataRequired()])
