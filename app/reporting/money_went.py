"""Where your money went: the grants a donor's money paid, read from the ledger.

* A grant's commitment transfers say which balances funded it (app/funding): a restricted
  contribution's account, or the pooled ``fund:available``.
* What a grant disbursed (tranches paid, less what the grantee refunded) is shared over those
  balances in proportion to what each committed (largest remainders: it adds up to the cent).
* A restricted part belongs to the donor of the restriction. The pooled parts are shared over
  the donors of unrestricted money in proportion to what each gave to the pool (card gifts net
  of refunds and lost disputes, and unrestricted pledge payments); money that reached the pool
  from no donor (adjustments, test money) is "other sources", key None.

So the amounts of all donors (and other sources) add up exactly to what was disbursed: the
property test in tests/domain/funding/test_properties.py checks it.
People assisted come from the accepted reports of those grants, counts 1-4 hidden.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from app.donations.models import BankReceiptAllocation, Donor, Gift, Pledge
from app.funding.allocation import proportional
from app.funding.models import Restriction
from app.funding.services import OWNER, RESTRICTED
from app.grants.models import Grant
from app.ledger import chart
from app.ledger.models import Account, Transfer, TransferCode, TransferKind
from app.platform.extensions import db
from app.reporting.people import people_by_grant
from app.reporting.suppression import suppress, suppress_table

POOL = "pool"
# Grants listed on a donor's page; the rest are counted.
LISTED_GRANTS = 50


@dataclass(frozen=True)
class Funding:
    """Disbursements shared over the balances that funded each grant."""

    # grant id -> {restriction id or POOL: disbursed amount attributed to it}
    by_grant: dict[int, dict[object, int]]
    # restriction id -> donor id
    donors_of_restrictions: dict[int, int]
    # donor id (None: other sources) -> their weight in the pool
    pool_weights: dict[int | None, int]

    @property
    def disbursed(self) -> int:
        return sum(sum(parts.values()) for parts in self.by_grant.values())

    @property
    def pooled(self) -> int:
        return sum(parts.get(POOL, 0) for parts in self.by_grant.values())

    def pool_shares(self) -> dict[int | None, int]:
        """Each donor's share of what the pooled money disbursed (adds up exactly)."""
        shares: dict[int | None, int] = {}
        weights: dict[object, int] = {}
        weights.update(self.pool_weights.items())
        split = proportional(self.pooled, weights)
        for key, amount in split.items():
            shares[key if key is None else int(str(key))] = amount
        left = self.pooled - sum(split.values())
        if left:
            shares[None] = shares.get(None, 0) + left
        return shares

    def totals_by_donor(self) -> dict[int | None, int]:
        """What each donor's money (restricted and pooled) disbursed; None: other sources."""
        totals: dict[int | None, int] = defaultdict(int)
        for parts in self.by_grant.values():
            for key, amount in parts.items():
                if key != POOL and isinstance(key, int):
                    totals[self.donors_of_restrictions[key]] += amount
        for key, amount in self.pool_shares().items():
            totals[key] += amount
        return {k: v for k, v in totals.items() if v}


def _commitments() -> dict[int, dict[object, int]]:
    """grant id -> {restriction id or POOL: amount committed}."""
    debit = sa.orm.aliased(Account, name="debit")
    credit = sa.orm.aliased(Account, name="credit")
    rows = db.session.execute(
        sa.select(credit.owner_id, debit.owner_type, debit.owner_id, sa.func.sum(Transfer.amount))
        .select_from(Transfer)
        .join(debit, debit.id == Transfer.debit_account_id)
        .join(credit, credit.id == Transfer.credit_account_id)
        .where(
            Transfer.code == TransferCode.COMMITMENT,
            Transfer.kind == TransferKind.SINGLE,
            credit.code == chart.GRANT.code,
        )
        .group_by(credit.owner_id, debit.owner_type, debit.owner_id)
    ).all()
    result: dict[int, dict[object, int]] = defaultdict(dict)
    for grant_id, owner_type, owner_id, amount in rows:
        key: object = int(owner_id or 0) if owner_type == OWNER else POOL
        parts = result[int(grant_id or 0)]
        parts[key] = parts.get(key, 0) + int(amount)
    return result


def _disbursed() -> dict[int, int]:
    """grant id -> tranches paid less the grantee's refunds."""
    grant = sa.orm.aliased(Account, name="grant_account")
    paid = db.session.execute(
        sa.select(grant.owner_id, sa.func.sum(Transfer.amount))
        .join(grant, grant.id == Transfer.debit_account_id)
        .where(
            Transfer.code == TransferCode.DISBURSEMENT,
            Transfer.kind == TransferKind.POST_PENDING,
            grant.code == chart.GRANT.code,
        )
        .group_by(grant.owner_id)
    ).all()
    result = {int(g or 0): int(a) for g, a in paid}
    cash = chart.account_by_key(chart.CASH_BANK).id
    refunds = db.session.execute(
        sa.select(Transfer.document_id, sa.func.sum(Transfer.amount))
        .where(
            Transfer.code == TransferCode.REFUND,
            Transfer.kind == TransferKind.SINGLE,
            Transfer.document_type == "grant",
            Transfer.debit_account_id == cash,
        )
        .group_by(Transfer.document_id)
    ).all()
    for document_id, amount in refunds:
        grant_id = int(document_id or 0)
        result[grant_id] = result.get(grant_id, 0) - int(amount)
    return result


def _pool_weights() -> dict[int | None, int]:
    """What each donor gave to the pool: gifts net of refunds and disputes, unrestricted pledge
    payments; money from no donor under None."""
    fund = chart.account_by_key(chart.FUND_AVAILABLE).id
    weights: dict[int | None, int] = defaultdict(int)
    sign = sa.case((Transfer.credit_account_id == fund, Transfer.amount), else_=-Transfer.amount)
    gifts = db.session.execute(
        sa.select(Gift.donor_id, sa.func.sum(sign))
        .select_from(Transfer)
        .join(
            Gift,
            sa.and_(
                Transfer.document_type == "gift",
                Transfer.document_id == sa.cast(Gift.id, sa.String(60)),
            ),
        )
        .where(
            Transfer.kind == TransferKind.SINGLE,
            sa.or_(
                sa.and_(Transfer.code == TransferCode.GIFT, Transfer.credit_account_id == fund),
                sa.and_(
                    Transfer.code.in_([TransferCode.REFUND, TransferCode.CHARGEBACK]),
                    Transfer.debit_account_id == fund,
                ),
            ),
        )
        .group_by(Gift.donor_id)
    ).all()
    for donor_id, amount in gifts:
        weights[int(donor_id) if donor_id is not None else None] += int(amount or 0)
    pledges = db.session.execute(
        sa.select(Pledge.donor_id, sa.func.sum(Transfer.amount))
        .select_from(Transfer)
        .join(
            BankReceiptAllocation,
            sa.and_(
                Transfer.document_type == "bank_receipt_allocation",
                Transfer.document_id == sa.cast(BankReceiptAllocation.id, sa.String(60)),
            ),
        )
        .join(Pledge, Pledge.id == BankReceiptAllocation.pledge_id)
        .where(
            Transfer.kind == TransferKind.SINGLE,
            Transfer.code == TransferCode.PLEDGE_PAYMENT,
            Transfer.credit_account_id == fund,
        )
        .group_by(Pledge.donor_id)
    ).all()
    for donor_id, amount in pledges:
        weights[int(donor_id)] += int(amount or 0)
    # Everything else that reached the pool from outside (not from a grant coming back).
    donors_total = sum(weights.values())
    received = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(Transfer.amount), 0)).where(
            Transfer.kind == TransferKind.SINGLE,
            Transfer.credit_account_id == fund,
            Transfer.code.in_(
                [TransferCode.GIFT, TransferCode.PLEDGE_PAYMENT, TransferCode.ADJUSTMENT]
            ),
        )
    ).scalar_one()
    # Card fees are not money given back: the donors' weights count their gifts before fees.
    given_back = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(Transfer.amount), 0)).where(
            Transfer.kind == TransferKind.SINGLE,
            Transfer.debit_account_id == fund,
            Transfer.document_type == "gift",
            Transfer.code.in_([TransferCode.REFUND, TransferCode.CHARGEBACK]),
        )
    ).scalar_one()
    other = int(received) - int(given_back) - donors_total
    if other > 0:
        weights[None] += other
    return {k: v for k, v in weights.items() if v > 0}


def funding() -> Funding:
    """Every grant's disbursements shared over the balances that funded it."""
    commitments = _commitments()
    by_grant: dict[int, dict[object, int]] = {}
    for grant_id, disbursed in _disbursed().items():
        sources = commitments.get(grant_id, {})
        if disbursed > 0 and sources:
            by_grant[grant_id] = proportional(disbursed, sources)
    donors = {
        int(rid): int(did)
        for rid, did in db.session.execute(sa.select(Restriction.id, Restriction.donor_id))
    }
    return Funding(by_grant=by_grant, donors_of_restrictions=donors, pool_weights=_pool_weights())


@dataclass(frozen=True)
class GrantLine:
    grant_id: int
    reference: str
    title: str
    organisation: str
    restricted: int
    pooled: int
    # People assisted by the grant (accepted reports); None when 1-4 (hidden).
    people: int | None

    @property
    def total(self) -> int:
        return self.restricted + self.pooled


@dataclass
class DonorFlow:
    """Where one donor's money went."""

    donor_id: int
    restricted: int = 0
    pooled: int = 0
    # A percentage with two decimals (exact, from the integer weights), written in the
    # reader's notation by the page ("0,03" in French).
    pool_share_percent: Decimal = Decimal(0)
    grants: list[GrantLine] = field(default_factory=list)
    more_grants: int = 0
    people: int | None = 0
    restricted_balances: list[tuple[Restriction, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.restricted + self.pooled


def where_money_went(donor_id: int, *, figures: Funding | None = None) -> DonorFlow:
    """The grants this donor's restricted money paid and their share of what the pool paid."""
    figures = figures or funding()
    flow = DonorFlow(donor_id=donor_id)
    restricted_ids = {r for r, d in figures.donors_of_restrictions.items() if d == donor_id}
    restricted_by_grant: dict[int, int] = defaultdict(int)
    for grant_id, parts in figures.by_grant.items():
        for key, amount in parts.items():
            if key in restricted_ids:
                restricted_by_grant[grant_id] += amount
    flow.restricted = sum(restricted_by_grant.values())
    flow.pooled = figures.pool_shares().get(donor_id, 0)
    weights = figures.pool_weights
    whole = sum(weights.values())
    if whole:
        flow.pool_share_percent = (Decimal(100) * weights.get(donor_id, 0) / whole).quantize(
            Decimal("0.01")
        )
    pooled_by_grant = {
        int(str(g)): a
        for g, a in proportional(
            flow.pooled, {g: parts.get(POOL, 0) for g, parts in figures.by_grant.items()}
        ).items()
    }
    grant_ids = sorted(
        set(restricted_by_grant) | set(pooled_by_grant),
        key=lambda g: -(restricted_by_grant.get(g, 0) + pooled_by_grant.get(g, 0)),
    )
    shown, flow.more_grants = grant_ids[:LISTED_GRANTS], max(0, len(grant_ids) - LISTED_GRANTS)
    people = people_by_grant(grant_ids)
    hidden = suppress_table({str(g): people.get(g, 0) for g in shown})
    flow.people = suppress(sum(people.values()))
    grants = {
        g.id: g for g in db.session.execute(sa.select(Grant).where(Grant.id.in_(shown))).scalars()
    }
    for grant_id in shown:
        grant = grants.get(grant_id)
        if grant is None:
            continue
        flow.grants.append(
            GrantLine(
                grant_id=grant_id,
                reference=grant.reference,
                title=grant.title,
                organisation=grant.organisation.name,
                restricted=restricted_by_grant.get(grant_id, 0),
                pooled=pooled_by_grant.get(grant_id, 0),
                people=hidden.get(str(grant_id)),
            )
        )
    flow.restricted_balances = restricted_balances_of(donor_id)
    return flow


def restricted_balances_of(donor_id: int) -> list[tuple[Restriction, int]]:
    """The donor's restrictions and what each still holds, unspent."""
    rows = db.session.execute(
        sa.select(Restriction, Account)
        .join(Account, sa.and_(Account.owner_type == OWNER, Account.owner_id == Restriction.id))
        .where(Restriction.donor_id == donor_id, Account.code == RESTRICTED.code)
        .order_by(Restriction.id)
    ).all()
    return [
        (restriction, account.credits_posted - account.debits_posted - account.debits_pending)
        for restriction, account in rows
    ]


@dataclass(frozen=True)
class RestrictedRow:
    """One restricted balance as finance sees it."""

    restriction: Restriction
    donor_name: str
    received: int
    committed: int
    available: int

    @property
    def ends_on(self) -> date | None:
        return self.restriction.ends_on


def restricted_overview() -> list[RestrictedRow]:
    """Every restricted balance: received, committed to grants (net of what came back), left."""
    rows = db.session.execute(
        sa.select(Restriction, Account, Donor.name)
        .join(Account, sa.and_(Account.owner_type == OWNER, Account.owner_id == Restriction.id))
        .join(Donor, Donor.id == Restriction.donor_id)
        .where(Account.code == RESTRICTED.code)
        .order_by(sa.func.coalesce(Restriction.ends_on, date.max), Restriction.id)
    ).all()
    result = []
    for restriction, account, name in rows:
        received = db.session.execute(
            sa.select(sa.func.coalesce(sa.func.sum(Transfer.amount), 0)).where(
                Transfer.credit_account_id == account.id,
                Transfer.code == TransferCode.PLEDGE_PAYMENT,
            )
        ).scalar_one()
        available = account.credits_posted - account.debits_posted - account.debits_pending
        result.append(
            RestrictedRow(
                restriction=restriction,
                donor_name=name,
                received=int(received),
                committed=int(received) - available,
                available=available,
            )
        )
    return result
