"""Notifications: a row for the in-app centre and an e-mail sent only once the change is
committed, saying what needs attention and linking to it, never carrying the case."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import Role
from app.notifications import services as notices
from app.notifications.models import Notification, NotificationKind
from app.outbox.sending import send_due
from app.platform.db import utcnow
from app.platform.extensions import db
from app.reviews import services as reviews
from app.reviews.models import DecisionOutcome, ScreeningOutcome
from tests.applications_support import applicant_of
from tests.factories import user_with
from tests.mail import Mailbox, smtp_mailbox
from tests.reviews_support import (
    before_board,
    decide,
    in_review,
    manager,
    meeting,
    reviewer,
    submitted_application,
)


def content_of(application) -> list[str]:
    """Words from the case that must never travel by e-mail."""
    words = [
        application.title,
        application.summary,
        application.organisation.name,
        application.locations,
        f"{application.requested_amount // 100:,}",
        str(application.requested_amount // 100),
    ]
    words += [line.description for line in application.budget_lines]
    return [w for w in words if w]


def assert_clean(mailbox: Mailbox, address: str, application) -> str:
    message = mailbox.last(address)
    body = mailbox.body(message)
    text = f"{message['Subject']}\n{body}"
    for word in content_of(application):
        assert word not in text, f"{word!r} leaked into the e-mail to {address}"
    assert application.reference in body
    assert mailbox.link(address).startswith("/")
    return body


def test_notify_records_and_mails_only_after_the_commit(mailbox):
    user = user_with(Role.REVIEWER)
    notices.notify(user=user, kind=NotificationKind.ATTENTION_NEEDED, link="/somewhere", params={})
    db.session.flush()
    assert mailbox.to(user.email) == []
    db.session.commit()
    assert len(mailbox.to(user.email)) == 1
    assert notices.unread_count(user) == 1


def test_a_rolled_back_action_mails_nobody(mailbox):
    user = user_with(Role.REVIEWER)
    db.session.commit()
    notices.notify(user=user, kind=NotificationKind.ATTENTION_NEEDED, link="/x")
    db.session.rollback()
    db.session.commit()
    assert mailbox.to(user.email) == []


def test_a_rolled_back_savepoint_mails_only_what_was_queued_outside_it(mailbox):
    """A savepoint (a bulk action's refused item) takes its own e-mails with it, not the ones
    queued before it nor after it; nested savepoints each take theirs."""
    before, inside, nested, after = (user_with(Role.REVIEWER) for _ in range(4))
    db.session.commit()
    notices.notify(user=before, kind=NotificationKind.ATTENTION_NEEDED, link="/a")
    savepoint = db.session.begin_nested()
    notices.notify(user=inside, kind=NotificationKind.ATTENTION_NEEDED, link="/b")
    kept = db.session.begin_nested()
    notices.notify(user=nested, kind=NotificationKind.ATTENTION_NEEDED, link="/c")
    kept.commit()
    savepoint.rollback()
    notices.notify(user=after, kind=NotificationKind.ATTENTION_NEEDED, link="/d")
    db.session.commit()

    assert len(mailbox.to(before.email)) == 1
    assert len(mailbox.to(after.email)) == 1
    assert mailbox.to(inside.email) == [] and mailbox.to(nested.email) == []


def test_a_committed_savepoint_keeps_its_e_mails(mailbox):
    user = user_with(Role.REVIEWER)
    db.session.commit()
    with db.session.begin_nested():
        notices.notify(user=user, kind=NotificationKind.ATTENTION_NEEDED, link="/x")
    db.session.commit()
    assert len(mailbox.to(user.email)) == 1


def test_review_e_mails_carry_no_application_content(storage, mailbox):
    fund = manager()
    # Screening outcome and information request, to the applicant.
    screened = submitted_application(storage)
    applicant = applicant_of(screened.organisation)
    reviews.record_screening(
        actor=fund,
        application=screened,
        outcome=ScreeningOutcome.INFO_REQUESTED,
        question="Is the shelter licensed?",
    )
    db.session.commit()
    body = assert_clean(mailbox, applicant.email, screened)
    assert "Is the shelter licensed?" not in body

    # Assignment and reminder, to the reviewer.
    application = in_review(storage, fund_manager=fund)
    expert = reviewer()
    assignment = reviews.assign_reviewer(
        actor=fund,
        application=application,
        reviewer=expert,
        due_on=utcnow().date() + timedelta(days=1),
    )
    db.session.commit()
    assert_clean(mailbox, expert.email, application)
    assert mailbox.link(expert.email) == f"/reviews/assignments/{assignment.id}"
    reviews.send_review_reminders()
    db.session.commit()
    assert "due" in assert_clean(mailbox, expert.email, application)
    assert len(mailbox.to(expert.email)) == 2

    # The Board's decision, to the applicant.
    decided = before_board(storage, fund_manager=fund)
    owner = applicant_of(decided.organisation)
    decide(decided, meeting(), DecisionOutcome.APPROVED)
    db.session.commit()
    assert_clean(mailbox, owner.email, decided)
    assert mailbox.link(owner.email) == f"/reviews/applications/{decided.id}/decision-letter"


def test_an_inactive_user_gets_the_notification_but_no_e_mail(mailbox):
    user = user_with(Role.REVIEWER, is_active=False)
    notices.notify(user=user, kind=NotificationKind.ATTENTION_NEEDED, link="/x")
    db.session.commit()
    assert mailbox.to(user.email) == []
    assert db.session.execute(
        select(Notification).where(Notification.user_id == user.id)
    ).scalar_one()


def test_the_centre_marks_read(storage):
    user = user_with(Role.REVIEWER)
    first = notices.notify(user=user, kind=NotificationKind.ATTENTION_NEEDED, link="/a")
    notices.notify(user=user, kind=NotificationKind.ATTENTION_NEEDED, link="/b")
    db.session.flush()
    assert notices.unread_count(user) == 2
    opened = notices.open_notification(actor=user, notification_id=first.id)
    assert opened.read_at is not None and notices.unread_count(user) == 1
    assert notices.mark_all_read(actor=user) == 1
    assert notices.unread_count(user) == 0


def test_a_dead_mail_server_does_not_undo_the_action(storage, dead_mail_server):
    application = in_review(storage)
    expert = reviewer()
    reviews.assign_reviewer(actor=manager(), application=application, reviewer=expert)
    db.session.commit()  # the e-mail fails and is logged; the assignment stands
    assert notices.unread_count(expert) == 1


def test_a_board_decision_made_while_mail_is_down_reaches_the_applicant_once_it_is_back(
    app, storage, dead_mail_server
):
    fund = manager()
    decided = before_board(storage, fund_manager=fund)
    owner = applicant_of(decided.organisation)
    decide(decided, meeting(), DecisionOutcome.APPROVED)
    db.session.commit()
    send_due()  # the relay is down: everything waits in the outbox

    with smtp_mailbox(app, port=app.config["MAIL_PORT"]) as back:
        send_due(now=utcnow() + timedelta(hours=1))
        assert back.link(owner.email) == f"/reviews/applications/{decided.id}/decision-letter"
