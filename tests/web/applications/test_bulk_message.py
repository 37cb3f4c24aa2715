"""A message to many applicants at once (applications/web/views/bulk.py on app/web/bulk.py):
each application's thread gets it through send_message, audited and its organisation told; a
draft is refused with the reason and blocks nothing; the preview writes nothing."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role
from app.applications import services as applications
from app.applications.models import ApplicationMessage, MessageKind
from app.audit.models import AuditEvent
from app.notifications.models import Notification
from app.platform.extensions import db
from tests.applications_support import applicant_of, ngo_organisation
from tests.factories import user_with
from tests.reviews_support import a_call, manager, submitted_application

WORDS = "The panel meets on 3 March; no action is needed from you."


def _count(model: type, *where: object) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_three_written_to_a_draft_refused(storage, client, sign_in):
    fund = manager()
    call = a_call(fund)
    sent = [submitted_application(storage, call=call) for _ in range(2)]
    organisation = ngo_organisation(name="Drafting NGO", registration_number="BM-1")
    draft = applications.start_application(
        actor=applicant_of(organisation), call=call, organisation=organisation
    )
    ids = [str(sent[0].id), str(draft.id), str(sent[1].id)]
    sign_in(fund)
    listed = client.get("/applications/all").get_data(as_text=True)
    assert "/applications/bulk/message" in listed

    preview = client.post(
        "/applications/bulk/message", data={"ids": ids, "body": WORDS, "preview": "1"}
    )
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "2 will be done" in text and "the fund writes once it is sent" in text
    assert _count(ApplicationMessage, ApplicationMessage.kind == MessageKind.NOTICE) == 0
    assert _count(AuditEvent, AuditEvent.action == "application.message_sent") == 0

    result = client.post("/applications/bulk/message/confirm", data={"ids": ids, "body": WORDS})
    assert "2 done, 1 refused." in result.get_data(as_text=True)
    events = db.session.execute(
        sa.select(AuditEvent.subject_id).where(AuditEvent.action == "application.message_sent")
    ).scalars()
    assert sorted(int(i or 0) for i in events) == sorted(a.id for a in sent)
    assert _count(ApplicationMessage, ApplicationMessage.application_id == draft.id) == 0
    owner = applicant_of(sent[0].organisation)
    assert _count(Notification, Notification.user_id == owner.id) >= 1

    client.post("/logout")
    sign_in(owner)
    page = client.get(f"/applications/{sent[0].id}").get_data(as_text=True)
    assert "Message from the fund" in page and "no action is needed from you" in page


def test_who_may_and_an_empty_message(storage, client, sign_in):
    application = submitted_application(storage)
    data = {"ids": [str(application.id)], "body": WORDS, "preview": "1"}
    for role in (Role.AUDITOR, Role.FINANCE, Role.REVIEWER, Role.APPLICANT):
        sign_in(user_with(role))
        assert client.post("/applications/bulk/message", data=data).status_code == 403
        assert client.post("/applications/bulk/message/confirm", data=data).status_code == 403
        client.post("/logout")
    sign_in(manager())
    empty = client.post(
        "/applications/bulk/message/confirm", data={"ids": [str(application.id)], "body": " "}
    )
    assert empty.status_code == 422
    assert _count(ApplicationMessage, ApplicationMessage.application_id == application.id) == 0
    assert client.post("/applications/bulk/message", data={"body": WORDS}).status_code == 422
