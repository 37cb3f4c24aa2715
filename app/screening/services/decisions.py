"""People's decisions on hits, and the hold an undecided or confirmed hit puts on an
organisation: no verification, award or payment step while it stands."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Organisation, User
from app.accounts.permissions import Permission, ensure_permission, is_member
from app.audit.services import record_event
from app.platform.db import lock_rows, utcnow
from app.platform.errors import N_, Conflict, SegregationOfDuties, ValidationFailed
from app.platform.extensions import db
from app.screening.models import HOLDING_HIT_STATUSES, HitStatus, ScreeningHit


def standing_hits(organisation_id: int) -> list[ScreeningHit]:
    """The organisation's open and confirmed hits, open first."""
    hits = db.session.execute(
        sa.select(ScreeningHit)
        .where(
            ScreeningHit.organisation_id == organisation_id,
            ScreeningHit.status.in_(HOLDING_HIT_STATUSES),
        )
        .order_by(ScreeningHit.id)
    ).scalars()
    return sorted(hits, key=lambda hit: hit.status != HitStatus.OPEN)


def ensure_no_sanctions_hold(organisation: Organisation) -> None:
    """Refuse (Conflict) while the organisation has an open or a confirmed sanctions hit."""
    hits = standing_hits(organisation.id)
    if not hits:
        return
    hit = hits[0]
    if hit.status == HitStatus.OPEN:
        raise Conflict(
            N_(
                "%(name)s has a possible match on the UN sanctions list (%(reference)s) that "
                "the fund manager has not decided: nothing can be verified, awarded or paid "
                "until it is cleared."
            ),
            name=organisation.name,
            reference=hit.entry.reference_number or hit.entry.data_id,
        )
    raise Conflict(
        N_(
            "%(name)s matches an entry of the UN sanctions list (%(reference)s), as the fund "
            "manager confirmed: it cannot be verified, awarded or paid."
        ),
        name=organisation.name,
        reference=hit.entry.reference_number or hit.entry.data_id,
    )


def _decide(*, actor: User, hit: ScreeningHit, status: HitStatus, reason: str) -> ScreeningHit:
    ensure_permission(actor, Permission.DECIDE_SCREENING_HIT)
    if is_member(actor, hit.organisation_id):
        raise SegregationOfDuties(
            N_("You belong to this organisation, so another fund manager must decide this match.")
        )
    lock_rows(hit)
    if hit.status != HitStatus.OPEN:
        raise Conflict(N_("This match was already decided."))
    hit.status = status
    hit.reason = reason
    hit.decided_by_id = actor.id
    hit.decided_at = utcnow()
    record_event(
        actor=actor,
        action=f"screening.hit_{status.value}",
        subject=hit,
        summary=f"{hit.organisation.name}: {hit.screened_name!r} against "
        f"{hit.entry.reference_number or hit.entry.data_id} {hit.matched_name!r} "
        f"(score {hit.score:g}) {status.value}" + (f": {reason[:200]}" if reason else ""),
        changes={"status": [HitStatus.OPEN.value, status.value]},
    )
    db.session.flush()
    return hit


def clear_hit(*, actor: User, hit: ScreeningHit, reason: str) -> ScreeningHit:
    """Not the listed party: the hold ends, the reason is kept, and the same entry is not
    raised again for this organisation unless the list changes it."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(N_("Say why this is not the listed party."))
    return _decide(actor=actor, hit=hit, status=HitStatus.CLEARED, reason=reason)


def confirm_hit(*, actor: User, hit: ScreeningHit, reason: str = "") -> ScreeningHit:
    """The listed party: the organisation stays held for good."""
    return _decide(actor=actor, hit=hit, status=HitStatus.CONFIRMED, reason=reason.strip())


def open_hits() -> list[ScreeningHit]:
    """The due-diligence queue: every undecided hit, oldest first."""
    return list(
        db.session.execute(
            sa.select(ScreeningHit)
            .where(ScreeningHit.status == HitStatus.OPEN)
            .order_by(ScreeningHit.created_at, ScreeningHit.id)
        ).scalars()
    )


def hits_of(organisation_id: int) -> list[ScreeningHit]:
    """Every hit of the organisation, newest first (its screening history)."""
    return list(
        db.session.execute(
            sa.select(ScreeningHit)
            .where(ScreeningHit.organisation_id == organisation_id)
            .order_by(ScreeningHit.id.desc())
        ).scalars()
    )
