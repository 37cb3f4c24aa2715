"""The donations blueprint; its routes live in give.py, portal.py and finance/."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint
from flask_babel import format_decimal

from app.donations.web.labels import donation_label


def rate(value: Decimal | None) -> str:
    """0.79190000 → "0.7919" ("0,7919" in French): a rate as it was entered, in the reader's
    notation, never in scientific notation."""
    if value is None:
        return "—"
    plain = value.normalize()
    exponent = plain.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return format_decimal(plain, format="#,##0." + "0" * places if places else "#,##0")


bp = Blueprint("donations", __name__, template_folder="../templates")
bp.add_app_template_global(donation_label, "donation_label")
bp.add_app_template_filter(rate, "rate")
