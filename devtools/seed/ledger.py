"""The demo ledger: sealed once the other demo loaders have posted their money movements, and the
demo's audit log sealed with it.

The donations and grants demos post through their own services, so every demo transfer
points at a real gift, pledge, bank receipt, grant or tranche that the ledger's pages link to.
This loader runs last and seals what they posted, so `flask ledger verify` checks a hash
chain on the demo data too; `flask audit verify` likewise checks the audit log's chain. Safe to
run again: with nothing new, nothing is sealed.
"""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import User
from app.audit.chain import seal_audit_log
from app.ledger.verify import seal_ledger
from app.platform.extensions import db


def load_demo_ledger() -> int:
    """Seal the transfers posted since the last checkpoint; returns how many it sealed."""
    actor = db.session.execute(
        select(User).where(User.email == "finance@demo.test")
    ).scalar_one_or_none()
    checkpoint = seal_ledger(actor=actor)
    seal_audit_log(actor=actor)  # after the ledger's seal, whose audit event it covers
    db.session.flush()
    return checkpoint.transfer_count if checkpoint is not None else 0
