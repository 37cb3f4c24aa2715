"""Reminding many grantees of overdue reports at once (grants/web/views/bulk.py on
app/web/bulk.py): each overdue report reminded by remind_overdue_report and audited on its own;
one not overdue, or reminded today already, is refused with the reason and blocks nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.grants.models import ReportKind
from app.notifications.models import Notification
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.factories import user_with
from tests.grants_support import USD, active_grant, fund, manager, report_of


@pytest.fixture
def reports(app):
    fund(100_000 * USD)
    fm = manager()
    found = []
    for n in range(3):
        grant = active_grant(fm=fm, amount=10_000 * USD)
        report = report_of(grant, ReportKind.PROGRESS)
        report.due_date = utcnow().date() - timedelta(days=10 + n)
        found.append(report)
    found[2].due_date = utcnow().date() + timedelta(days=20)  # not overdue
    db.session.flush()
    return fm, found


def _reminded() -> list[AuditEvent]:
    return list(
        db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "grant_report.reminded")
        ).scalars()
    )


def test_overdue_reports_reminded_at_once_the_others_refused(reports, client, sign_in):
    fm, (first, second, later) = reports
    sign_in(fm)
    page = client.get("/grants/reports?state=overdue").get_data(as_text=True)
    assert 'form="bulk-remind"' in page and f'value="{first.id}"' in page

    ids = [str(first.id), str(second.id), str(later.id)]
    preview = client.post("/grants/reports/bulk/remind", data={"ids": ids, "preview": "1"})
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "2 will be done" in text and "This report is not overdue" in text
    assert _reminded() == []

    result = client.post("/grants/reports/bulk/remind/confirm", data={"ids": ids})
    text = result.get_data(as_text=True)
    assert result.status_code == 200 and "2 done, 1 refused." in text
    events = _reminded()
    assert sorted(int(e.subject_id or 0) for e in events) == sorted([first.id, second.id])
    assert all(e.actor_id == fm.id for e in events)
    db.session.expire_all()
    assert first.last_reminded_at is not None and later.last_reminded_at is None
    told = db.session.scalar(sa.select(sa.func.count()).select_from(Notification))
    assert told and told > 0

    again = client.post("/grants/reports/bulk/remind/confirm", data={"ids": ids[:1]})
    assert "already reminded of this report today" in again.get_data(as_text=True)
    assert len(_reminded()) == 2


def test_only_the_fund_manager_reminds(reports, client, sign_in):
    _fm, (first, _second, _later) = reports
    for role in (Role.AUDITOR, Role.FINANCE, Role.REVIEWER, Role.APPLICANT):
        sign_in(user_with(role))
        data = {"ids": [str(first.id)], "preview": "1"}
        assert client.post("/grants/reports/bulk/remind", data=data).status_code == 403
        assert client.post("/grants/reports/bulk/remind/confirm", data=data).status_code == 403
        client.post("/logout")
    sign_in(user_with(Role.AUDITOR))
    assert 'form="bulk-remind"' not in client.get("/grants/reports").get_data(as_text=True)
    assert _reminded() == []


def test_junk_and_empty_selections(reports, client, sign_in):
    fm, _reports = reports
    sign_in(fm)
    assert client.post("/grants/reports/bulk/remind/confirm", data={}).status_code == 422
    junk = client.post("/grants/reports/bulk/remind/confirm", data={"ids": ["x", "999999"]})
    assert junk.status_code == 200
    text = junk.get_data(as_text=True)
    assert "was not understood" in text and "0 done, 1 refused." in text
