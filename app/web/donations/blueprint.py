"""The donations blueprint; its routes live in give.py, portal.py and finance.py."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint

from app.domain.categories import Theme
from app.web.display import register_display
from app.web.donations.labels import donation_label


def rate(value: Decimal | None) -> str:
    """0.79190000 → "0.7919": a rate as it was entered, never in scientific notation."""
    return "—" if value is None else f"{value.normalize():f}"


bp = Blueprint("donations", __name__)
register_display(bp)
bp.add_app_template_global(donation_label, "donation_label")
bp.add_app_template_global(Theme, "Theme")
bp.add_app_template_filter(rate, "rate")
