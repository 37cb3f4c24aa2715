"""Report reminders: the grantee is told GRANT_REMINDER_DAYS before a report falls due and
again on the day it does, once each.

What was sent is the report's ``last_reminded_at``: the early reminder is owed while it is
older than the first day of the window, the due-day one while it is older than the due date.
So a second run the same day sends nothing, and a day the job did not run is caught up by the
next run (one reminder, the one owed now). Run daily by the beat and by `flask grants remind`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.accounts.permissions import Permission
from app.audit.services import record_event
from app.grants.models import REPORT_OUTSTANDING, Grant, GrantReport
from app.grants.services.common import ensure_fund_staff, report_title
from app.grants.services.reports import REPORTING_STATES, remind_report
from app.platform.db import utcnow
from app.platform.errors import N_, Conflict, InvalidTransition
from app.platform.extensions import db


def reminder_owed(report: GrantReport, *, on: date, days: int) -> str | None:
    """Which reminder ``report`` is owed on ``on``: "due" on or after its due date, "early"
    within ``days`` before it, each only if not sent yet; None when none is."""
    reminded = report.last_reminded_at
    last = reminded.astimezone(UTC).date() if reminded is not None else None
    if on >= report.due_date:
        return "due" if last is None or last < report.due_date else None
    window = report.due_date - timedelta(days=days)
    if on >= window:
        return "early" if last is None or last < window else None
    return None


def send_report_reminders(*, days: int, now: datetime | None = None) -> int:
    """Remind the grantees of the reports due in ``days`` days (GRANT_REMINDER_DAYS) or due
    at ``now`` (default: the present; the day is the UTC day, like every deadline); returns how
    many were sent. Flushes, never
    commits: the caller's commit sends the e-mails."""
    at = now or utcnow()
    on = at.astimezone(UTC).date()
    start_of_day = datetime.combine(on, time.min, tzinfo=UTC)
    candidates = db.session.execute(
        sa.select(GrantReport)
        .join(Grant, Grant.id == GrantReport.grant_id)
        .where(
            Grant.status.in_(list(REPORTING_STATES)),
            GrantReport.status.in_(list(REPORT_OUTSTANDING)),
            GrantReport.due_date <= on + timedelta(days=days),
            # Reminded today: nothing more is owed today, whatever the stage.
            sa.or_(
                GrantReport.last_reminded_at.is_(None),
                GrantReport.last_reminded_at < start_of_day,
            ),
        )
        .order_by(GrantReport.due_date, GrantReport.id)
        # A run that overlaps another leaves it the reports it holds.
        .with_for_update(of=GrantReport, skip_locked=True)
    ).scalars()
    sent = 0
    for report in candidates:
        stage = reminder_owed(report, on=on, days=days)
        if stage is None:
            continue
        remind_report(report=report, at=at)
        record_event(
            actor=None,
            action="grant_report.reminded",
            subject=report,
            summary=f"{report.grant.reference}: {report_title(report)}: grantee reminded "
            f"({'due today or overdue' if stage == 'due' else 'due soon'}, {report.due_date})",
        )
        sent += 1
    db.session.flush()
    return sent


def remind_overdue_report(*, actor: User, report: GrantReport, now: datetime | None = None) -> None:
    """A fund manager reminds the grantee of an overdue report now (from the reports list, for
    many at once: app/web/bulk.py): the daily reminder's e-mail, audited with who sent it.

    Refused for a report no longer owed on a running grant, one not yet overdue (the daily job
    tells the grantee when it falls due), one reminded today already, and by a member of the
    grantee (segregation of duties)."""
    ensure_fund_staff(actor, report.grant, Permission.ACCEPT_GRANT_REPORT)
    if report.grant.status not in REPORTING_STATES or report.status not in REPORT_OUTSTANDING:
        raise InvalidTransition(N_("This report is not owed any more."))
    at = now or utcnow()
    on = at.astimezone(UTC).date()
    if report.due_date >= on:
        raise InvalidTransition(
            N_("This report is not overdue: it is due on %(day)s."), day=report.due_date.isoformat()
        )
    reminded = report.last_reminded_at
    if reminded is not None and reminded.astimezone(UTC).date() == on:
        raise Conflict(N_("The grantee was already reminded of this report today."))
    remind_report(report=report, at=at)
    record_event(
        actor=actor,
        action="grant_report.reminded",
        subject=report,
        summary=f"{report.grant.reference}: {report_title(report)}: grantee reminded by "
        f"{actor.email} (overdue, due {report.due_date})",
    )
    db.session.flush()
