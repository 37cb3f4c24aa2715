"""Report reminders: the grantee hears GRANT_REMINDER_DAYS before a report is due and on the
day, once each, whatever the number of runs; a day the job missed is caught up once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.grants.models import Grant, GrantReport, ReportKind
from app.grants.services.reminders import send_report_reminders
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.grants_support import USD, active_grant, complete_report, fund, report_of


@pytest.fixture
def grant(app):
    fund(100_000 * USD)
    return active_grant(amount=10_000 * USD)


def only_report_due_on(grant: Grant, due: date) -> GrantReport:
    """The grant's first progress report due on ``due``; its other reports far later."""
    report = report_of(grant, ReportKind.PROGRESS)
    for other in grant.reports:
        other.due_date = due + timedelta(days=400)
    report.due_date = due
    db.session.flush()
    return report


def at(day: date, hour: int = 2) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def reminders_recorded() -> int:
    return db.session.execute(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "grant_report.reminded")
    ).scalar_one()


def test_a_week_before_and_on_the_day_once_each_however_often_it_runs(grant):
    due = utcnow().date() + timedelta(days=30)
    only_report_due_on(grant, due)

    reminded_on = []
    for offset in range(-10, 6):
        day = due + timedelta(days=offset)
        if send_report_reminders(days=7, now=at(day)):
            reminded_on.append(offset)
        assert send_report_reminders(days=7, now=at(day, hour=14)) == 0  # twice the same day

    assert reminded_on == [-7, 0]
    assert reminders_recorded() == 2


def test_days_the_job_missed_are_caught_up_once(grant):
    due = utcnow().date() + timedelta(days=30)
    report = only_report_due_on(grant, due)

    assert send_report_reminders(days=7, now=at(due - timedelta(days=3))) == 1  # late, still before
    assert send_report_reminders(days=7, now=at(due - timedelta(days=1))) == 0
    assert send_report_reminders(days=7, now=at(due + timedelta(days=2))) == 1  # the due day's
    assert send_report_reminders(days=7, now=at(due + timedelta(days=3))) == 0
    assert report.last_reminded_at == at(due + timedelta(days=2))


def test_a_report_moved_later_is_reminded_again_before_its_new_date(grant):
    due = utcnow().date() + timedelta(days=30)
    report = only_report_due_on(grant, due)
    assert send_report_reminders(days=7, now=at(due - timedelta(days=7))) == 1

    report.due_date = due + timedelta(days=30)
    db.session.flush()

    assert send_report_reminders(days=7, now=at(due)) == 0
    assert send_report_reminders(days=7, now=at(report.due_date - timedelta(days=7))) == 1


def test_a_submitted_report_is_not_reminded(grant):
    due = utcnow().date() + timedelta(days=30)
    report = only_report_due_on(grant, due)
    complete_report(report)

    assert send_report_reminders(days=7, now=at(due)) == 0


def test_flask_grants_remind_sends_once_a_day(grant, runner):
    only_report_due_on(grant, utcnow().date() + timedelta(days=7))
    db.session.commit()

    first = runner.invoke(args=["grants", "remind"])
    second = runner.invoke(args=["grants", "remind"])

    assert first.exit_code == 0, first.output
    assert "Reminded 1 report(s)." in first.output
    assert "Reminded 0 report(s)." in second.output
