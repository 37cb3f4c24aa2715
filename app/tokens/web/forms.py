"""The form that makes a personal access token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.accounts.web.admin.forms import CheckboxListField
from app.tokens.models import TokenScope
from app.tokens.services import DEFAULT_DAYS, MAX_DAYS

SCOPE_LABELS = {
    TokenScope.READ: _l("Read: see what you can see in the application"),
    TokenScope.WRITE: _l(
        "Write: start, edit and submit applications and submit reports, as you may on the pages"
    ),
}

AREA_LABELS = {
    TokenScope.APPLICATIONS: _l("Applications: applications and their documents"),
    TokenScope.GRANTS: _l("Grants: grants and their reports"),
    TokenScope.REVIEWS: _l("Reviews: review assignments and reviews"),
    TokenScope.DONATIONS: _l("Donations: gifts, pledges, bank transfers and receipts"),
    TokenScope.FINANCE: _l("Finance: disbursements, exchange rates and the ledger"),
}


class CreateTokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("What the token is for, e.g. 'Monthly report export'."),
    )
    scopes = CheckboxListField(
        _l("Scopes"),
        choices=[(scope.value, label) for scope, label in SCOPE_LABELS.items()],
        default=[TokenScope.READ.value],
        validators=[DataRequired(message=_l("Choose at least one scope."))],
    )
    areas = CheckboxListField(
        _l("Areas"),
        description=_l("The parts of the API it may use; it is refused the others."),
        choices=[(area.value, label) for area, label in AREA_LABELS.items()],
        default=[area.value for area in AREA_LABELS],
        validators=[DataRequired(message=_l("Choose at least one area."))],
    )
    days = IntegerField(
        _l("Days until it expires"),
        default=DEFAULT_DAYS,
        validators=[DataRequired(), NumberRange(min=1, max=MAX_DAYS)],
    )
    code = StringField(
        _l("6-digit code from your authenticator app"),
        validators=[Optional(), Length(min=6, max=8)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
