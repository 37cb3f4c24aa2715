"""A screener's decision on a copied-proposal flag: cleared (not a concern: a consortium's
shared text, a law quoted at length) or confirmed (a copy the fund acts on), with the reason.

Until a screener decides, the flag waits at the top of the due-diligence queue. Deciding again
replaces the decision (both are in the audit log); a text that changes the shares reopens it
(app/copies/services.py, when the flag is recomputed)."""

from __future__ import annotations

from typing import Any

from app.audit.services import record_event
from app.copies.access import may_see_pair
from app.copies.models import CopyDecision, CopyFlag
from app.platform.db import utcnow
from app.platform.errors import N_, PermissionDenied, ValidationFailed
from app.platform.extensions import db

MAX_REASON_LENGTH = 2000


def decide(actor: Any, flag: CopyFlag, decision: CopyDecision | str, reason: str) -> CopyFlag:
    """Record ``decision`` on ``flag`` for a screener of both applications. Flushes."""
    if not may_see_pair(actor, flag):
        raise PermissionDenied(N_("You do not have permission to do this."))
    try:
        chosen = CopyDecision(decision)
    except ValueError:
        raise ValidationFailed(N_("Choose whether the texts are a concern or not.")) from None
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(N_("Say why: the next screener reads it."))
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationFailed(
            N_("Keep the reason under %(limit)d characters."), limit=MAX_REASON_LENGTH
        )
    before = flag.decision
    flag.decision = chosen
    flag.decision_reason = reason
    flag.decided_at = utcnow()
    flag.decided_by_id = actor.id
    db.session.flush()
    record_event(
        actor=actor,
        action=f"copy.{chosen.value}",
        subject=flag,
        summary=(
            f"APP-{flag.first_id:05d} and APP-{flag.second_id:05d}: {chosen.value} "
            f"(was {before.value if before else 'waiting'})"
        ),
        changes={"decision": [before.value if before else None, chosen.value], "reason": reason},
    )
    return flag


def reopen(flag: CopyFlag) -> None:
    """Forget the decision: the texts changed since it was made (the system's doing)."""
    if flag.decision is None:
        return
    record_event(
        actor=None,
        action="copy.reopened",
        subject=flag,
        summary=(
            f"APP-{flag.first_id:05d} and APP-{flag.second_id:05d}: the shared text changed "
            f"since it was {flag.decision.value}; waiting for a new decision"
        ),
        changes={"decision": [flag.decision.value, None]},
    )
    flag.decision = None
    flag.decided_at = None
    flag.decided_by_id = None
