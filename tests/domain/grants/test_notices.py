"""Who hears about a grant: the checker a tranche waits for, the maker once it is approved, the
grantee when a report falls due or comes back, the fund manager when one arrives."""

from __future__ import annotations

import sqlalchemy as sa

from app.grants import services as grants
from app.grants.models import ReportKind
from app.grants.services import reports
from app.notifications.models import Notification, NotificationKind
from app.platform.extensions import db
from tests.grants_support import (
    USD,
    active_grant,
    days_ago,
    fund,
    manager,
    officers,
    report_data,
    report_of,
    signatory,
)


def _received(user) -> list[Notification]:
    db.session.flush()
    return list(
        db.session.execute(sa.select(Notification).where(Notification.user_id == user.id)).scalars()
    )


def test_a_requested_tranche_is_announced_to_the_other_officers_only():
    fund(50_000 * USD)
    grant = active_grant()
    people = officers()
    tranche = grant.tranches[0]
    grants.request_disbursement(actor=people.maker, tranche=tranche)
    (notice,) = _received(people.checker)
    assert notice.link == f"/grants/tranches/{tranche.id}"
    assert notice.params == {"reference": f"{tranche.reference}: approval needed"}
    assert _received(people.maker) == []
    grants.approve_disbursement(actor=people.checker, tranche=tranche)
    (ready,) = _received(people.maker)
    assert "ready to send" in ready.params["reference"]


def test_reports_are_announced_without_case_details():
    fund(50_000 * USD)
    fm = manager()
    grant = active_grant(fm=fm)
    report = report_of(grant, ReportKind.PROGRESS)
    reports.save_report(actor=signatory(grant), report=report, data=report_data(report))
    reports.submit_report(actor=signatory(grant), report=report)
    assert any(n.link == f"/grants/reports/{report.id}" for n in _received(fm))
    reports.request_report_changes(actor=fm, report=report, comment="Details of site B, please.")
    # The grantee also heard the agreement was sent; this is the one about the report.
    (back,) = [
        n for n in _received(signatory(grant)) if n.kind == NotificationKind.ATTENTION_NEEDED
    ]
    assert "Details of site B" not in str(back.params)
    assert back.params["reference"].endswith("changes requested")


def test_flask_grants_remind_tells_the_grantee_once(runner):
    fund(50_000 * USD)
    grant = active_grant()
    report = report_of(grant, ReportKind.PROGRESS)
    report.due_date = days_ago(2)
    db.session.flush()
    first = runner.invoke(args=["grants", "remind"])
    assert first.exit_code == 0, first.output
    assert "Reminded" in first.output
    notices = [
        n for n in _received(signatory(grant)) if "Progress report 1" in n.params["reference"]
    ]
    assert len(notices) == 1 and notices[0].link == f"/grants/reports/{report.id}/edit"
    runner.invoke(args=["grants", "remind"])
    again = [n for n in _received(signatory(grant)) if "Progress report 1" in n.params["reference"]]
    assert len(again) == 1
