"""Helpers for the bank-file tests: approved tranches ready for a payment file, and camt.053
statements written the way a bank writes them (the writer is the app's sample statement)."""

from __future__ import annotations

from datetime import date

from app.bankfiles.sample import Line, lines_for, statement_xml
from app.grants import services as grants
from app.grants.models import Tranche
from tests.grants_support import USD, active_grant, fund, officers

FUND_USD_ACCOUNT = "CH9300762011623852957"  # the testing FUND_BANK_ACCOUNTS for USD
__all__ = ["FUND_USD_ACCOUNT", "Line", "approved_tranches", "camt053", "lines_for"]


def approved_tranches(count: int) -> list[Tranche]:
    """The first tranche of ``count`` funded, active USD grants, requested and approved."""
    fund(100_000 * USD * count)
    found = []
    for _ in range(count):
        grant = active_grant(amount=10_000 * USD)
        people = officers()
        tranche = grant.tranches[0]
        grants.request_disbursement(actor=people.maker, tranche=tranche)
        grants.approve_disbursement(actor=people.checker, tranche=tranche)
        found.append(tranche)
    return found


def camt053(
    lines: list[Line],
    *,
    statement_id: str = "STMT-2026-12-07",
    account: str = FUND_USD_ACCOUNT,
    booked: date | None = None,
    version: str = "08",
) -> bytes:
    """A statement written the way a bank writes it (app/bankfiles/sample.py)."""
    return statement_xml(
        lines,
        statement_id=statement_id,
        account=account,
        booked=booked or date.today(),
        version=version,
    )
