"""The e-mail that gives every auditor their own copy of a new audit log seal's head.

As for the ledger's seals (app/ledger/web/seal_mail.py): a copy in each auditor's mailbox is
outside the fund's database, so whoever could rewrite the audit log and seal it again cannot
change it. Queued in the sealing transaction, once per seal and auditor (the idempotency key).
"""

from __future__ import annotations

from datetime import UTC

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.audit.models import AuditCheckpoint
from app.ledger.web.seal_mail import active_auditors
from app.outbox.services import queue_email
from app.web.links import public_url


def email_audit_seal_to_auditors(checkpoint: AuditCheckpoint) -> int:
    """Queue the seal's head to every active auditor; returns how many were queued."""
    auditors = active_auditors()
    fund = current_app.config["FUND_SHORT_NAME"]
    sealed_at = checkpoint.sealed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    for auditor in auditors:
        with force_locale(auditor.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            subject = _("%(fund)s audit log sealed: %(head)s", fund=fund, head=checkpoint.hash[:16])
            body = _(
                "The audit log of %(fund)s was sealed on %(sealed_at)s: %(count)s event(s), "
                "numbers %(first)s to %(last)s. The head of the seal is:\n\n%(head)s\n\n"
                "Keep this e-mail: it is your copy, outside the fund's database. Whoever could "
                "change the audit log could also seal it again, but not change this head. To "
                "check that the audit log still leads to it, run:\n\n"
                "flask audit verify --against %(head)s\n\n"
                "The newest heads are also published at %(link)s\n",
                fund=fund,
                sealed_at=sealed_at,
                count=checkpoint.event_count,
                first=checkpoint.first_event_id,
                last=checkpoint.last_event_id,
                head=checkpoint.hash,
                link=public_url("reporting.transparency_page"),
            )
        queue_email(
            to=auditor.email,
            subject=subject,
            body=body,
            key=f"audit-seal:{checkpoint.hash}:{auditor.id}",
        )
    return len(auditors)
