"""Decline letters to many applicants at once (reviews/web/views/bulk.py on app/web/bulk.py):
each declined application's people told their letter is ready, by send_decline_letter, audited
on its own; an application the Board did not decline is refused with the reason."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.notifications.models import Notification, NotificationKind
from app.platform.extensions import db
from app.reviews.models import DecisionOutcome
from tests.applications_support import applicant_of
from tests.factories import user_with
from tests.reviews_support import before_board, decide, manager, meeting


def _sent() -> list[str | None]:
    return list(
        db.session.execute(
            sa.select(AuditEvent.subject_id).where(
                AuditEvent.action == "application.decline_letter_sent"
            )
        ).scalars()
    )


def test_declined_ones_get_their_letter_the_approved_one_is_refused(storage, client, sign_in):
    fund = manager()
    declined = [before_board(storage, fund_manager=fund) for _ in range(2)]
    approved = before_board(storage, fund_manager=fund)
    held = meeting(actor=fund)
    for application in declined:
        decide(application, held, DecisionOutcome.REJECTED, actor=fund)
    decide(approved, held, DecisionOutcome.APPROVED, actor=fund)
    owner = applicant_of(declined[0].organisation)
    told_before = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(
            Notification.user_id == owner.id, Notification.kind == NotificationKind.BOARD_DECISION
        )
    )
    sign_in(fund)
    assert "/reviews/bulk/decline-letters" in client.get("/applications/all").get_data(as_text=True)

    ids = [str(declined[0].id), str(approved.id), str(declined[1].id)]
    preview = client.post("/reviews/bulk/decline-letters", data={"ids": ids, "preview": "1"})
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "2 will be done" in text and "Only an application the Board declined" in text
    assert _sent() == []

    result = client.post("/reviews/bulk/decline-letters/confirm", data={"ids": ids})
    assert "2 done, 1 refused." in result.get_data(as_text=True)
    assert sorted(int(i or 0) for i in _sent()) == sorted(a.id for a in declined)
    told = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(
            Notification.user_id == owner.id, Notification.kind == NotificationKind.BOARD_DECISION
        )
    )
    assert told == told_before + 1


def test_who_may_send_decline_letters(storage, client, sign_in):
    data = {"ids": ["1"], "preview": "1"}
    for role in (Role.AUDITOR, Role.FINANCE, Role.REVIEWER, Role.BOARD, Role.APPLICANT):
        sign_in(user_with(role))
        assert client.post("/reviews/bulk/decline-letters", data=data).status_code == 403
        assert client.post("/reviews/bulk/decline-letters/confirm", data=data).status_code == 403
        client.post("/logout")
    sign_in(manager())
    assert client.post("/reviews/bulk/decline-letters/confirm", data={}).status_code == 422
