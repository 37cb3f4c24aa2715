"""Forms for a person's own account: profile, password, two-factor, closing it."""

from __future__ import annotations

from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from app.web.i18n import LANGUAGE_NAMES

_TIMEZONES = sorted(available_timezones() - {"localtime"})


class ProfileForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    locale = SelectField(
        _l("Language"), choices=[("", _l("As my browser prefers")), *LANGUAGE_NAMES.items()]
    )
    timezone = SelectField(
        _l("Time zone"),
        choices=[(tz, tz) for tz in _TIMEZONES],
        description=_l("Deadlines and dates are shown in this time zone."),
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=12, message=_l("Use at least 12 characters."))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class EnableTwoFactorForm(FlaskForm):
    code = StringField(
        _l("6-digit code from your authenticator app"),
        validators=[DataRequired(), Length(min=6, max=8)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )


class CloseAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    # Asked only when two-factor authentication is on (the page hides it otherwise).
    code = StringField(
        _l("6-digit code from your authenticator app, or a recovery code"),
        validators=[Optional(), Length(max=20)],
        render_kw={"autocomplete": "one-time-code"},
    )
    confirm = BooleanField(
        _l("I understand that closing my account cannot be undone."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
