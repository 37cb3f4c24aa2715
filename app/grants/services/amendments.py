"""Amendments: the grantee asks to move money between budget lines or for more time at no cost;
the fund manager approves (a new budget version or a later end date) or refuses."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from app.accounts.models import User
from app.accounts.permissions import Permission, ensure_permission, is_member
from app.audit.services import record_event
from app.grants.models import (
    END_OF_GRANT_REPORTS,
    REPORT_OUTSTANDING,
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    Grant,
    GrantBudgetLine,
)
from app.grants.services.common import format_money
from app.grants.services.reports import MAX_TEXT, REPORTING_STATES
from app.grants.workflow import AMENDMENT_WORKFLOW
from app.platform.db import lock_rows, utcnow
from app.platform.errors import N_, Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from app.platform.extensions import db


def request_amendment(
    *,
    actor: User,
    grant: Grant,
    kind: AmendmentKind,
    reason: str,
    new_end_date: date | None = None,
    amounts: Mapping[int, int] | None = None,
) -> Amendment:
    """The grantee asks to move money between budget lines, or for more time at no cost."""
    lock_rows(grant)
    ensure_permission(actor, Permission.SUBMIT_GRANT_REPORT)
    if not is_member(actor, grant.organisation_id):
        raise PermissionDenied(N_("Only the grantee organisation's own staff can do this."))
    if grant.status not in REPORTING_STATES:
        raise InvalidTransition(
            N_("%(reference)s cannot be amended while it is %(status)s."),
            reference=grant.reference,
            status=str(grant.status).replace("_", " "),
        )
    if any(a.status == AmendmentStatus.REQUESTED for a in grant.amendments):
        raise Conflict(N_("An amendment is already waiting for the fund's decision."))
    kind = AmendmentKind(kind)
    reason = (reason or "").strip()[:MAX_TEXT]
    if not reason:
        raise ValidationFailed(N_("Explain why the change is needed."))
    amendment = Amendment(
        number=max((a.number for a in grant.amendments), default=0) + 1,
        kind=kind,
        reason=reason,
        requested_by_id=actor.id,
        requested_at=utcnow(),
    )
    if kind == AmendmentKind.NO_COST_EXTENSION:
        if new_end_date is None or new_end_date <= grant.end_date:
            raise ValidationFailed(
                N_("Choose a new end date after the current one, %(end)s."),
                end=grant.end_date.isoformat(),
            )
        amendment.old_end_date = grant.end_date
        amendment.new_end_date = new_end_date
    else:
        proposed = _proposed_budget(grant, amounts)
        amendment.base_budget_version = grant.budget_version
        amendment.proposed_amounts = {str(k): v for k, v in sorted(proposed.items())}
    grant.amendments.append(amendment)
    db.session.flush()
    record_event(
        actor=actor,
        action="grant_amendment.requested",
        subject=amendment,
        summary=f"{grant.reference}: amendment {amendment.number} ({kind.value}) requested",
    )
    return amendment


def _proposed_budget(grant: Grant, amounts: Mapping[int, int] | None) -> dict[int, int]:
    """A new amount for every current line, none negative, the same total, something changed."""
    lines = grant.current_budget
    proposed = dict(amounts or {})
    if sorted(proposed) != sorted(line.position for line in lines):
        raise ValidationFailed(N_("Give the new amount of every budget line."))
    if any(value < 0 for value in proposed.values()):
        raise ValidationFailed(N_("A budget line cannot be negative."))
    total = sum(proposed.values())
    if total != grant.amount:
        raise ValidationFailed(
            N_("The budget must still add up to the grant, %(amount)s; it adds up to %(total)s."),
            amount=format_money(grant.amount, grant.currency),
            total=format_money(total, grant.currency),
        )
    if all(proposed[line.position] == line.amount for line in lines):
        raise ValidationFailed(N_("The proposed budget is the same as the current one."))
    return proposed


def approve_amendment(
    *, actor: User, amendment: Amendment, comment: str = "", now: datetime | None = None
) -> Amendment:
    """Apply the change as a new version: a new budget version, or a later end date (the final
    reports move with it)."""
    grant = amendment.grant
    lock_rows(grant, amendment)
    if grant.status not in REPORTING_STATES and amendment.status == AmendmentStatus.REQUESTED:
        raise InvalidTransition(
            N_("%(reference)s cannot be amended while it is %(status)s."),
            reference=grant.reference,
            status=str(grant.status).replace("_", " "),
        )
    AMENDMENT_WORKFLOW.transition(amendment, AmendmentStatus.APPROVED, actor=actor)
    if amendment.kind == AmendmentKind.NO_COST_EXTENSION:
        assert amendment.new_end_date is not None and amendment.old_end_date is not None
        shift = amendment.new_end_date - grant.end_date
        grant.end_date = amendment.new_end_date
        for report in grant.reports:
            if report.kind in END_OF_GRANT_REPORTS and report.status in REPORT_OUTSTANDING:
                report.due_date = report.due_date + shift
    else:
        if amendment.base_budget_version != grant.budget_version:
            raise Conflict(
                N_("The budget changed since this amendment was asked for: ask for a new one.")
            )
        version = grant.budget_version + 1
        for line in grant.current_budget:
            grant.budget_lines.append(
                GrantBudgetLine(
                    version=version,
                    position=line.position,
                    category=line.category,
                    description=line.description,
                    amount=int(amendment.proposed_amounts[str(line.position)]),
                )
            )
        grant.budget_version = version
        amendment.new_budget_version = version
    amendment.decided_by_id = actor.id
    amendment.decided_at = now or utcnow()
    amendment.decision_comment = (comment or "").strip()[:MAX_TEXT]
    db.session.flush()
    return amendment


def reject_amendment(
    *, actor: User, amendment: Amendment, comment: str, now: datetime | None = None
) -> Amendment:
    lock_rows(amendment.grant, amendment)
    comment = (comment or "").strip()[:MAX_TEXT]
    if not comment:
        raise ValidationFailed(N_("Say why the amendment is refused."))
    AMENDMENT_WORKFLOW.transition(amendment, AmendmentStatus.REJECTED, actor=actor, reason=comment)
    amendment.decided_by_id = actor.id
    amendment.decided_at = now or utcnow()
    amendment.decision_comment = comment
    db.session.flush()
    return amendment
