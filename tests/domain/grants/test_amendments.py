"""Amendments: budget reallocations and no-cost extensions, asked by the grantee, decided by
the fund manager, applied as new versions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.grants.models import AmendmentKind, AmendmentStatus, ReportKind
from app.grants.services import amendments
from app.platform.errors import Conflict, ValidationFailed
from tests.grants_support import USD, active_grant, fund, manager, report_of, signatory


@pytest.fixture
def grant():
    fund(100_000 * USD)
    return active_grant(amount=10_000 * USD)


def test_a_budget_reallocation_becomes_a_new_budget_version(grant):
    line_a, line_b = grant.current_budget
    amendment = amendments.request_amendment(
        actor=signatory(grant),
        grant=grant,
        kind=AmendmentKind.BUDGET_REALLOCATION,
        reason="More survivors need shelter than planned.",
        amounts={line_a.position: 8_500 * USD, line_b.position: 1_500 * USD},
    )
    assert amendment.number == 1
    assert grant.budget_version == 1
    amendments.approve_amendment(actor=manager(), amendment=amendment, comment="Agreed.")
    assert amendment.status == AmendmentStatus.APPROVED
    assert grant.budget_version == 2
    assert [line.amount for line in grant.current_budget] == [8_500 * USD, 1_500 * USD]
    # The first version is kept.
    assert [line.amount for line in grant.budget_lines if line.version == 1] == [
        7_500 * USD,
        2_500 * USD,
    ]


def test_a_reallocation_must_keep_the_total_and_change_something(grant):
    line_a, line_b = grant.current_budget
    with pytest.raises(ValidationFailed, match="still add up"):
        amendments.request_amendment(
            actor=signatory(grant),
            grant=grant,
            kind=AmendmentKind.BUDGET_REALLOCATION,
            reason="More",
            amounts={line_a.position: 9_000 * USD, line_b.position: 2_500 * USD},
        )
    with pytest.raises(ValidationFailed, match="same as the current"):
        amendments.request_amendment(
            actor=signatory(grant),
            grant=grant,
            kind=AmendmentKind.BUDGET_REALLOCATION,
            reason="Nothing",
            amounts={line_a.position: line_a.amount, line_b.position: line_b.amount},
        )


def test_a_no_cost_extension_moves_the_end_and_the_final_reports(grant):
    final = report_of(grant, ReportKind.FINAL)
    old_end, old_due = grant.end_date, final.due_date
    new_end = old_end + timedelta(days=90)
    amendment = amendments.request_amendment(
        actor=signatory(grant),
        grant=grant,
        kind=AmendmentKind.NO_COST_EXTENSION,
        reason="The courts closed for three months.",
        new_end_date=new_end,
    )
    with pytest.raises(Conflict, match="already waiting"):
        amendments.request_amendment(
            actor=signatory(grant),
            grant=grant,
            kind=AmendmentKind.NO_COST_EXTENSION,
            reason="Again",
            new_end_date=new_end + timedelta(days=1),
        )
    amendments.approve_amendment(actor=manager(), amendment=amendment)
    assert grant.end_date == new_end
    assert final.due_date == old_due + timedelta(days=90)
    assert amendment.old_end_date == old_end


def test_an_extension_must_end_later(grant):
    with pytest.raises(ValidationFailed, match="after the current one"):
        amendments.request_amendment(
            actor=signatory(grant),
            grant=grant,
            kind=AmendmentKind.NO_COST_EXTENSION,
            reason="x",
            new_end_date=grant.end_date,
        )


def test_a_refusal_says_why(grant):
    amendment = amendments.request_amendment(
        actor=signatory(grant),
        grant=grant,
        kind=AmendmentKind.NO_COST_EXTENSION,
        reason="x",
        new_end_date=grant.end_date + timedelta(days=30),
    )
    with pytest.raises(ValidationFailed):
        amendments.reject_amendment(actor=manager(), amendment=amendment, comment="")
    amendments.reject_amendment(actor=manager(), amendment=amendment, comment="Not justified.")
    assert amendment.status == AmendmentStatus.REJECTED
    assert grant.end_date == amendment.old_end_date
