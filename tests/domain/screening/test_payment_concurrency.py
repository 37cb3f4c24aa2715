"""Real concurrent connections on PostgreSQL: a sanctions match raised (a new version of the list
imported) at the moment a tranche is approved. The approval and the new match lock the
organisation's row (the match by its trigger, migration 5d1f0e7a9c21), so the approval commits
before the match, or waits for it and is refused; never approved after the match commits. The
same holds for an approval written behind the services' back: the database refuses it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from app.accounts.models import Organisation, User
from app.audit.models import AuditEvent
from app.grants import services as grants
from app.grants.models import Tranche, TrancheStatus
from app.organisations.services.bank_accounts import current_bank_account
from app.platform.errors import Conflict
from app.platform.extensions import db
from app.screening.models import HitStatus, ScreeningHit
from app.screening.services.list_import import import_list
from tests.bank_support import cleanup, get, tranche_under_way
from tests.real_commits import committed, race
from tests.screening_support import import_test_list, list_bytes

pytestmark = [pytest.mark.postgres, pytest.mark.real_commits]
__all__ = ["cleanup"]  # the fixture

IMPORT, APPROVE = 0, 1


def _listed_tomorrow() -> dict[str, Any]:
    """The list in force names nobody we know; the next version lists the grantee."""
    import_test_list()
    ids: dict[str, Any] = tranche_under_way()
    name = get(Organisation, ids["organisation"]).name
    ids["next_list"] = list_bytes(replace=("BLUE HORIZON RELIEF FUND", name.upper()))
    return ids


def _raise_the_match(ids: dict[str, Any]) -> Callable[[], str]:
    def work() -> str:
        result = import_list(actor=None, data=ids["next_list"], source="race")
        assert ids["organisation"] in [hit.organisation_id for hit in result.hits]
        return "raised"

    return work


def _outcome(ids: dict[str, Any]) -> tuple[TrancheStatus, list[HitStatus], list[str]]:
    tranche = get(Tranche, ids["tranche"])
    hits = db.session.scalars(
        sa.select(ScreeningHit.status).where(ScreeningHit.organisation_id == ids["organisation"])
    ).all()
    # Audit events are written under the locks, so their order is the order of the commits.
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.action.in_(("tranche.approved", "screening.list_imported")))
        .order_by(AuditEvent.id)
    ).all()
    return tranche.status, list(hits), list(actions)


def test_a_match_raised_while_a_tranche_is_approved_is_never_paid_past(app, cleanup):
    ids = committed(app, _listed_tomorrow)

    def approve() -> str:
        grants.approve_disbursement(
            actor=get(User, ids["checker"]), tranche=get(Tranche, ids["tranche"])
        )
        return "approved"

    workers: list[Callable[[], str]] = [_raise_the_match(ids), approve]
    results = race(app, workers)
    assert results[IMPORT] == "raised", results
    status, hits, actions = committed(app, lambda: _outcome(ids))
    assert hits == [HitStatus.OPEN]
    if results[APPROVE] == "approved":
        # Approved first; the match came after it (the import waited for the approval's lock).
        assert status == TrancheStatus.APPROVED
        assert actions[-2:] == ["tranche.approved", "screening.list_imported"], actions
        assert (IMPORT, APPROVE) in results.waits
    else:
        assert isinstance(results[APPROVE], Conflict), results
        assert "possible match on the UN sanctions list" in results[APPROVE].message
        assert status == TrancheStatus.REQUESTED
        assert "tranche.approved" not in actions


def test_an_approval_behind_the_services_back_is_refused_once_the_match_commits(app, cleanup):
    ids = committed(app, _listed_tomorrow)

    def approve_behind_the_rules() -> str:
        # A bug or a hand-edit: the status written without ensure_no_sanctions_hold.
        account = current_bank_account(ids["organisation"])
        assert account is not None
        db.session.execute(
            sa.update(Tranche)
            .where(Tranche.id == ids["tranche"])
            .values(
                status=TrancheStatus.APPROVED,
                approved_by_id=ids["checker"],
                approved_account_id=account.id,
            )
        )
        return "approved"

    workers: list[Callable[[], str]] = [_raise_the_match(ids), approve_behind_the_rules]
    results = race(app, workers)
    assert results[IMPORT] == "raised", results
    status, hits, _actions = committed(app, lambda: _outcome(ids))
    assert hits == [HitStatus.OPEN]
    if results[APPROVE] == "approved":
        # The trigger locked the organisation first: the match waited for the approval.
        assert status == TrancheStatus.APPROVED
        assert (IMPORT, APPROVE) in results.waits
    else:
        assert isinstance(results[APPROVE], sa.exc.IntegrityError), results
        assert "sanctions match" in str(results[APPROVE])
        assert status == TrancheStatus.REQUESTED
