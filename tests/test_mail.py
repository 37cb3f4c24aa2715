"""Outgoing e-mail: a real SMTP conversation when MAIL_SERVER is set, the log otherwise."""

from __future__ import annotations

import logging

from app.mail import send_email


def test_mail_goes_through_smtp_when_a_server_is_set(app, mailbox):
    with app.test_request_context():
        assert send_email(to="grace@example.org", subject="Hello", body="See http://x.test/a")

    message = mailbox.last("grace@example.org")
    assert message["Subject"] == "Hello"
    assert message["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert mailbox.link("grace@example.org") == "/a"


def test_without_a_server_the_message_is_written_to_the_log(app, caplog):
    assert not app.config["MAIL_SERVER"]
    caplog.set_level(logging.INFO, logger=app.logger.name)

    with app.test_request_context():
        assert send_email(to="grace@example.org", subject="Hello", body="the body")

    assert "To: grace@example.org" in caplog.text
    assert "the body" in caplog.text


def test_a_server_that_is_down_is_logged_not_raised(app, dead_mail_server, caplog):
    with app.test_request_context():
        assert not send_email(to="grace@example.org", subject="Hello", body="the body")

    assert "could not be sent" in caplog.text
