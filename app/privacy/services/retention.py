"""Retention: accounts whose address was never confirmed are removed after a while."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.accounts.services.addresses import CLOSED_ACCOUNT_DOMAIN
from app.audit.services import record_event
from app.platform.db import utcnow
from app.platform.extensions import db
from app.privacy.services.closure import anonymise_account


def purge_unconfirmed_accounts(*, older_than_days: int, now: datetime | None = None) -> int:
    """Delete the accounts never confirmed (registrations, and invitations never taken up)
    made more than ``older_than_days`` days ago; one that something points at (a donor record,
    a review assignment...) is anonymised and deactivated instead. Returns how many went, and
    audits that count. Run daily by the beat and by `flask users purge-unconfirmed`, which
    commit; a second run finds nothing left."""
    before = (now or utcnow()) - timedelta(days=older_than_days)
    stale = (
        db.session.execute(
            sa.select(User)
            .where(
                User.email_confirmed_at.is_(None),
                User.created_at < before,
                User.email.not_like(f"%@{CLOSED_ACCOUNT_DOMAIN}"),
            )
            .order_by(User.id)
        )
        .scalars()
        .all()
    )
    deleted = anonymised = 0
    for user in stale:
        try:
            with db.session.begin_nested():
                db.session.delete(user)
                db.session.flush()
        except sa.exc.IntegrityError:
            # Something of the fund's points at the account: keep the row, not the person.
            db.session.refresh(user)
            anonymise_account(user)
            anonymised += 1
        else:
            deleted += 1
    if stale:
        record_event(
            actor=None,
            action="users.unconfirmed_purged",
            summary=(
                f"{deleted} unconfirmed account(s) deleted, {anonymised} anonymised "
                f"(older than {older_than_days} days)"
            ),
            changes={"deleted": [None, deleted], "anonymised": [None, anonymised]},
        )
    db.session.flush()
    return deleted + anonymised
