"""E-mails for notifications, sent once the change they announce is committed.

``notify`` (app/domain/notifications/services.py) queues them in the session; after a commit
this hook sends them, after a rollback it drops them. The same hook serves requests and CLI
commands (``flask reviews remind``): links are absolute, always from PUBLIC_BASE_URL (never
from the request's Host header, app/web/links.py).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.domain.notifications.services import (
    PendingEmail,
    drop_pending_emails,
    take_pending_emails,
)
from app.mail import send_email
from app.web.links import absolute_url
from app.web.notifications.messages import sentence, subject


def compose(pending: PendingEmail) -> tuple[str, str]:
    """(subject, body) in the recipient's language: what needs attention, and the link."""
    with force_locale(pending.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        body = _(
            "%(sentence)s\n\nOpen it here (sign in if asked):\n%(link)s\n\n"
            "For confidentiality, e-mails from %(fund)s never include the details of a case.\n",
            sentence=sentence(pending.kind, pending.params),
            link=absolute_url(pending.link),
            fund=current_app.config["FUND_SHORT_NAME"],
        )
        return subject(pending.kind), body


def send_pending(session: Session) -> None:
    pending = take_pending_emails(session)
    if not pending or not has_app_context():
        return
    for message in pending:
        title, body = compose(message)
        send_email(to=message.to, subject=title, body=body)


def _after_commit(session: Session) -> None:
    send_pending(session)


def _after_rollback(session: Session, previous_transaction: Any) -> None:
    # Only the outermost rollback cancels the unit of work; a savepoint's does not.
    if previous_transaction.parent is None:
        drop_pending_emails(session)


def install_mail_hooks() -> None:
    """Listen on every session (the test suite swaps the scoped session for its own)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
