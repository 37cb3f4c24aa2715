"""Administration forms: invitations, role changes and closing an account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Email, Length

from app.accounts.models import Role
from app.accounts.web.auth.forms import strip_whitespace

ROLE_LABELS = {
    Role.DONOR: _l("Donor"),
    Role.APPLICANT: _l("Applicant (NGO staff)"),
    Role.REVIEWER: _l("Reviewer"),
    Role.BOARD: _l("Board of Trustees"),
    Role.FUND_MANAGER: _l("Fund manager"),
    Role.FINANCE: _l("Finance officer"),
    Role.AUDITOR: _l("Auditor"),
    Role.ADMIN: _l("Administrator"),
}


class CheckboxListField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class InviteUserForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("E-mail"),
        filters=[strip_whitespace],
        validators=[DataRequired(), Email(), Length(max=254)],
    )
    roles = CheckboxListField(
        _l("Roles"), choices=[(r.value, label) for r, label in ROLE_LABELS.items()]
    )


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[(r.value, label) for r, label in ROLE_LABELS.items()])


class CloseAccountForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is this account closed?"),
        validators=[DataRequired(), Length(max=400)],
        description=_l("Kept in the audit log."),
    )
