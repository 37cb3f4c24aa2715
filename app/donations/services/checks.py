"""Checks shared by the money forms: a currency code, an amount within bounds."""

from __future__ import annotations

from app.platform.errors import N_, ValidationFailed
from app.platform.money import is_currency

MAX_AMOUNT_MINOR = 10**13


def check_currency(currency: str) -> str:
    code = (currency or "").strip().upper()
    if not is_currency(code):
        raise ValidationFailed(N_("%(currency)s is not a currency code."), currency=currency)
    return code


def check_amount(amount: int) -> None:
    if amount <= 0:
        raise ValidationFailed(N_("The amount must be more than zero."))
    if amount > MAX_AMOUNT_MINOR:
        raise ValidationFailed(N_("The amount is larger than this system accepts."))
