"""Random sequences of postings agree with a simple in-memory ledger, and always balance."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field, replace

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from app.ledger.models import Account, TransferKind
from app.ledger.rules import TransferSpec
from app.ledger.services.posting import post_transfers
from app.platform.extensions import db
from tests.domain.ledger.conftest import new_account

AMOUNTS = st.integers(min_value=1, max_value=500)


@dataclass
class ModelAccount:
    limit: str | None
    dp: int = 0
    dpo: int = 0
    cp: int = 0
    cpo: int = 0


@dataclass
class ModelPending:
    debit: int
    credit: int
    amount: int
    resolved: bool = False


@dataclass
class Model:
    """The ledger's rules written the plain way, as the test's oracle."""

    accounts: dict[int, ModelAccount] = field(default_factory=dict)
    pendings: dict[uuid.UUID, ModelPending] = field(default_factory=dict)

    def apply(self, specs: list[TransferSpec]) -> list[str]:
        accounts = {k: ModelAccount(**vars(v)) for k, v in self.accounts.items()}
        pendings = {k: ModelPending(**vars(v)) for k, v in self.pendings.items()}
        out = []
        for s in specs:
            out.append(self._one(s, accounts, pendings))
            if out[-1] != "ok":
                # The first refusal names the reason; everything else in the batch failed.
                return [
                    status if i == len(out) - 1 else "batch_failed"
                    for i, status in enumerate(out + ["batch_failed"] * (len(specs) - len(out)))
                ]
        self.accounts, self.pendings = accounts, pendings
        return out

    @staticmethod
    def _one(s, accounts, pendings) -> str:
        if s.kind in (TransferKind.SINGLE, TransferKind.PENDING):
            if s.debit_account_id == s.credit_account_id:
                return "accounts_must_differ"
            debit, credit = accounts[s.debit_account_id], accounts[s.credit_account_id]
            pending = s.amount if s.kind == TransferKind.PENDING else 0
            posted = s.amount - pending
            if debit.limit == "debits" and debit.dp + debit.dpo + s.amount > debit.cpo:
                return "exceeds_credits"
            if credit.limit == "credits" and credit.cp + credit.cpo + s.amount > credit.dpo:
                return "exceeds_debits"
            debit.dp += pending
            debit.dpo += posted
            credit.cp += pending
            credit.cpo += posted
            if s.kind == TransferKind.PENDING:
                pendings[s.id] = ModelPending(s.debit_account_id, s.credit_account_id, s.amount)
            return "ok"
        target = pendings[s.pending_id]
        if target.resolved:
            return "pending_already_resolved"
        amount = target.amount if s.amount is None else s.amount
        if s.kind == TransferKind.POST_PENDING and amount > target.amount:
            return "amount_exceeds_pending"
        posted = amount if s.kind == TransferKind.POST_PENDING else 0
        debit, credit = accounts[target.debit], accounts[target.credit]
        debit.dp -= target.amount
        credit.cp -= target.amount
        debit.dpo += posted
        credit.cpo += posted
        target.resolved = True
        return "ok"


class LedgerMachine(RuleBasedStateMachine):
    accounts = Bundle("accounts")
    pendings = Bundle("pendings")

    def __init__(self) -> None:
        super().__init__()
        self.model = Model()
        self.posted: list[TransferSpec] = []

    def _post(self, *specs: TransferSpec) -> list[str]:
        expected = self.model.apply(list(specs))
        got = [r.status.value for r in post_transfers(list(specs), actor=None)]
        assert got == expected, (specs, got, expected)
        return got

    @initialize(target=accounts)
    def source(self) -> int:
        # An unlimited account that money can come from, so limited ones get funded.
        account = new_account()
        self.model.accounts[account.id] = ModelAccount(limit=None)
        return account.id

    @rule(target=accounts, limit=st.sampled_from([None, "debits", "credits"]))
    def add_account(self, limit: str | None) -> int:
        account = new_account(limit=limit)
        self.model.accounts[account.id] = ModelAccount(limit=limit)
        return account.id

    @rule(debit=accounts, credit=accounts, amount=AMOUNTS)
    def single(self, debit: int, credit: int, amount: int) -> None:
        transfer = TransferSpec(
            id=uuid.uuid4(),
            code="ADJUSTMENT",
            amount=amount,
            debit_account_id=debit,
            credit_account_id=credit,
        )
        if self._post(transfer) == ["ok"]:
            self.posted.append(transfer)

    @rule(target=pendings, debit=accounts, credit=accounts, amount=AMOUNTS)
    def pending(self, debit: int, credit: int, amount: int) -> uuid.UUID:
        transfer = TransferSpec(
            id=uuid.uuid4(),
            code="DISBURSEMENT",
            kind="pending",
            amount=amount,
            debit_account_id=debit,
            credit_account_id=credit,
        )
        if self._post(transfer) != ["ok"]:
            # Refused: nothing to post or void later; point at a pending that exists instead.
            return self._any_pending() or transfer.id
        return transfer.id

    def _any_pending(self) -> uuid.UUID | None:
        return next(iter(self.model.pendings), None)

    @rule(pending=pendings, amount=st.none() | AMOUNTS)
    def post_pending(self, pending: uuid.UUID, amount: int | None) -> None:
        if pending not in self.model.pendings:
            return
        self._post(
            TransferSpec(
                id=uuid.uuid4(),
                code="DISBURSEMENT",
                kind="post_pending",
                amount=amount,
                pending_id=pending,
            )
        )

    @rule(pending=pendings)
    def void_pending(self, pending: uuid.UUID) -> None:
        if pending not in self.model.pendings:
            return
        self._post(
            TransferSpec(id=uuid.uuid4(), code="REVERSAL", kind="void_pending", pending_id=pending)
        )

    @precondition(lambda self: self.posted)
    @rule(data=st.data(), change=st.booleans())
    def retry(self, data: st.DataObject, change: bool) -> None:
        """Posting an id again never moves money; with other fields it is refused."""
        transfer = data.draw(st.sampled_from(self.posted))
        if change:
            transfer = replace(transfer, amount=transfer.amount + 1)
        got = [r.status.value for r in post_transfers([transfer], actor=None)]
        assert got == ["exists_with_different_fields" if change else "exists"]

    @rule(a=accounts, b=accounts, c=accounts, x=AMOUNTS, y=AMOUNTS)
    def batch(self, a: int, b: int, c: int, x: int, y: int) -> None:
        self._post(
            TransferSpec(
                id=uuid.uuid4(),
                code="ADJUSTMENT",
                amount=x,
                debit_account_id=a,
                credit_account_id=b,
            ),
            TransferSpec(
                id=uuid.uuid4(),
                code="ADJUSTMENT",
                amount=y,
                debit_account_id=b,
                credit_account_id=c,
            ),
        )

    @invariant()
    def accounts_match_the_model(self) -> None:
        if not self.model.accounts:
            return
        rows = db.session.execute(
            sa.select(
                Account.id,
                Account.debits_pending,
                Account.debits_posted,
                Account.credits_pending,
                Account.credits_posted,
            ).where(Account.id.in_(self.model.accounts))
        )
        for row in rows:
            m = self.model.accounts[row.id]
            assert tuple(row[1:]) == (m.dp, m.dpo, m.cp, m.cpo)

    @invariant()
    def debits_equal_credits(self) -> None:
        totals = db.session.execute(
            sa.select(
                sa.func.coalesce(sa.func.sum(Account.debits_posted), 0),
                sa.func.coalesce(sa.func.sum(Account.credits_posted), 0),
                sa.func.coalesce(sa.func.sum(Account.debits_pending), 0),
                sa.func.coalesce(sa.func.sum(Account.credits_pending), 0),
            )
        ).one()
        assert totals[0] == totals[1]
        assert totals[2] == totals[3]


def test_ledger_agrees_with_the_model():
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            # LEDGER_STATEFUL_EXAMPLES=500 for a deeper search than the suite's quick one.
            max_examples=int(os.environ.get("LEDGER_STATEFUL_EXAMPLES", "25")),
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            database=None,
        ),
    )
