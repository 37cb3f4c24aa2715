"""E-mails for notifications, written to the outbox in the transaction they announce.

``notify`` (app/notifications/services.py) queues them in the session; just before the
commit ``write_pending_to_outbox`` composes them (here, in the web layer: the words and links are
the pages') and writes them to the outbox, in that same transaction. After a rollback
``drop_pending_after_rollback`` drops them; a savepoint's rollback drops only those queued inside
it (hooks on every session, listed in app/bootstrap.py). The outbox's sender sends them later
(app/outbox/sending.py). The same hook serves requests and CLI commands (``flask reviews
remind``): links are absolute, always from PUBLIC_BASE_URL (never from the request's Host
header, app/web/links.py).
"""

from __future__ import annotations

import weakref
from typing import Any

from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.notifications.services import (
    PENDING_EMAILS,
    PendingEmail,
    drop_pending_emails,
    take_pending_emails,
)
from app.notifications.web.messages import sentence, subject
from app.outbox.services import Email, queue_emails
from app.texts.registry import BY_NOTIFICATION
from app.texts.services import render_in_force
from app.web.links import absolute_url

# Per session: each open savepoint and the length of the e-mail queue when it began.
SAVEPOINT_MARKS = "pending_emails_at_savepoints"


def compose(pending: PendingEmail) -> tuple[str, str]:
    """(subject, body) in the recipient's language: what needs attention, and the link."""
    title, body, _version = compose_with_version(pending)
    return title, body


def compose_with_version(pending: PendingEmail) -> tuple[str, str, int | None]:
    """(subject, body, text version id): the staff's version of this e-mail in the recipient's
    language when one is in force (app/texts/), else the built-in wording (version None)."""
    locale = pending.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    text = BY_NOTIFICATION.get(pending.kind.value)
    if text is not None:
        values = {
            "reference": str(pending.params.get("reference", "")),
            "link": absolute_url(pending.link),
            "fund": current_app.config["FUND_SHORT_NAME"],
        }
        staff = render_in_force(text.key, locale, values)
        if staff is not None:
            return staff.subject, staff.body, staff.version_id
    with force_locale(locale):
        body = _(
            "%(sentence)s\n\nOpen it here (sign in if asked):\n%(link)s\n\n"
            "For confidentiality, e-mails from %(fund)s never include the details of a case.\n",
            sentence=sentence(pending.kind, pending.params),
            link=absolute_url(pending.link),
            fund=current_app.config["FUND_SHORT_NAME"],
        )
        return subject(pending.kind), body, None


def write_pending_to_outbox(session: Session) -> None:
    """Before every commit: the notification e-mails become outbox rows of the same commit.

    Only the outermost commit writes them: a savepoint's commit (which SQLAlchemy also
    announces) may still be undone by an enclosing savepoint's rollback."""
    if not session.info.get(PENDING_EMAILS) or not has_app_context():
        return
    if session.in_nested_transaction():
        return
    emails = []
    for message in take_pending_emails(session):
        title, body, version = compose_with_version(message)
        emails.append(Email(to=message.to, subject=title, body=body, text_version_id=version))
    queue_emails(emails, session=session)  # one statement however many are told


def remember_queue_at_savepoint(session: Session, transaction: Any) -> None:
    """When a savepoint begins: how many e-mails were queued, so that its rollback can drop
    exactly the ones queued inside it (a bulk action's refused item, a dry run)."""
    if transaction.nested:
        marks = session.info.setdefault(SAVEPOINT_MARKS, weakref.WeakKeyDictionary())
        marks[transaction] = len(session.info.get(PENDING_EMAILS, []))


def drop_pending_after_rollback(session: Session, previous_transaction: Any) -> None:
    """The outermost rollback cancels the unit of work and every e-mail it queued; a
    savepoint's rollback cancels the e-mails queued since the savepoint began."""
    if previous_transaction.parent is None:
        drop_pending_emails(session)
        return
    if previous_transaction.nested:
        mark = session.info.get(SAVEPOINT_MARKS, {}).get(previous_transaction)
        queue = session.info.get(PENDING_EMAILS)
        if mark is not None and queue is not None:
            del queue[mark:]
