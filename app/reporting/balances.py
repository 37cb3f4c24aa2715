"""The fund's key figures, read from the ledger accounts' maintained totals in one query.

Each account carries its four running totals (DESIGN.md §4), so a balance costs one row, not
a sum over its transfers. Grant accounts (one per grant) are added up in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.funding.services import RESTRICTED
from app.ledger import chart
from app.ledger.models import Account
from app.ledger.services.balances import Balance
from app.platform.extensions import db

GRANTS = "grants"  # the sum of every grant:<id> account
RESTRICTED_BALANCES = "restricted"  # the sum of every fund:restricted:<id> account
FIXED = (
    chart.CASH_STRIPE,
    chart.CASH_BANK,
    chart.FUND_AVAILABLE,
    chart.FUND_PLEDGED,
    chart.PSC_INCOME,
)


@dataclass(frozen=True)
class KeyFigures:
    """What the fund has, has been promised, has promised and has paid (functional currency).

    * ``available``: the unrestricted fund balance, free for any new grant (less nothing
      pending: the fund account never has pending transfers); also ``unrestricted``.
    * ``restricted``: money donors restricted (a theme, region, country, call or period) not yet
      committed to grants: every ``fund:restricted:<id>`` balance together (decision 0094).
    * ``pledged_unpaid``: confirmed pledges not yet received.
    * ``committed_total``: everything ever committed to grants, support cost included.
    * ``committed_outstanding``: committed and not yet paid out, charged or released.
    * ``in_transit``: tranches sent to the bank and not yet confirmed.
    * ``disbursed``: tranches paid (the bank account is credited by disbursements only).
    * ``psc``: programme support cost charged, net of what refunds gave back.
    * ``released``: unspent commitments released back to the fund at closure.
    """

    available: int
    pledged_unpaid: int
    committed_total: int
    committed_outstanding: int
    in_transit: int
    disbursed: int
    psc: int
    released: int
    cash: int
    restricted: int = 0

    @property
    def unrestricted(self) -> int:
        return self.available

    @property
    def held_for_grants(self) -> int:
        """The fund's net assets not yet committed: unrestricted and restricted together."""
        return self.available + self.restricted


def account_totals() -> dict[str, Balance]:
    """Balances of the fixed accounts and of all grant accounts together, in one query."""
    a = Account.__table__.c
    group = sa.case(
        (a.code == chart.GRANT.code, sa.literal(GRANTS)),
        (a.code == RESTRICTED.code, sa.literal(RESTRICTED_BALANCES)),
        else_=a.key,
    )
    rows = db.session.execute(
        sa.select(
            group.label("group"),
            sa.func.coalesce(sa.func.sum(a.debits_pending), 0),
            sa.func.coalesce(sa.func.sum(a.debits_posted), 0),
            sa.func.coalesce(sa.func.sum(a.credits_pending), 0),
            sa.func.coalesce(sa.func.sum(a.credits_posted), 0),
        )
        .where(sa.or_(a.key.in_(FIXED), a.code.in_([chart.GRANT.code, RESTRICTED.code])))
        .group_by(group)
    ).all()
    debit_normal = {chart.CASH_STRIPE: True, chart.CASH_BANK: True}
    found = {
        str(row[0]): Balance(
            int(row[1]), int(row[2]), int(row[3]), int(row[4]), debit_normal.get(str(row[0]), False)
        )
        for row in rows
    }
    empty = {
        key: Balance(0, 0, 0, 0, debit_normal.get(key, False))
        for key in (*FIXED, GRANTS, RESTRICTED_BALANCES)
    }
    return empty | found


def key_figures() -> KeyFigures:
    totals = account_totals()
    grants = totals[GRANTS]
    bank = totals[chart.CASH_BANK]
    psc = totals[chart.PSC_INCOME]
    disbursed = bank.credits_posted
    # A grant account is debited by payments, support cost and releases only.
    released = grants.debits_posted - disbursed - psc.credits_posted
    return KeyFigures(
        available=totals[chart.FUND_AVAILABLE].available,
        pledged_unpaid=totals[chart.FUND_PLEDGED].posted,
        committed_total=grants.credits_posted,
        committed_outstanding=grants.posted,
        in_transit=grants.debits_pending,
        disbursed=disbursed,
        psc=psc.posted,
        released=max(released, 0),
        cash=bank.posted + totals[chart.CASH_STRIPE].posted,
        restricted=totals[RESTRICTED_BALANCES].available,
    )
