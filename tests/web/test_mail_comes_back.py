"""Issue 18's done-when: with the mail server stopped, a registration, a donor's receipt and a
Board decision's notices are all written to the outbox and kept, tried with back-off and never
marked sent; once the server is back every one of them arrives exactly once.

Driven through the app's own pages and webhook (the registration form, Stripe's webhook for a
completed gift, the Board's decision form) against the real aiosmtpd server of tests/mail.py,
stopped first (nothing listens on its port) and then started on that same port.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.outbox.models import OutboxMessage, OutboxStatus
from app.outbox.sending import send_due
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.storage import LocalStorage, get_storage
from tests.applications_support import applicant_of
from tests.donations_support import deliver, enable_stripe, start_and_confirm
from tests.mail import smtp_mailbox
from tests.reviews_support import before_board, board_member, meeting

PASSWORD = "a-long-enough-passphrase"


@pytest.fixture
def storage(app) -> LocalStorage:
    stored = get_storage()
    assert isinstance(stored, LocalStorage)
    return stored


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def register(client) -> None:
    response = client.post(
        "/register",
        data={
            "full_name": "Amina Diallo",
            "email": "amina@example.org",
            "account_type": "applicant",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "Check your e-mail" in response.get_data(as_text=True)


def give_through_the_webhook(client, gateway) -> None:
    gift = start_and_confirm(gateway, amount=50_00, email="ada@example.org")
    intent = gateway.get(gift.stripe_payment_intent_id)
    response = deliver(client, gateway.event("payment_intent.succeeded", intent))
    assert response.status_code == 200, response.get_json()


def decide_at_the_board(client, storage) -> str:
    """The Board approves an application through its form (check page, then record); returns
    the applicant's address."""
    application = before_board(storage)
    members = [board_member() for _ in range(3)]
    held = meeting(members, call=application.call)
    owner = applicant_of(application.organisation)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = members[0].get_id()
        session["_fresh"] = True
    decision = {
        "outcome": "approved",
        "approved_amount": str(application.requested_amount // 100),
        "rationale": "Ranked first.",
        "action": "record",
        "declaration": "y",
    }
    for i, member in enumerate(sorted(members, key=lambda m: m.id)):
        decision[f"votes-{i}-member_id"] = str(member.id)
        decision[f"votes-{i}-vote"] = "approve"
    url = f"/reviews/board/meetings/{held.id}/decide/{application.id}"
    response = client.post(url, data=decision)
    assert response.status_code == 302, response.get_data(as_text=True)
    return owner.email


def test_mail_written_while_the_server_is_down_arrives_once_when_it_is_back(
    app, client, storage, monkeypatch, dead_mail_server
):
    gateway = enable_stripe(app, monkeypatch)
    register(app.test_client())
    give_through_the_webhook(app.test_client(), gateway)
    applicant = decide_at_the_board(client, storage)

    queued = outbox()
    recipients = {message.recipient for message in queued}
    assert {"amina@example.org", "ada@example.org", applicant} <= recipients
    assert all(message.status == OutboxStatus.PENDING for message in queued)

    # The worker runs while nothing listens on the mail port: each message is tried once and
    # kept, its next try put off (back-off); none is given up, none marked sent.
    down = send_due()
    assert (down.sent, down.retrying, down.failed) == (0, len(queued), 0)
    tried = outbox()
    assert [m.id for m in tried] == [m.id for m in queued]  # none lost
    for message in tried:
        assert message.status == OutboxStatus.PENDING and message.sent_at is None
        assert message.attempts == 1 and message.last_error
        assert message.next_attempt_at > utcnow()
    assert send_due().sent == 0  # nothing due again before its pause is over

    # The server comes back on the port the app was pointed at; after the pause, one pass
    # sends everything, and each message reaches its recipient once.
    with smtp_mailbox(app, deliver=None, port=app.config["MAIL_PORT"]) as back:
        later = utcnow() + timedelta(hours=1)
        assert send_due(now=later).sent == len(queued)
        assert send_due(now=later + timedelta(hours=1)).sent == 0  # a further run sends nothing
        received = back.messages
    assert len(received) == len(queued)
    assert len({m["Message-ID"] for m in received}) == len(queued)
    assert sorted((m["To"], m["Subject"]) for m in received) == sorted(
        (m.recipient, m.subject) for m in queued
    )
    assert all(m.status == OutboxStatus.SENT for m in outbox())
    assert "/confirm/" in back.body(next(m for m in received if m["To"] == "amina@example.org"))
    assert "/receipts/r/" in back.body(next(m for m in received if m["To"] == "ada@example.org"))
    assert any("/decision-letter" in back.body(m) for m in received if m["To"] == applicant)
