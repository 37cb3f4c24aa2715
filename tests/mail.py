"""An SMTP server run in-process (aiosmtpd) that keeps what the app sends, for tests to read."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from aiosmtpd.controller import Controller
from flask import Flask

_LINK = re.compile(r"https?://\S+")


class Mailbox:
    """The messages received by the test SMTP server, oldest first.

    The app writes e-mails to its outbox; a worker sends them. Reading the mailbox first runs
    the outbox's sender once (``deliver``, as a worker would) and then reads what the SMTP
    server received, so a test reads the mail a person would have by then.
    """

    def __init__(self, deliver: Callable[[], Any] | None = None) -> None:
        self.received: list[EmailMessage] = []
        self._deliver = deliver

    @property
    def messages(self) -> list[EmailMessage]:
        if self._deliver is not None:
            self._deliver()
        return self.received

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def last(self, address: str) -> EmailMessage:
        received = self.to(address)
        assert received, f"no e-mail was sent to {address}"
        return received[-1]

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    def link(self, address: str) -> str:
        """The path of the (only) link in the last message to ``address``, for the test client."""
        links = _LINK.findall(self.body(self.last(address)))
        assert len(links) == 1, f"expected one link, found {links}"
        parts = urlsplit(links[0])
        return parts.path + (f"?{parts.query}" if parts.query else "")


class Receiver:
    """The SMTP server's handler (apart from the Mailbox: aiosmtpd inspects its members)."""

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    # aiosmtpd handler hook: called once per message, before the server answers 250.
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.mailbox.received.append(message)
        return "250 Message accepted for delivery"


def closed_port() -> int:
    """A localhost port nothing listens on (free a moment ago), for servers to start on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def deliver_outbox(app: Flask | None = None) -> Any:
    """Send what the outbox holds now, as the worker would (app/outbox/sending.py); in ``app``'s
    context when given (a live server's app), else in the current one."""
    from app.outbox.sending import send_due

    if app is None:
        return send_due()
    with app.app_context():
        return send_due()


@contextmanager
def smtp_mailbox(
    app: Flask, deliver: Callable[[], Any] | None = deliver_outbox, port: int | None = None
) -> Iterator[Mailbox]:
    """Point the app's MAIL_* settings at a fresh local SMTP server for the duration.

    ``deliver`` runs when the mailbox is read (None: only read); ``port`` starts the server on
    a port the app was already pointed at (a mail server coming back).
    """
    mailbox = Mailbox(deliver)
    controller = Controller(Receiver(mailbox), hostname="127.0.0.1", port=port or closed_port())
    controller.start()
    keys = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_USERNAME")
    saved = {key: app.config.get(key) for key in keys}
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        MAIL_USE_TLS=False,
        MAIL_USE_SSL=False,
        MAIL_USERNAME=None,
    )
    try:
        yield mailbox
    finally:
        app.config.update(saved)
        controller.stop()
