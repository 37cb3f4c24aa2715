"""Demo ledger history: gifts and fees, pledges and their payments, two grants with tranches.

Idempotent: every transfer has a deterministic id, so a second run finds them all posted.
Donor and grant accounts use owner ids from 9001 up, clear of real records, until the donations
and grants areas post their own demo history.
"""

from __future__ import annotations

from sqlalchemy import select

from app.domain.accounts.models import User
from app.domain.ledger import chart
from app.domain.ledger.models import TransferCode, TransferKind
from app.domain.ledger.services import (
    TransferSpec,
    post_transfers,
    require_accepted,
    transfer_id,
)
from app.domain.ledger.verify import seal_ledger
from app.extensions import db

USD = 100  # minor units per dollar


def _spec(
    ref: str,
    code: TransferCode,
    amount: int | None,
    debit: int | None = None,
    credit: int | None = None,
    *,
    kind: TransferKind = TransferKind.SINGLE,
    pending: str | None = None,
    document: tuple[str, int] | None = None,
    memo: str | None = None,
) -> TransferSpec:
    return TransferSpec(
        id=transfer_id("demo", ref),
        code=code,
        amount=amount,
        debit_account_id=debit,
        credit_account_id=credit,
        kind=kind,
        pending_id=transfer_id("demo", pending) if pending else None,
        document_type=document[0] if document else None,
        document_id=str(document[1]) if document else None,
        memo=memo,
    )


def load_demo_ledger() -> int:
    """Post the demo history (and seal it); returns how many transfers were new."""
    actor = db.session.execute(
        select(User).where(User.email == "finance@demo.test")
    ).scalar_one_or_none()
    stripe = chart.account_by_key(chart.CASH_STRIPE).id
    bank = chart.account_by_key(chart.CASH_BANK).id
    fund = chart.account_by_key(chart.FUND_AVAILABLE).id
    pledged = chart.account_by_key(chart.FUND_PLEDGED).id
    psc = chart.account_by_key(chart.PSC_INCOME).id
    norway = chart.receivable_account(donor_id=9001, name="Government of Norway").id
    foundation = chart.receivable_account(donor_id=9002, name="Blue Heart Foundation").id
    shelter = chart.grant_account(
        grant_id=9001, name="Safe Haven Initiative: emergency shelter (SGP1)"
    ).id
    legal = chart.grant_account(grant_id=9002, name="Freedom Path Association: legal aid (SGP2)").id
    G = TransferCode
    batches: list[list[TransferSpec]] = [
        # Online gifts through the card processor, each with its processing fee.
        [
            _spec("gift-1", G.GIFT, 250 * USD, stripe, fund, document=("gift", 9001)),
            _spec("gift-1-fee", G.FEE, 755, fund, stripe, document=("gift", 9001)),
        ],
        [
            _spec("gift-2", G.GIFT, 1_000 * USD, stripe, fund, document=("gift", 9002)),
            _spec("gift-2-fee", G.FEE, 2_930, fund, stripe, document=("gift", 9002)),
        ],
        [
            _spec(
                "gift-2-refund",
                G.REFUND,
                100 * USD,
                fund,
                stripe,
                document=("gift", 9002),
                memo="Partial refund requested by the donor",
            )
        ],
        # A Member State pledge, two thirds paid so far.
        [_spec("pledge-1", G.PLEDGE, 150_000 * USD, norway, pledged, document=("pledge", 9001))],
        [
            _spec(
                "pledge-1-payment-1",
                G.PLEDGE_PAYMENT,
                100_000 * USD,
                bank,
                norway,
                document=("pledge", 9001),
            ),
            _spec(
                "pledge-1-payment-1-release",
                G.PLEDGE_PAYMENT,
                100_000 * USD,
                pledged,
                fund,
                document=("pledge", 9001),
            ),
        ],
        # A foundation's pledge, paid in full.
        [_spec("pledge-2", G.PLEDGE, 50_000 * USD, foundation, pledged, document=("pledge", 9002))],
        [
            _spec(
                "pledge-2-payment-1",
                G.PLEDGE_PAYMENT,
                50_000 * USD,
                bank,
                foundation,
                document=("pledge", 9002),
            ),
            _spec(
                "pledge-2-payment-1-release",
                G.PLEDGE_PAYMENT,
                50_000 * USD,
                pledged,
                fund,
                document=("pledge", 9002),
            ),
        ],
        # Grant 9001: USD 20,000 plus 13% PSC committed; first tranche paid, second on its way.
        [
            _spec(
                "grant-1-commitment",
                G.COMMITMENT,
                22_600 * USD,
                fund,
                shelter,
                document=("grant", 9001),
            )
        ],
        [
            _spec(
                "grant-1-tranche-1",
                G.DISBURSEMENT,
                10_000 * USD,
                shelter,
                bank,
                kind=TransferKind.PENDING,
                document=("tranche", 90011),
            )
        ],
        [
            _spec(
                "grant-1-tranche-1-paid",
                G.DISBURSEMENT,
                None,
                kind=TransferKind.POST_PENDING,
                pending="grant-1-tranche-1",
                document=("tranche", 90011),
            ),
            _spec(
                "grant-1-tranche-1-psc",
                G.PSC,
                1_300 * USD,
                shelter,
                psc,
                document=("tranche", 90011),
            ),
        ],
        [
            _spec(
                "grant-1-tranche-2",
                G.DISBURSEMENT,
                10_000 * USD,
                shelter,
                bank,
                kind=TransferKind.PENDING,
                document=("tranche", 90012),
            )
        ],
        # Grant 9002: the first transfer bounced (voided) and was sent again and paid.
        [
            _spec(
                "grant-2-commitment",
                G.COMMITMENT,
                33_900 * USD,
                fund,
                legal,
                document=("grant", 9002),
            )
        ],
        [
            _spec(
                "grant-2-tranche-1",
                G.DISBURSEMENT,
                15_000 * USD,
                legal,
                bank,
                kind=TransferKind.PENDING,
                document=("tranche", 90021),
            )
        ],
        [
            _spec(
                "grant-2-tranche-1-failed",
                G.DISBURSEMENT,
                None,
                kind=TransferKind.VOID_PENDING,
                pending="grant-2-tranche-1",
                document=("tranche", 90021),
                memo="Returned by the beneficiary's bank: account number mismatch",
            )
        ],
        [
            _spec(
                "grant-2-tranche-1-resent",
                G.DISBURSEMENT,
                15_000 * USD,
                legal,
                bank,
                kind=TransferKind.PENDING,
                document=("tranche", 90021),
            )
        ],
        [
            _spec(
                "grant-2-tranche-1-resent-paid",
                G.DISBURSEMENT,
                None,
                kind=TransferKind.POST_PENDING,
                pending="grant-2-tranche-1-resent",
                document=("tranche", 90021),
            ),
            _spec(
                "grant-2-tranche-1-psc", G.PSC, 1_950 * USD, legal, psc, document=("tranche", 90021)
            ),
        ],
    ]
    posted = 0
    for batch in batches:
        results = require_accepted(post_transfers(batch, actor=actor))
        posted += sum(1 for result in results if result.status == "ok")
    if posted:
        seal_ledger(actor=actor)
    db.session.flush()
    return posted
