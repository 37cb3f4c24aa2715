"""Registers every donations route on one blueprint (listed in app/bootstrap.py)."""

from __future__ import annotations

from app.donations.web import give, money_went, portal  # noqa: F401 - they add the routes
from app.donations.web.blueprint import bp
from app.donations.web.finance import (  # noqa: F401 - they add the routes
    bank_receipts,
    contributions,
    exchange_rates,
    pledges,
    restrictions,
)

__all__ = ["bp"]
