"""Screening many applications at once (app/web/bulk.py, reviews/web/views/bulk.py): ticked on
the fund's list, previewed (a dry run that writes nothing), confirmed once; each application
screened by the same service and audited on its own; one refused never blocks the others."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.accounts.models import Role
from app.applications.models import Application, ApplicationStatus
from app.audit.models import AuditEvent
from app.outbox.models import OutboxMessage
from app.platform.extensions import db
from app.reviews.models import Screening
from app.reviews.queries.screening import MANUAL_CHECKS
from tests.applications_support import applicant_of
from tests.factories import user_with
from tests.reviews_support import (
    a_call,
    in_review,
    link_to_organisation,
    manager,
    submitted_application,
)

CHECKS = [c.value for c in MANUAL_CHECKS]


def _eligible(ids: list[int], **extra: object) -> dict[str, object]:
    return {"ids": [str(i) for i in ids], "outcome": "eligible", "confirmed": CHECKS, **extra}


def _events(action: str) -> list[AuditEvent]:
    return list(
        db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars()
    )


def _section(text: str, element_id: str) -> str:
    found = re.search(rf'<ul class="list-group mb-3" id="{element_id}">(.*?)</ul>', text, re.S)
    return found.group(1) if found else ""


def test_ten_at_once_one_refused_the_nine_done_each_audited(storage, client, sign_in):
    fund = manager()
    call = a_call(fund)
    nine = [submitted_application(storage, call=call) for _ in range(9)]
    screened = in_review(storage, call=call, fund_manager=fund)  # screened before: refused
    ids = [a.id for a in [*nine[:4], screened, *nine[4:]]]
    sign_in(fund)

    listed = client.get(f"/applications/all?call_id={call.id}").get_data(as_text=True)
    assert 'name="ids"' in listed and 'form="bulk-screen"' in listed
    assert "Select all on this page" in listed

    chosen = client.post("/reviews/bulk/screen", data={"ids": [str(i) for i in ids]})
    assert chosen.status_code == 200
    assert "10 selected" in chosen.get_data(as_text=True)

    events_before = len(_events("application.in_review"))
    preview = client.post("/reviews/bulk/screen", data=_eligible(ids, preview="1"))
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "9 will be done" in text and "1 will be refused" in text
    refused_part = _section(text, "will-be-refused")
    assert screened.reference in refused_part
    assert "Only a submitted application can be screened." in refused_part
    # The preview wrote nothing: no screening, no move, no audit event, no e-mail.
    db.session.expire_all()
    assert all(a.status == ApplicationStatus.SUBMITTED for a in nine)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Screening)
            .where(Screening.application_id.in_([a.id for a in nine]))
        )
        == 0
    )
    assert len(_events("application.in_review")) == events_before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0

    result = client.post("/reviews/bulk/screen/confirm", data=_eligible(ids))
    text = result.get_data(as_text=True)
    assert result.status_code == 200
    assert "9 done, 1 refused." in text
    assert all(a.reference in _section(text, "done-items") for a in nine)
    refused_part = _section(text, "refused-items")
    assert screened.reference in refused_part
    assert "Only a submitted application can be screened." in refused_part

    db.session.expire_all()
    assert all(a.status == ApplicationStatus.IN_REVIEW for a in nine)
    events = _events("application.in_review")
    assert len(events) == events_before + 9
    audited = sorted(int(e.subject_id or 0) for e in events[events_before:])
    assert audited == sorted(a.id for a in nine)
    assert all(e.actor_id == fund.id for e in events[events_before:])
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Screening)
            .where(Screening.application_id == screened.id)
        )
        == 1
    )  # screened once, before: the refusal added nothing


def test_an_applicant_the_screener_belongs_to_is_refused_with_the_reason(storage, client, sign_in):
    fund = manager()
    mine, other = submitted_application(storage), submitted_application(storage)
    link_to_organisation(fund, mine)
    sign_in(fund)
    result = client.post(
        "/reviews/bulk/screen/confirm",
        data={"ids": [mine.id, other.id], "outcome": "ineligible", "reason": "Out of scope."},
    )
    text = result.get_data(as_text=True)
    assert result.status_code == 200
    assert "you take no part in its selection" in _section(text, "refused-items")
    assert other.reference in _section(text, "done-items")
    db.session.expire_all()
    assert mine.status == ApplicationStatus.SUBMITTED
    assert other.status == ApplicationStatus.INELIGIBLE


def test_a_refused_item_sends_no_e_mail_and_the_preview_none(storage, client, sign_in):
    fund = manager()
    asked, screened = submitted_application(storage), in_review(storage, fund_manager=fund)
    sign_in(fund)
    data = {"ids": [asked.id, screened.id], "outcome": "info_requested", "question": "Budget?"}
    client.post("/reviews/bulk/screen", data={**data, "preview": "1"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    result = client.post("/reviews/bulk/screen/confirm", data=data)
    assert "1 done, 1 refused." in result.get_data(as_text=True)
    recipients = list(db.session.execute(sa.select(OutboxMessage.recipient)).scalars())
    assert applicant_of(screened.organisation).email not in recipients


def test_junk_selections_get_a_sentence_never_a_server_error(storage, client, sign_in):
    fund = manager()
    application = submitted_application(storage)
    sign_in(fund)

    empty = client.post("/reviews/bulk/screen", data={})
    assert empty.status_code == 422
    assert "Nothing is selected" in empty.get_data(as_text=True)
    empty_confirm = client.post("/reviews/bulk/screen/confirm", data={"outcome": "eligible"})
    assert empty_confirm.status_code == 422

    junk = ["abc", "-1", "0", "1.5", "99999999999999999999", ""]
    answer = client.post("/reviews/bulk/screen", data={"ids": junk})
    assert answer.status_code == 422
    assert "was not understood" in answer.get_data(as_text=True)

    mixed = client.post(
        "/reviews/bulk/screen",
        data={"ids": ["abc", "999999", str(application.id)], "outcome": "bogus", "preview": "1"},
    )
    text = mixed.get_data(as_text=True)
    assert mixed.status_code == 422  # the outcome is refused by the form; the choice is shown
    assert "was not understood" in text and "Not found" in text
    assert application.reference in text

    unknown = client.post(
        "/reviews/bulk/screen/confirm",
        data={"ids": ["999999"], "outcome": "ineligible", "reason": "No."},
    )
    assert unknown.status_code == 200
    assert "0 done, 1 refused." in unknown.get_data(as_text=True)
    assert "Not found" in _section(unknown.get_data(as_text=True), "refused-items")

    too_many = client.post("/reviews/bulk/screen", data={"ids": [str(i) for i in range(1, 260)]})
    assert too_many.status_code == 200
    assert "Select at most 200 at once" in too_many.get_data(as_text=True)


def test_who_may_screen_many(storage, client, sign_in):
    application = submitted_application(storage)
    data = {"ids": [application.id], "outcome": "ineligible", "reason": "No.", "preview": "1"}
    for role in (Role.AUDITOR, Role.REVIEWER, Role.FINANCE, Role.BOARD, Role.ADMIN):
        sign_in(user_with(role))
        assert client.post("/reviews/bulk/screen", data=data).status_code == 403
        assert client.post("/reviews/bulk/screen/confirm", data=data).status_code == 403
        client.post("/logout")
    sign_in(applicant_of(application.organisation))
    assert client.post("/reviews/bulk/screen/confirm", data=data).status_code == 403
    client.post("/logout")
    # The auditor sees the list, without the boxes of an action they may not take.
    sign_in(user_with(Role.AUDITOR))
    listed = client.get("/applications/all").get_data(as_text=True)
    assert 'name="ids"' not in listed
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == ApplicationStatus.SUBMITTED
