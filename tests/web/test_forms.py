"""Shared form fields: hostile numbers get a form error, never a 500."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.validators import NumberRange, Optional

from app.web.forms import FiniteDecimalField


class AmountForm(Form):
    amount = FiniteDecimalField(validators=[Optional(), NumberRange(min=0)])


@pytest.mark.parametrize("value", ["sNaN", "NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused_with_a_message(app, value):
    form = AmountForm(MultiDict({"amount": value}))
    assert not form.validate()
    assert form.errors["amount"][0] == "Not a valid decimal value."


def test_ordinary_amounts_pass(app):
    form = AmountForm(MultiDict({"amount": "1250.50"}))
    assert form.validate()
    assert str(form.amount.data) == "1250.50"
