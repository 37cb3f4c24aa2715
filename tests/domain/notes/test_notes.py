"""Internal notes: who may write and read them, mentions that notify, the audit line, and the
database refusing to change a note once written."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.notes import services as notes
from app.notes.models import InternalNote
from app.notifications.models import Notification, NotificationKind
from app.platform.errors import NotFound, PermissionDenied, ValidationFailed
from app.platform.extensions import db
from tests.applications_support import applicant_of, started_application
from tests.factories import user_with


def _notices(user) -> list[Notification]:
    return list(
        db.session.execute(sa.select(Notification).where(Notification.user_id == user.id)).scalars()
    )


def test_a_fund_manager_notes_an_application_and_the_colleague_mentioned_is_told():
    application = started_application()
    author = user_with(Role.FUND_MANAGER, full_name="Ann Writer")
    colleague = user_with(Role.FUND_MANAGER, full_name="Bea Colleague", email="bea@fund.test")
    bystander = user_with(Role.FUND_MANAGER, full_name="Bea")
    note = notes.add_note(
        actor=author,
        record=application,
        body="  Budget looks high; @Bea Colleague please check the shelter line.  ",
    )
    assert note.body == "Budget looks high; @Bea Colleague please check the shelter line."
    assert note.author_id == author.id and note.created_at is not None
    assert note.mentioned_ids == [colleague.id]
    [notice] = _notices(colleague)
    assert notice.kind == NotificationKind.NOTE_MENTION
    assert notice.params == {"subject": "application", "reference": application.reference}
    assert notice.link.endswith(f"/applications/{application.id}#internal-notes")
    # The longer name wins: "@Bea Colleague" does not also mention "Bea".
    assert _notices(bystander) == []
    assert notes.notes_on(application) == [note]


def test_a_mention_by_e_mail_or_picked_from_the_list_notifies_but_never_the_author():
    application = started_application()
    author = user_with(Role.FUND_MANAGER, email="ann@fund.test")
    by_mail = user_with(Role.AUDITOR, email="fin@fund.test")
    picked = user_with(Role.FUND_MANAGER)
    # Finance may not open an organisation's file, so is not offered for a note on it.
    assert user_with(Role.FINANCE) not in notes.mentionable_staff(application.organisation)
    note = notes.add_note(
        actor=author,
        record=application.organisation,
        body="@fin@fund.test: bank details changed. cc @ann@fund.test",
        mention_ids=[picked.id, author.id],
    )
    assert note.mentioned_ids == [by_mail.id, picked.id]


def test_only_staff_who_may_see_the_record_can_be_mentioned():
    application = started_application()
    ngo = applicant_of(application.organisation)
    with pytest.raises(ValidationFailed):
        notes.add_note(
            actor=user_with(Role.FUND_MANAGER),
            record=application,
            body="Ask them.",
            mention_ids=[ngo.id],
        )
    # "@" and the NGO's address is just text: nobody outside the fund is told.
    note = notes.add_note(
        actor=user_with(Role.FUND_MANAGER), record=application, body=f"@{ngo.email} is slow"
    )
    assert note.mentioned_ids == [] and _notices(ngo) == []


@pytest.mark.parametrize(
    "role", [Role.APPLICANT, Role.DONOR, Role.REVIEWER, Role.BOARD, Role.ADMIN, Role.AUDITOR]
)
def test_nobody_outside_the_fund_staff_writes_a_note(role):
    application = started_application()
    actor = applicant_of(application.organisation) if role == Role.APPLICANT else user_with(role)
    with pytest.raises((PermissionDenied, NotFound)):
        notes.add_note(actor=actor, record=application, body="Hello")
    assert not notes.may_read_notes(actor, application) or role == Role.AUDITOR


def test_an_empty_note_is_refused():
    with pytest.raises(ValidationFailed):
        notes.add_note(actor=user_with(Role.FUND_MANAGER), record=started_application(), body="  ")


def test_adding_a_note_is_audited_without_its_text():
    application = started_application()
    author = user_with(Role.FUND_MANAGER)
    note = notes.add_note(actor=author, record=application, body="Confidential remark")
    event = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "note.added")
    ).scalar_one()
    assert event.actor_id == author.id
    assert (event.subject_type, event.subject_id) == ("applications", str(application.id))
    assert str(note.id) in event.summary and "Confidential" not in event.summary


def test_a_note_cannot_be_changed_or_deleted_in_the_database():
    note = notes.add_note(
        actor=user_with(Role.FUND_MANAGER), record=started_application(), body="As written"
    )
    db.session.flush()
    for statement in (
        sa.update(InternalNote).where(InternalNote.id == note.id).values(body="Rewritten"),
        sa.delete(InternalNote).where(InternalNote.id == note.id),
    ):
        with pytest.raises(sa.exc.DBAPIError), db.session.begin_nested():
            db.session.execute(statement)
