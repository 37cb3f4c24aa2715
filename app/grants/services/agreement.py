"""Agreement: the terms sent to the grantee (hashed), and their acceptance by its signatory."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.accounts.models import Membership, MembershipRole, User
from app.applications.services import profile_of
from app.grants.models import Grant, GrantStatus
from app.grants.services.common import clean_text
from app.grants.workflow import GRANT_WORKFLOW
from app.platform.db import lock_rows, utcnow
from app.platform.errors import N_, Conflict, PermissionDenied, ValidationFailed
from app.platform.extensions import db
from app.texts.models import TextVersion
from app.texts.registry import AGREEMENT_CLOSURE
from app.texts.services import versions_at


def agreement_texts(grant: Grant) -> dict[str, TextVersion]:
    """language -> the staff's version of the agreement's section 7 (app/texts/) that the
    agreement uses: the one in force when it was sent, or now for a draft. Empty: built-in."""
    return versions_at(AGREEMENT_CLOSURE, grant.agreement_sent_at)


def agreement_terms(grant: Grant) -> dict[str, Any]:
    """What the agreement says, as data: hashed when sent, so acceptance is of these terms."""
    profile = profile_of(grant.organisation)
    terms: dict[str, Any] = {
        "reference": grant.reference,
        "grantee": {
            "organisation_id": grant.organisation_id,
            "name": grant.organisation.name,
            "legal_name": profile.legal_name if profile else "",
            "registration_number": profile.registration_number if profile else "",
        },
        "title": grant.title,
        "currency": grant.currency,
        "amount": grant.amount,
        "psc_rate": str(grant.psc_rate),
        "psc_amount": grant.psc_amount,
        "start_date": grant.start_date.isoformat(),
        "end_date": grant.end_date.isoformat(),
        "conditions": grant.conditions,
        "tranches": [[t.number, t.amount, t.planned_date.isoformat()] for t in grant.tranches],
        "reports": [
            [r.kind.value, r.number, r.due_date.isoformat(), r.gates_tranche.number]
            if r.gates_tranche is not None
            else [r.kind.value, r.number, r.due_date.isoformat(), None]
            for r in grant.reports
        ],
        "budget": [
            [line.position, line.category.value, line.description, line.amount]
            for line in grant.current_budget
        ],
    }
    # The staff's wording of section 7, each language's version and text (only when there is
    # one, so the fingerprint of an agreement with the built-in wording is unchanged).
    texts = agreement_texts(grant)
    if texts:
        terms["texts"] = {
            AGREEMENT_CLOSURE: {
                locale: [version.id, version.body] for locale, version in sorted(texts.items())
            }
        }
    return terms


def agreement_digest(grant: Grant) -> str:
    canonical = json.dumps(agreement_terms(grant), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def send_agreement(*, actor: User, grant: Grant, now: datetime | None = None) -> Grant:
    """Send the agreement to the grantee; the schedule is fixed from now on."""
    lock_rows(grant)
    GRANT_WORKFLOW.transition(grant, GrantStatus.AGREEMENT_SENT, actor=actor)
    grant.agreement_sent_at = now or utcnow()
    grant.agreement_sent_by_id = actor.id
    grant.agreement_sha256 = agreement_digest(grant)
    db.session.flush()
    return grant


def is_signatory(actor: Any, grant: Grant) -> bool:
    """The organisation's authorised signatory: an owner of its account in this system."""
    return isinstance(actor, User) and any(
        m.organisation_id == grant.organisation_id and m.role == MembershipRole.OWNER
        for m in actor.memberships
    )


def signatory_of(actor: Any, grants: list[Grant]) -> set[int]:
    """The ids of those of ``grants`` whose agreement ``actor`` signs (``is_signatory``), asked
    in one statement of these grants' organisations only: no membership is loaded."""
    organisation_ids = {grant.organisation_id for grant in grants}
    if not isinstance(actor, User) or not organisation_ids:
        return set()
    owned = set(
        db.session.scalars(
            sa.select(Membership.organisation_id).where(
                Membership.user_id == actor.id,
                Membership.role == MembershipRole.OWNER,
                Membership.organisation_id.in_(organisation_ids),
            )
        )
    )
    return {grant.id for grant in grants if grant.organisation_id in owned}


def accept_agreement(
    *,
    actor: User,
    grant: Grant,
    signatory_name: str,
    signatory_title: str,
    confirmed: bool,
    ip: str | None,
    digest: str | None = None,
    now: datetime | None = None,
) -> Grant:
    """The grantee's authorised signatory accepts the agreement: name, time and IP are kept."""
    lock_rows(grant)
    if not is_signatory(actor, grant):
        raise PermissionDenied(
            N_("Only the organisation's authorised signatory (an owner of its account) can accept.")
        )
    name, title = clean_text(signatory_name, limit=200), clean_text(signatory_title, limit=200)
    if not name:
        raise ValidationFailed(N_("Type your full name to sign."))
    if not confirmed:
        raise ValidationFailed(
            N_("Confirm that you are authorised to sign for the organisation and accept the terms.")
        )
    if grant.status == GrantStatus.AGREEMENT_SENT and digest and digest != grant.agreement_sha256:
        raise Conflict(N_("The agreement changed after you opened it. Read it again, then accept."))
    GRANT_WORKFLOW.transition(
        grant, GrantStatus.ACTIVE, actor=actor, changes={"signatory_name": [None, name]}
    )
    grant.signatory_name = name
    grant.signatory_title = title
    grant.accepted_at = now or utcnow()
    grant.accepted_by_id = actor.id
    grant.accepted_ip = (ip or "")[:45] or None
    db.session.flush()
    return grant
