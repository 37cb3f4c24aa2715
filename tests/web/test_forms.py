"""Shared number fields: read in the page's language, hostile numbers get a sentence next to the
field, never a 500."""

from __future__ import annotations

from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField

from app.web.forms import AmountField, LocalDecimalField, WholeNumberField


class MoneyForm(Form):
    currency = StringField()
    amount = AmountField(currency_field="currency")
    weight = LocalDecimalField(places=2, maximum=Decimal(9999))
    months = WholeNumberField(minimum=1, maximum=60)


def _form(app, language: str, **values: str) -> MoneyForm:
    with app.test_request_context(headers={"Accept-Language": language}):
        form = MoneyForm(MultiDict({"currency": "USD", **values}))
        form.validate()
        # Rendered while the request (and its language) is still there.
        form.rendered = form.amount()  # type: ignore[attr-defined]
        return form


@pytest.mark.parametrize(
    ("language", "typed", "minor"),
    [("fr", "50,00", 5000), ("es", "1.234,56", 123456), ("en", "1,234.56", 123456)],
)
def test_amounts_are_read_in_the_pages_language(app, language, typed, minor):
    form = _form(app, language, amount=typed)
    assert form.amount.minor == minor
    assert not form.errors


@pytest.mark.parametrize("value", ["sNaN", "NaN", "Infinity", "-Infinity", "1e5", "50.00"])
def test_unreadable_numbers_are_refused_with_a_sentence(app, value):
    form = _form(app, "fr", amount=value, weight=value, months=value)
    assert form.amount.minor is None
    for name in ("amount", "weight", "months"):
        assert form.errors[name][0]
    assert "1\u202f234,56" in form.errors["amount"][0]


def test_a_refused_amount_is_shown_back_as_typed(app):
    form = _form(app, "fr", amount="50.00")
    assert 'value="50.00"' in form.rendered


def test_fields_are_text_with_the_numeric_keyboard_not_type_number(app):
    form = _form(app, "fr", amount="50,00")
    assert 'type="text"' in form.rendered
    assert 'inputmode="decimal"' in form.rendered
    assert 'data-number-decimal=","' in form.rendered
    assert 'data-number-currency-field="currency"' in form.rendered


def test_a_stored_amount_is_shown_the_way_the_reader_writes_it(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        form = MoneyForm()
        form.amount.data = Decimal("1200.50")
        assert 'value="1200,50"' in form.amount()


@pytest.mark.parametrize("value", ["9" * 400, "0", "61", "2,5"])
def test_whole_numbers_out_of_range_get_a_sentence(app, value):
    form = _form(app, "en", months=value)
    assert form.months.data is None
    assert form.errors["months"]


def test_weights_and_rates_keep_their_places(app):
    assert _form(app, "fr", weight="0,25").weight.data == Decimal("0.25")
    assert _form(app, "fr", weight="0,255").errors["weight"]
