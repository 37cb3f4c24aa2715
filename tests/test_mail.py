"""Handing one e-mail to the mail server: a real SMTP conversation when MAIL_SERVER is set, the
log otherwise (the outbox's sender calls this, app/outbox/sending.py)."""

from __future__ import annotations

import logging

import pytest

from app.platform.mail import MailNotSent, deliver_email


def test_mail_goes_through_smtp_when_a_server_is_set(app, mailbox):
    with app.test_request_context():
        deliver_email(
            to="grace@example.org",
            subject="Hello",
            body="See http://x.test/a",
            message_id="<abc@trustfund.test>",
        )

    message = mailbox.last("grace@example.org")
    assert message["Subject"] == "Hello"
    assert message["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert message["Message-ID"] == "<abc@trustfund.test>"
    assert mailbox.link("grace@example.org") == "/a"


def test_without_a_server_the_message_is_written_to_the_log(app, caplog):
    assert not app.config["MAIL_SERVER"]
    caplog.set_level(logging.INFO, logger=app.logger.name)

    with app.test_request_context():
        deliver_email(to="grace@example.org", subject="Hello", body="the body")

    assert "To: grace@example.org" in caplog.text
    assert "the body" in caplog.text


def test_a_server_that_is_down_raises_with_the_reason(app, dead_mail_server):
    with app.test_request_context(), pytest.raises(MailNotSent, match="Connection refused"):
        deliver_email(to="grace@example.org", subject="Hello", body="the body")
