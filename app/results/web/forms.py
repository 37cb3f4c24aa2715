"""The indicator list's form and a report's actuals form."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.results.models import IndicatorUnit, SdgTarget
from app.results.services import MAX_EXPLANATION, MAX_VALUE
from app.web.forms import WholeNumberField
from app.web.labels import choices

# The languages an indicator's name is kept in besides English (the app's own languages).
NAME_LANGUAGES = ("fr", "es", "ar", "zh", "ru")


class StandardIndicatorForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=32)],
        description=_l("Short and unique, e.g. VA-SHELTER."),
    )
    name = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=300)])
    name_fr = StringField(_l("Name in French"), validators=[Optional(), Length(max=300)])
    name_es = StringField(_l("Name in Spanish"), validators=[Optional(), Length(max=300)])
    name_ar = StringField(_l("Name in Arabic"), validators=[Optional(), Length(max=300)])
    name_zh = StringField(_l("Name in Chinese"), validators=[Optional(), Length(max=300)])
    name_ru = StringField(_l("Name in Russian"), validators=[Optional(), Length(max=300)])
    unit = SelectField(_l("Unit"), choices=choices(IndicatorUnit))
    sdg_target = SelectField(_l("SDG target"), choices=choices(SdgTarget))
    active = BooleanField(_l("Offered to new proposals"), default=True)

    def names(self) -> dict[str, str]:
        return {lang: self[f"name_{lang}"].data or "" for lang in NAME_LANGUAGES}


def actuals_form(indicators: list[Any], **kwargs: Any) -> FlaskForm:
    """A form class with a value and an explanation field for each indicator."""

    class Form(FlaskForm):
        pass

    for indicator in indicators:
        percent = indicator.unit == IndicatorUnit.PERCENT
        setattr(
            Form,
            f"value_{indicator.id}",
            WholeNumberField(
                _l("Actual"), validators=[Optional()], maximum=100 if percent else MAX_VALUE
            ),
        )
        setattr(
            Form,
            f"explanation_{indicator.id}",
            TextAreaField(
                _l("Explanation of the difference"),
                validators=[Optional(), Length(max=MAX_EXPLANATION)],
                render_kw={"rows": 2},
            ),
        )
    return Form(**kwargs)
