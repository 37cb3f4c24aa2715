"""Real concurrent connections on PostgreSQL: the grantee's bank account changed at the moment
an approved tranche is sent. Both lock the organisation's row, so the money goes to the account
the checker approved (sent before the change) or nowhere (refused after it), never to the new
account nobody approved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.grants import services as grants
from app.grants.models import Tranche, TrancheStatus
from app.ledger.services.transfers import transfers_for_document
from app.organisations.services import bank_accounts as bank
from app.platform.db import utcnow
from app.platform.errors import Conflict
from app.platform.extensions import db
from tests.bank_support import cleanup, german_details, get, tranche_under_way
from tests.real_commits import committed, race

pytestmark = [pytest.mark.postgres, pytest.mark.real_commits]
__all__ = ["cleanup"]  # the fixture


def _last_event(action: str) -> int:
    found = db.session.scalar(
        sa.select(sa.func.max(AuditEvent.id)).where(AuditEvent.action == action)
    )
    assert found is not None
    return int(found)


def test_a_change_of_account_confirmed_while_a_tranche_is_sent_never_pays_the_new_account(
    app, cleanup
):
    ids = committed(app, lambda: tranche_under_way(approved=True))
    # The send is dated past the new account's hold, so only the approval stands in its way.
    later = utcnow() + timedelta(days=11)

    def change() -> str:
        organisation = get(Tranche, ids["tranche"]).grant.organisation
        account = bank.propose_bank_account(
            actor=get(User, ids["proposer"]), organisation=organisation, details=german_details()
        )
        bank.confirm_bank_account(actor=get(User, ids["fm"]), account=account)
        return "changed"

    def send() -> str:
        grants.send_disbursement(
            actor=get(User, ids["maker"]), tranche=get(Tranche, ids["tranche"]), now=later
        )
        return "sent"

    workers: list[Callable[[], str]] = [change, send]
    results = race(app, workers)
    assert results[0] == "changed", results

    def outcome() -> tuple[Any, int, int | None, int | None]:
        tranche = get(Tranche, ids["tranche"])
        sent = db.session.scalar(
            sa.select(sa.func.max(AuditEvent.id)).where(AuditEvent.action == "tranche.sent")
        )
        moved = len(transfers_for_document(document_type="tranche", document_id=tranche.id))
        return tranche.status, moved, sent, _last_event("bank_account.confirmed")

    status, moved, sent, confirmed = committed(app, outcome)
    if results[1] == "sent":
        # Sent first, to the approved account; the change came after it.
        assert (status, moved) == (TrancheStatus.SENT, 1)
        assert sent is not None and confirmed is not None and sent < confirmed
    else:
        assert isinstance(results[1], Conflict), results
        assert "approved for another bank account" in results[1].message
        assert (status, moved) == (TrancheStatus.APPROVED, 0)
