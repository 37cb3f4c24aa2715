"""Restricted balances on the ledger, and money moving between them and grants.

Each restriction has its own account ``fund:restricted:<restriction id>`` (a net-assets
account that can never go below zero). A restricted pledge's payments are credited to it
instead of ``fund:available``; a grant's commitment is posted from the balances the funding
rule (``allocation.py``) picks, one transfer per balance; what comes back from a grant goes
back to those balances. The ledger alone then says which contribution paid which grant.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from app.funding.allocation import (
    Draw,
    GrantProfile,
    RestrictedBalance,
    Terms,
    fundable,
    plan,
    split_return,
)
from app.funding.models import Restriction
from app.ledger import chart
from app.ledger.models import Account, AccountType, Transfer, TransferCode, TransferKind
from app.ledger.rules import TransferSpec, TransferStatus
from app.ledger.services.balances import account_balance
from app.ledger.services.posting import (
    TransferResult,
    post_transfers,
    require_accepted,
    transfer_id,
)
from app.platform.extensions import db
from app.platform.regions import region_of
from app.platform.settings import settings

RESTRICTED = chart.AccountTemplate(
    3300, AccountType.NET_ASSETS, debits_must_not_exceed_credits=True
)
OWNER = "restriction"
# Money coming back from a grant: released at closure, refunded by the grantee, PSC given back.
RETURN_CODES = (TransferCode.RELEASE, TransferCode.REFUND, TransferCode.REVERSAL)
# A commitment planned from balances read without locks may be refused by the posting when a
# concurrent award took a balance first; it is planned again from the fresh balances.
PLAN_ATTEMPTS = 4


def restricted_key(restriction_id: int) -> str:
    return f"fund:restricted:{restriction_id}"


def restricted_account(restriction: Restriction, *, name: str) -> Account:
    """The restriction's balance ``fund:restricted:<id>``, created on demand."""
    return chart.get_or_create_account(
        key=restricted_key(restriction.id),
        name=f"Restricted contribution: {name}",
        template=RESTRICTED,
        owner_type=OWNER,
        owner_id=restriction.id,
    )


def terms_of(restriction: Restriction) -> Terms:
    return Terms(
        theme=restriction.theme,
        region=restriction.region,
        country=restriction.country,
        call_id=restriction.call_id,
        starts_on=restriction.starts_on,
        ends_on=restriction.ends_on,
    )


def restriction_of_pledge(pledge_id: int) -> Restriction | None:
    return db.session.execute(
        sa.select(Restriction).where(Restriction.pledge_id == pledge_id)
    ).scalar_one_or_none()


def contribution_account_id(pledge_id: int) -> int:
    """Where a pledge's payments go: its restricted balance, or ``fund:available``."""
    restriction = restriction_of_pledge(pledge_id)
    if restriction is not None:
        account = chart.find_account(restricted_key(restriction.id))
        if account is not None:
            return account.id
    return chart.account_by_key(chart.FUND_AVAILABLE).id


def grant_profile(
    *,
    themes: Iterable[str],
    countries: Iterable[str],
    call_id: int | None,
    on: date,
    region_overrides: Mapping[str, str] | None = None,
) -> GrantProfile:
    """The grant as the funding rule sees it; regions are UN M49 (app/platform/regions.py),
    with the deployment's REPORTING_REGION_OVERRIDES unless others are given (decision 0106)."""
    overrides = settings().regions.overrides if region_overrides is None else region_overrides
    codes = frozenset(c.upper() for c in countries if c)
    return GrantProfile(
        themes=frozenset(themes),
        countries=codes,
        regions=frozenset(region_of(c, overrides).value for c in codes),
        call_id=call_id,
        on=on,
    )


def restricted_balances() -> list[RestrictedBalance]:
    """Every restricted balance with what it could still fund (pending outflows count)."""
    rows = db.session.execute(
        sa.select(Restriction, Account)
        .join(Account, sa.and_(Account.owner_type == OWNER, Account.owner_id == Restriction.id))
        .where(Account.code == RESTRICTED.code)
        .order_by(Restriction.id)
        .execution_options(populate_existing=True)
    ).all()
    return [
        RestrictedBalance(
            restriction_id=restriction.id,
            account_id=account.id,
            available=account.credits_posted - account.debits_posted - account.debits_pending,
            terms=terms_of(restriction),
        )
        for restriction, account in rows
    ]


def unrestricted_available() -> int:
    return account_balance(account=chart.account_by_key(chart.FUND_AVAILABLE)).available


def fundable_for(grant: GrantProfile) -> int:
    """What could fund this grant now: the restricted balances matching it and the pool."""
    return fundable(unrestricted_available(), restricted_balances(), grant)


def _commitment_id(grant_id: int, draw: Draw) -> uuid.UUID:
    if draw.restriction_id is None:
        return transfer_id("grant", grant_id, "commitment")
    return transfer_id("grant", grant_id, "commitment", "restricted", draw.restriction_id)


def commit_to_grant(
    *,
    actor: Any,
    grant_id: int,
    grant_account_id: int,
    amount: int,
    grant: GrantProfile,
    memo: str,
) -> list[Draw] | None:
    """Post a grant's commitment from the balances the rule picks; None when they cannot cover
    it (nothing posted). Planned again when a concurrent award took a balance first."""
    fund_id = chart.account_by_key(chart.FUND_AVAILABLE).id
    for _attempt in range(PLAN_ATTEMPTS):
        draws = plan(
            amount,
            grant=grant,
            restricted=restricted_balances(),
            unrestricted_account_id=fund_id,
            unrestricted_available=unrestricted_available(),
        )
        if draws is None:
            return None
        specs = [
            TransferSpec(
                id=_commitment_id(grant_id, draw),
                code=TransferCode.COMMITMENT,
                amount=draw.amount,
                debit_account_id=draw.account_id,
                credit_account_id=grant_account_id,
                document_type="grant",
                document_id=str(grant_id),
                memo=memo
                if draw.restriction_id is None
                else f"{memo} (restricted contribution {draw.restriction_id})",
            )
            for draw in draws
        ]
        results = post_transfers(specs, actor=actor)
        if any(r.status == TransferStatus.EXCEEDS_CREDITS for r in results):
            continue
        require_accepted(results)
        return draws
    return None


def grant_sources(grant_account_id: int) -> list[Draw]:
    """The balances that funded a grant, from its commitment transfers on the ledger."""
    rows = db.session.execute(
        sa.select(Account.id, Account.owner_type, Account.owner_id, sa.func.sum(Transfer.amount))
        .select_from(Transfer)
        .join(Account, Account.id == Transfer.debit_account_id)
        .where(
            Transfer.credit_account_id == grant_account_id,
            Transfer.code == TransferCode.COMMITMENT,
            Transfer.kind == TransferKind.SINGLE,
        )
        .group_by(Account.id, Account.owner_type, Account.owner_id)
        .order_by(Account.id)
    ).all()
    return [
        Draw(owner_id if owner_type == OWNER else None, account_id, int(total))
        for account_id, owner_type, owner_id, total in rows
    ]


def returned_to_fund(grant_id: int) -> int:
    """What already came back from the grant to the fund's balances."""
    total = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(Transfer.amount), 0)).where(
            Transfer.document_type == "grant",
            Transfer.document_id == str(grant_id),
            Transfer.code.in_(RETURN_CODES),
            Transfer.kind == TransferKind.SINGLE,
        )
    ).scalar_one()
    return int(total)


@dataclass(frozen=True, slots=True)
class Return:
    """Money coming back from a grant, before it is split over the balances that paid it."""

    amount: int
    code: TransferCode
    debit_account_id: int
    id_parts: tuple[object, ...]
    memo: str


def return_transfers(
    *, grant_id: int, grant_account_id: int, returns: Sequence[Return]
) -> list[TransferSpec]:
    """The transfers that return money to the balances that funded the grant, in proportion.

    The unrestricted part keeps the transfer id the return always had; each restricted part
    gets its own id with the restriction's number.
    """
    sources = grant_sources(grant_account_id)
    fund_id = chart.account_by_key(chart.FUND_AVAILABLE).id
    before = returned_to_fund(grant_id)
    specs: list[TransferSpec] = []
    for item in returns:
        if item.amount <= 0:
            continue
        for part in split_return(
            item.amount, returned_before=before, sources=sources, unrestricted_account_id=fund_id
        ):
            restricted = part.restriction_id is not None
            specs.append(
                TransferSpec(
                    id=transfer_id(*item.id_parts, "restricted", part.restriction_id)
                    if restricted
                    else transfer_id(*item.id_parts),
                    code=item.code,
                    amount=part.amount,
                    debit_account_id=item.debit_account_id,
                    credit_account_id=part.account_id,
                    document_type="grant",
                    document_id=str(grant_id),
                    memo=f"{item.memo} (to restricted contribution {part.restriction_id})"
                    if restricted
                    else item.memo,
                )
            )
        before += item.amount
    return specs


def post_returns(
    *, actor: Any, grant_id: int, grant_account_id: int, returns: Sequence[Return]
) -> list[TransferResult]:
    specs = return_transfers(grant_id=grant_id, grant_account_id=grant_account_id, returns=returns)
    return require_accepted(post_transfers(specs, actor=actor))
