"""The fund's statement for a period, reconciled to the ledger.

Five sections, one per kind of ledger balance: the fund available for grants (net assets
without restrictions), restricted contributions not yet committed (net assets with
restrictions: every ``fund:restricted:<id>`` account together, see app/funding), commitments
to grants not yet paid, pledges not yet received and programme support cost income. Each shows
the balance at the start, the period's movements by kind, and the balance at the end.

How it is computed (grouped queries, whatever the period or the size of the ledger):

* One query sums the ledger's daily movements (``ledger_daily_movements``: per UTC day, code
  and pair of accounts, kept by the database as transfers are posted, decision 0121) since the
  start of the period, grouped by code, by the kind of account debited and credited, and by "in
  the period" or "after it". The balances at both ends are the accounts' maintained totals less
  what was posted after that moment. Its cost grows with the days and accounts, not with the
  transfers.
* Contributions are shown by donor kind: gifts from the same daily movements (which keep the
  gift's donor's kind), pledge payments from a query that follows each payment to its donor's
  receivable. The statement's closing balance uses those figures; the difference to the
  ledger's own closing balance is shown, and must be zero: a gift counted twice or missed by
  the donor breakdown would show up there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.donations.models import Donor
from app.funding.services import RESTRICTED as RESTRICTED_ACCOUNT
from app.ledger import chart
from app.ledger.models import Account, DailyMovement, Transfer, TransferCode, TransferKind
from app.platform.extensions import db
from app.reporting.balances import GRANTS, RESTRICTED_BALANCES, account_totals
from app.reporting.contributions import UNIDENTIFIED

AVAILABLE = "available"
RESTRICTED = "restricted"
COMMITMENTS = "commitments"
PLEDGES = "pledges"
PSC = "psc"
OTHER = "other"
SECTIONS = (AVAILABLE, RESTRICTED, COMMITMENTS, PLEDGES, PSC)

# Line keys (labels are in the web layer).
CONTRIBUTIONS = "contributions"
FEES = "fees"
DONOR_REFUNDS = "donor_refunds"
COMMITTED = "committed"
RELEASED = "released"
GRANT_REFUNDS = "grant_refunds"
PSC_RETURNED = "psc_returned"
DISBURSED = "disbursed"
PSC_CHARGED = "psc_charged"
PLEDGES_CONFIRMED = "pledges_confirmed"
PLEDGES_PAID = "pledges_paid"
PLEDGES_CLOSED = "pledges_closed"
EXCHANGE = "exchange_differences"
OTHER_MOVEMENTS = "other_movements"

POSTED_KINDS = (TransferKind.SINGLE, TransferKind.POST_PENDING)
# The order lines are shown in, whatever order the database returned them.
LINE_ORDER = (
    CONTRIBUTIONS,
    PLEDGES_CONFIRMED,
    PLEDGES_PAID,
    PLEDGES_CLOSED,
    EXCHANGE,
    FEES,
    DONOR_REFUNDS,
    COMMITTED,
    DISBURSED,
    PSC_CHARGED,
    RELEASED,
    GRANT_REFUNDS,
    PSC_RETURNED,
    OTHER_MOVEMENTS,
)


@dataclass(frozen=True)
class Period:
    """Whole UTC days from ``start`` to ``end``, both included."""

    start: date
    end: date

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, UTC)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end, time.min, UTC) + timedelta(days=1)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))


@dataclass
class Section:
    key: str
    opening: int = 0
    # (line key, amount with its effect on the balance: negative when it reduces it)
    lines: dict[str, int] = field(default_factory=dict)
    ledger_closing: int = 0

    @property
    def movements(self) -> int:
        return sum(self.lines.values())

    @property
    def closing(self) -> int:
        return self.opening + self.movements

    @property
    def difference(self) -> int:
        """The ledger's closing balance less the statement's: zero when they agree."""
        return self.ledger_closing - self.closing

    def add(self, line: str, amount: int) -> None:
        if amount:
            self.lines[line] = self.lines.get(line, 0) + amount


@dataclass
class Statement:
    period: Period
    sections: dict[str, Section]
    # Unrestricted contributions received in the period by donor kind ("unidentified" when
    # unknown); restricted ones (pledge payments to a restricted balance) apart.
    contributions_by_kind: dict[str, int]
    restricted_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def reconciled(self) -> bool:
        return all(section.difference == 0 for section in self.sections.values())

    @property
    def contributions(self) -> int:
        return sum(self.contributions_by_kind.values())


def _group(account: Any, fund: int, pledged: int, psc: int) -> Any:
    return sa.case(
        (account.id == fund, sa.literal(AVAILABLE)),
        (account.id == pledged, sa.literal(PLEDGES)),
        (account.id == psc, sa.literal(PSC)),
        (account.code == chart.GRANT.code, sa.literal(COMMITMENTS)),
        (account.code == RESTRICTED_ACCOUNT.code, sa.literal(RESTRICTED)),
        else_=sa.literal(OTHER),
    )


def _movements(period: Period, ids: dict[str, int]) -> list[Any]:
    """(code, debit group, credit group, in period?, amount) for postings since the start."""
    m = DailyMovement.__table__.c
    debit = aliased(Account, name="debit")
    credit = aliased(Account, name="credit")
    fund, pledged, psc = ids[AVAILABLE], ids[PLEDGES], ids[PSC]
    debit_group = _group(debit, fund, pledged, psc)
    credit_group = _group(credit, fund, pledged, psc)
    in_period = sa.case((m.day <= period.end, 1), else_=0)

    def tracked(account: Any) -> Any:
        return sa.or_(
            account.id.in_([fund, pledged, psc]),
            account.code.in_([chart.GRANT.code, RESTRICTED_ACCOUNT.code]),
        )

    query = (
        sa.select(m.code, debit_group, credit_group, in_period, sa.func.sum(m.amount))
        .select_from(DailyMovement.__table__)
        .join(debit, debit.id == m.debit_account_id)
        .join(credit, credit.id == m.credit_account_id)
        .where(
            m.day >= period.start,
            m.kind.in_(POSTED_KINDS),
            sa.or_(tracked(debit), tracked(credit)),
        )
        .group_by(m.code, debit_group, credit_group, in_period)
    )
    return list(db.session.execute(query).all())


def _classify(section: str, code: TransferCode, credited: bool) -> str:
    """The statement line a posting belongs to, seen from one section's account."""
    lines: dict[tuple[str, TransferCode, bool], str] = {
        (AVAILABLE, TransferCode.GIFT, True): CONTRIBUTIONS,
        (AVAILABLE, TransferCode.PLEDGE_PAYMENT, True): CONTRIBUTIONS,
        (AVAILABLE, TransferCode.FEE, False): FEES,
        (AVAILABLE, TransferCode.REFUND, False): DONOR_REFUNDS,
        (AVAILABLE, TransferCode.CHARGEBACK, False): DONOR_REFUNDS,
        (AVAILABLE, TransferCode.COMMITMENT, False): COMMITTED,
        (AVAILABLE, TransferCode.RELEASE, True): RELEASED,
        (AVAILABLE, TransferCode.REFUND, True): GRANT_REFUNDS,
        (AVAILABLE, TransferCode.REVERSAL, True): PSC_RETURNED,
        (RESTRICTED, TransferCode.PLEDGE_PAYMENT, True): CONTRIBUTIONS,
        (RESTRICTED, TransferCode.COMMITMENT, False): COMMITTED,
        (RESTRICTED, TransferCode.RELEASE, True): RELEASED,
        (RESTRICTED, TransferCode.REFUND, True): GRANT_REFUNDS,
        (RESTRICTED, TransferCode.REVERSAL, True): PSC_RETURNED,
        (COMMITMENTS, TransferCode.COMMITMENT, True): COMMITTED,
        (COMMITMENTS, TransferCode.DISBURSEMENT, False): DISBURSED,
        (COMMITMENTS, TransferCode.PSC, False): PSC_CHARGED,
        (COMMITMENTS, TransferCode.RELEASE, False): RELEASED,
        (PLEDGES, TransferCode.PLEDGE, True): PLEDGES_CONFIRMED,
        (PLEDGES, TransferCode.PLEDGE_PAYMENT, False): PLEDGES_PAID,
        (PLEDGES, TransferCode.PLEDGE_WRITE_OFF, False): PLEDGES_CLOSED,
        (PLEDGES, TransferCode.REVERSAL, False): PLEDGES_CLOSED,
        (PLEDGES, TransferCode.ADJUSTMENT, True): EXCHANGE,
        (PLEDGES, TransferCode.ADJUSTMENT, False): EXCHANGE,
        (PSC, TransferCode.PSC, True): PSC_CHARGED,
        (PSC, TransferCode.REVERSAL, False): PSC_RETURNED,
    }
    return lines.get((section, code, credited), OTHER_MOVEMENTS)


def contributions_by_kind(period: Period, *, fund_id: int) -> dict[str, int]:
    """Gifts and unrestricted pledge payments that reached the fund in the period, by donor
    kind.

    Gifts are followed to their donor through the gift record (by the database, as each gift is
    posted: ``DailyMovement.donor_kind``); pledge payments through the donor's receivable
    account (the cash side of the same payment, for the same amount).
    """
    return _contributions(period, fund_id=fund_id, restricted=False)


def restricted_contributions_by_kind(period: Period) -> dict[str, int]:
    """Pledge payments that reached a restricted balance in the period, by donor kind."""
    return _contributions(period, fund_id=None, restricted=True)


def _contributions(period: Period, *, fund_id: int | None, restricted: bool) -> dict[str, int]:
    t = Transfer.__table__.c
    in_period = sa.and_(
        t.created_at >= period.since,
        t.created_at < period.until,
        t.kind == TransferKind.SINGLE,
    )
    kind = sa.func.coalesce(sa.type_coerce(Donor.kind, sa.String), UNIDENTIFIED)
    receivable = aliased(Account, name="receivable")
    # The same payment's release from fund:pledged went to a restricted balance.
    release = aliased(Transfer, name="release")
    to_restricted = sa.exists().where(
        release.document_type == t.document_type,
        release.document_id == t.document_id,
        release.code == TransferCode.PLEDGE_PAYMENT,
        release.credit_account_id.in_(
            sa.select(Account.id).where(Account.code == RESTRICTED_ACCOUNT.code)
        ),
    )
    pledge_payments = (
        sa.select(kind.label("kind"), t.amount.label("amount"))
        .select_from(Transfer.__table__)
        .join(receivable, receivable.id == t.credit_account_id)
        .outerjoin(
            Donor, sa.and_(receivable.owner_type == "donor", Donor.id == receivable.owner_id)
        )
        .where(
            in_period,
            t.code == TransferCode.PLEDGE_PAYMENT,
            receivable.code == chart.RECEIVABLE.code,
            to_restricted if restricted else ~to_restricted,
        )
    )
    if restricted:
        both = pledge_payments.subquery("contributions")
    else:
        # The gift's donor's kind as the trigger found it when the gift was posted.
        m = DailyMovement.__table__.c
        gifts = sa.select(
            sa.case((m.donor_kind == "", UNIDENTIFIED), else_=m.donor_kind).label("kind"),
            m.amount.label("amount"),
        ).where(
            m.day >= period.start,
            m.day <= period.end,
            m.kind == TransferKind.SINGLE,
            m.code == TransferCode.GIFT,
            m.credit_account_id == fund_id,
        )
        both = sa.union_all(gifts, pledge_payments).subquery("contributions")
    rows = db.session.execute(
        sa.select(both.c.kind, sa.func.sum(both.c.amount)).group_by(both.c.kind)
    ).all()
    return {str(k): int(a or 0) for k, a in rows if a}


def statement(period: Period) -> Statement:
    ids = {
        AVAILABLE: chart.account_by_key(chart.FUND_AVAILABLE).id,
        PLEDGES: chart.account_by_key(chart.FUND_PLEDGED).id,
        PSC: chart.account_by_key(chart.PSC_INCOME).id,
    }
    totals = account_totals()
    current = {
        AVAILABLE: totals[chart.FUND_AVAILABLE].posted,
        RESTRICTED: totals[RESTRICTED_BALANCES].posted,
        COMMITMENTS: totals[GRANTS].posted,
        PLEDGES: totals[chart.FUND_PLEDGED].posted,
        PSC: totals[chart.PSC_INCOME].posted,
    }
    sections = {key: Section(key) for key in SECTIONS}
    after: dict[str, int] = defaultdict(int)
    ledger_contributions: dict[str, int] = defaultdict(int)
    for code, debit_group, credit_group, in_period, amount in _movements(period, ids):
        code = TransferCode(code)
        for key, credited in ((credit_group, True), (debit_group, False)):
            if key not in sections:
                continue
            effect = int(amount) if credited else -int(amount)
            if not in_period:
                after[key] += effect
                continue
            line = _classify(key, code, credited)
            if line == CONTRIBUTIONS:
                ledger_contributions[key] += effect
            else:
                sections[key].add(line, effect)
    by_kind = contributions_by_kind(period, fund_id=ids[AVAILABLE])
    restricted_by_kind = restricted_contributions_by_kind(period)
    for key, section in sections.items():
        section.ledger_closing = current[key] - after[key]
    # The opening balances come from the ledger; the contributions lines from the donors.
    for key, kinds in ((AVAILABLE, by_kind), (RESTRICTED, restricted_by_kind)):
        section = sections[key]
        in_period_ledger = section.movements + ledger_contributions[key]
        section.opening = section.ledger_closing - in_period_ledger
        if kinds:
            section.lines = {CONTRIBUTIONS: sum(kinds.values()), **section.lines}
    for key in (COMMITMENTS, PLEDGES, PSC):
        section = sections[key]
        section.opening = section.ledger_closing - section.movements
    for section in sections.values():
        section.lines = {line: section.lines[line] for line in LINE_ORDER if line in section.lines}
    return Statement(
        period=period,
        sections=sections,
        contributions_by_kind=by_kind,
        restricted_by_kind=restricted_by_kind,
    )
