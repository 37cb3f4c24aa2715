"""E-mails for notifications, sent once the change they announce is committed.

``notify`` (app/domain/notifications/services.py) queues them in the session; after a commit
``send_pending`` sends them, after a rollback ``drop_pending_after_rollback`` drops them (hooks
on every session, listed in app/bootstrap.py). The same hook serves requests and CLI
commands (``flask reviews remind``): links are absolute, always from PUBLIC_BASE_URL (never
from the request's Host header, app/web/links.py).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
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
    """After every commit."""
    pending = take_pending_emails(session)
    if not pending or not has_app_context():
        return
    for message in pending:
        title, body = compose(message)
        send_email(to=message.to, subject=title, body=body)


def drop_pending_after_rollback(session: Session, previous_transaction: Any) -> None:
    # Only the outermost rollback cancels the unit of work; a savepoint's does not.
    if previous_transaction.parent is None:
        drop_pending_emails(session)
