"""Handing an e-mail to the mail server: SMTP when MAIL_SERVER is set; in development without
one, the console and the development mailbox (/dev/mail); otherwise (tests) the log."""

from __future__ import annotations

import smtplib
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from flask import current_app  # noqa: TID251 - the SMTP adapter: the server's settings, the log

# How many messages the development mailbox page lists, newest first.
DEV_MAILBOX_LIMIT = 50


class MailNotSent(Exception):
    """The mail server did not take the message; the text says why (kept as the last error)."""


def deliver_email(*, to: str, subject: str, body: str, message_id: str | None = None) -> None:
    """Hand one plain-text message to the mail server now; raises MailNotSent when it won't.

    Only the outbox's sender calls this (app/outbox/sending.py): everything else queues its e-mails
    with ``queue_email`` (app/outbox/services.py), in the transaction of the change
    they announce. Messages never carry case details, only a link (DESIGN §6).
    """
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    message.set_content(body)

    server = config.get("MAIL_SERVER")
    if not server:
        if dev_mailbox_enabled():
            keep_in_dev_mailbox(message)
        else:
            current_app.logger.info("E-mail (not sent, MAIL_SERVER unset)\n%s", message)
        return
    smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    try:
        with smtp_class(server, config.get("MAIL_PORT", 25), timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise MailNotSent(f"{type(error).__name__}: {error}") from error


# --- development: mail you can see ---------------------------------------------------------


def dev_mailbox_enabled() -> bool:
    """In development with no MAIL_SERVER, mail is shown instead of sent; never in production."""
    config = current_app.config
    return config.get("APP_ENV") == "development" and not config.get("MAIL_SERVER")


def keep_in_dev_mailbox(message: EmailMessage) -> None:
    """Print the whole message on the console (`make run`'s) and keep a copy for /dev/mail.

    Printed, not logged: the log level shown may hide it, and a new account's confirmation link
    is the only way in.
    """
    # The body decoded, not as MIME: a long link would be cut by quoted-printable line breaks.
    text = (
        f"From: {message['From']}\nTo: {message['To']}\nSubject: {message['Subject']}\n\n"
        f"{message.get_content()}"
    )
    rule = "=" * 72
    banner = "E-mail (development: not sent, kept at /dev/mail)"
    print(f"\n{rule}\n{banner}\n{text}\n{rule}\n", file=sys.stderr, flush=True)
    folder = Path(current_app.config["DEV_MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    # Files, not memory: the mail may be written by another process (a worker, a command).
    name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.eml"
    (folder / name).write_bytes(message.as_bytes())


@dataclass(frozen=True)
class KeptMessage:
    to: str
    subject: str
    body: str
    kept_at: datetime


def dev_mailbox_messages(limit: int = DEV_MAILBOX_LIMIT) -> list[KeptMessage]:
    """The messages kept in development, newest first."""
    folder = Path(current_app.config["DEV_MAIL_DIR"])
    if not folder.is_dir():
        return []
    kept = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:limit]:
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        part = message.get_body(preferencelist=("plain",))
        kept.append(
            KeptMessage(
                to=str(message["To"] or ""),
                subject=str(message["Subject"] or ""),
                body=str(part.get_content()) if part is not None else "",
                kept_at=datetime.fromtimestamp(int(path.name.split("-")[0]) / 1e9, UTC),
            )
        )
    return kept
