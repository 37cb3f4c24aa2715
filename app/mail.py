"""Outgoing e-mail: SMTP when MAIL_SERVER is set, otherwise the message goes to the log."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


def send_email(*, to: str, subject: str, body: str) -> bool:
    """Send a plain-text message; False (and logged) when the mail server would not take it.

    Messages never carry case details, only a link (DESIGN §6). A mail server that is down must
    not turn the action behind the message into an error page: that change is committed, and
    every link we mail can be asked for again.
    """
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)

    server = config.get("MAIL_SERVER")
    if not server:
        current_app.logger.info("E-mail (not sent, MAIL_SERVER unset)\n%s", message.as_string())
        return True
    smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    try:
        with smtp_class(server, config.get("MAIL_PORT", 25), timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError):
        current_app.logger.exception("E-mail %r to %s could not be sent", subject, to)
        return False
    return True
