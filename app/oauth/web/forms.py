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
    acts_as = SelectField(
        _l("Acts as"),
        description=_l(
            "A staff role (with the permissions a person in that role has) or a member of "
            "one organisation."
        ),
        validators=[DataRequired()],
    )
