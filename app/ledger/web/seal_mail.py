"""The e-mail that gives every auditor their own copy of a new seal's head.

A copy in each auditor's mailbox is outside the fund's database: whoever could rewrite the
ledger and seal it again cannot change it. Queued in the sealing transaction, once per seal and
auditor (the idempotency key), so a job run again adds nothing. Here in the web layer, like the
other e-mails: the words and the link are the pages'.
"""

from __future__ import annotations

from datetime import UTC

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.accounts.models import Role, User, UserRole
from app.ledger.models import Checkpoint
from app.outbox.services import queue_email
from app.platform.extensions import db
from app.web.links import public_url


def active_auditors() -> list[User]:
    """Every active user with the auditor role: who gets a copy of each seal's head."""
    return list(
        db.session.execute(
            sa.select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.AUDITOR, User.is_active.is_(True))
            .order_by(User.id)
        ).scalars()
    )


def email_seal_to_auditors(checkpoint: Checkpoint) -> int:
    """Queue the seal's head to every active auditor; returns how many were queued."""
    auditors = active_auditors()
    fund = current_app.config["FUND_SHORT_NAME"]
    sealed_at = checkpoint.sealed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    for auditor in auditors:
        with force_locale(auditor.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            subject = _("%(fund)s ledger sealed: %(head)s", fund=fund, head=checkpoint.hash[:16])
            body = _(
                "The ledger of %(fund)s was sealed on %(sealed_at)s: %(count)s transfer(s), "
                "sequence %(first)s to %(last)s. The head of the seal is:\n\n%(head)s\n\n"
                "Keep this e-mail: it is your copy, outside the fund's database. Whoever could "
                "change the ledger could also seal it again, but not change this head. To check "
                "that the ledger still leads to it, run:\n\n"
                "flask ledger verify --against %(head)s\n\n"
                "The newest heads are also published at %(link)s\n",
                fund=fund,
                sealed_at=sealed_at,
                count=checkpoint.transfer_count,
                first=checkpoint.first_sequence,
                last=checkpoint.last_sequence,
                head=checkpoint.hash,
                link=public_url("reporting.transparency_page"),
            )
        queue_email(
            to=auditor.email,
            subject=subject,
            body=body,
            key=f"ledger-seal:{checkpoint.hash}:{auditor.id}",
        )
    return len(auditors)
