"""The form that registers an OAuth client."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.accounts.web.admin.forms import CheckboxListField
from app.oauth.models import ClientRole
from app.tokens.models import TokenScope

SCOPE_LABELS = {
    TokenScope.READ: _l("Read: see what the role or organisation can see"),
    TokenScope.WRITE: _l("Write: change what the role or organisation can change"),
}
ROLE_LABELS = {
    ClientRole.FUND_MANAGER: _l("Fund manager"),
    ClientRole.FINANCE: _l("Finance officer"),
    ClientRole.AUDITOR: _l("Auditor"),
}

AREA_LABELS = {
    TokenScope.APPLICATIONS: _l("Applications: applications and their documents"),
    TokenScope.GRANTS: _l("Grants: grants and their reports"),
    TokenScope.REVIEWS: _l("Reviews: review assignments and reviews"),
    TokenScope.DONATIONS: _l("Donations: gifts, pledges, bank transfers and receipts"),
    TokenScope.FINANCE: _l("Finance: disbursements, exchange rates and the ledger"),
}


class RegisterClientForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("The program, e.g. 'Umoja finance system'."),
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
    acts_as = SelectField(
        _l("Acts as"),
        description=_l(
            "A staff role (with the permissions a person in that role has) or a member of "
            "one organisation."
        ),
        validators=[DataRequired()],
    )
