"""Giving many reviews to another reviewer at once (reviews/web/views/bulk.py on
app/web/bulk.py): each by reassign_review, in its own savepoint, audited on its own; one the
new reviewer may not take is refused with the reason and blocks nothing."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.platform.extensions import db
from app.reviews.models import AssignmentStatus, ReviewAssignment
from tests.factories import user_with
from tests.reviews_support import (
    a_call,
    cleared,
    in_review,
    link_to_organisation,
    manager,
    reviewer,
)


def _events(action: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )


def test_three_reviews_given_to_another_one_refused(storage, client, sign_in):
    fund = manager()
    call = a_call(fund)
    leaving, taking = reviewer(), reviewer()
    applications = [in_review(storage, call=call, fund_manager=fund) for _ in range(3)]
    assignments = [cleared(a, leaving, fund_manager=fund) for a in applications]
    link_to_organisation(taking, applications[1])  # may not review that one
    sign_in(fund)

    page = client.get(f"/reviews/calls/{call.id}").get_data(as_text=True)
    assert 'form="bulk-reassign"' in page and f'value="{assignments[0].id}"' in page

    ids = [str(a.id) for a in assignments]
    data = {"ids": ids, "reviewer_id": str(taking.id)}
    removed_before = _events("review_assignment.removed")
    preview = client.post("/reviews/bulk/reassign", data={**data, "preview": "1"})
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "2 will be done" in text and "belongs to the applicant organisation" in text
    assert _events("review_assignment.removed") == removed_before

    result = client.post("/reviews/bulk/reassign/confirm", data=data)
    text = result.get_data(as_text=True)
    assert result.status_code == 200 and "2 done, 1 refused." in text
    assert _events("review_assignment.removed") == removed_before + 2
    db.session.expire_all()
    assert [a.status for a in assignments] == [
        AssignmentStatus.REMOVED,
        AssignmentStatus.ACTIVE,
        AssignmentStatus.REMOVED,
    ]
    for application in (applications[0], applications[2]):
        asked = db.session.execute(
            sa.select(ReviewAssignment.reviewer_id).where(
                ReviewAssignment.application_id == application.id,
                ReviewAssignment.status == AssignmentStatus.AWAITING_DECLARATION,
            )
        ).scalars()
        assert list(asked) == [taking.id]


def test_who_may_and_junk(storage, client, sign_in):
    application = in_review(storage)
    assignment = cleared(application)
    data = {"ids": [str(assignment.id)], "reviewer_id": str(reviewer().id), "preview": "1"}
    for role in (Role.AUDITOR, Role.REVIEWER, Role.BOARD, Role.APPLICANT):
        sign_in(user_with(role))
        assert client.post("/reviews/bulk/reassign", data=data).status_code == 403
        assert client.post("/reviews/bulk/reassign/confirm", data=data).status_code == 403
        client.post("/logout")
    sign_in(manager())
    assert client.post("/reviews/bulk/reassign", data={}).status_code == 422
    bad = client.post(
        "/reviews/bulk/reassign/confirm",
        data={"ids": ["x", str(assignment.id)], "reviewer_id": "0"},
    )
    assert bad.status_code == 422  # no such reviewer among the choices: the form says so
    assert "was not understood" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert assignment.status == AssignmentStatus.ACTIVE
