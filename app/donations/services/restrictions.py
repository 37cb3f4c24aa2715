"""Restricting a pledge: the donor's terms on what its money may fund (app/funding).

An earmark is a label; a restriction binds. Finance records it, as the contribution
agreement says, before any of the pledge's money is received: from then on its payments go
to the pledge's own balance ``fund:restricted:<id>`` and fund only grants that match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.accounts.models import User
from app.accounts.permissions import Permission, ensure_permission
from app.audit.services import record_event
from app.calls.models import Call
from app.donations.models import Pledge, PledgeStatus
from app.funding.models import Restriction
from app.funding.services import restricted_account, restriction_of_pledge
from app.platform.categories import Theme
from app.platform.db import lock_rows
from app.platform.errors import N_, Conflict, ValidationFailed
from app.platform.extensions import db
from app.platform.regions import DEFAULT_REGIONS, Region


@dataclass(frozen=True)
class RestrictionTerms:
    """What the donor restricted the money to; None is "any"."""

    theme: str | None = None
    region: str | None = None
    country: str | None = None
    call_id: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None


def _checked(terms: RestrictionTerms) -> RestrictionTerms:
    theme = (terms.theme or "").strip() or None
    region = (terms.region or "").strip() or None
    country = (terms.country or "").strip().upper() or None
    if theme is not None and theme not in {t.value for t in Theme}:
        raise ValidationFailed(N_("%(earmark)s is not one of the fund's themes."), earmark=theme)
    if region is not None and region not in {r.value for r in Region if r != Region.UNKNOWN}:
        raise ValidationFailed(N_("Choose a region from the list."))
    if country is not None and country not in DEFAULT_REGIONS:
        raise ValidationFailed(N_("Choose a country from the list."))
    if terms.call_id is not None and db.session.get(Call, terms.call_id) is None:
        raise ValidationFailed(N_("There is no such call."))
    if terms.starts_on and terms.ends_on and terms.starts_on > terms.ends_on:
        raise ValidationFailed(N_("The period must end after it starts."))
    checked = RestrictionTerms(
        theme, region, country, terms.call_id, terms.starts_on, terms.ends_on
    )
    if checked == RestrictionTerms():
        raise ValidationFailed(
            N_(
                "Say what the money is restricted to: a theme, a region, a country, a call "
                "or a period."
            )
        )
    return checked


def restrict_pledge(*, actor: User, pledge: Pledge, terms: RestrictionTerms) -> Restriction:
    """Record the donor's restriction on a pledge, before any of its money is received."""
    ensure_permission(actor, Permission.CONFIRM_PLEDGE)
    # A payment being applied at this moment locks the same row (allocations.py).
    lock_rows(pledge)
    if pledge.status in (PledgeStatus.CANCELLED, PledgeStatus.WRITTEN_OFF):
        raise ValidationFailed(N_("This pledge is closed."))
    if pledge.allocations:
        raise Conflict(
            N_(
                "Money was already received on this pledge, as unrestricted money: "
                "a restriction applies to a pledge before it is paid."
            )
        )
    if restriction_of_pledge(pledge.id) is not None:
        raise Conflict(N_("This pledge is already restricted."))
    checked = _checked(terms)
    restriction = Restriction(
        pledge_id=pledge.id,
        donor_id=pledge.donor_id,
        theme=checked.theme,
        region=checked.region,
        country=checked.country,
        call_id=checked.call_id,
        starts_on=checked.starts_on,
        ends_on=checked.ends_on,
        created_by_id=actor.id,
    )
    db.session.add(restriction)
    db.session.flush()
    restricted_account(restriction, name=f"{pledge.donor.name}, pledge {pledge.id}")
    record_event(
        actor=actor,
        action="pledge.restricted",
        subject=pledge,
        summary=f"Pledge {pledge.id} restricted",
        changes={
            "restriction_id": [None, restriction.id],
            "theme": [None, checked.theme],
            "region": [None, checked.region],
            "country": [None, checked.country],
            "call_id": [None, checked.call_id],
            "starts_on": [None, checked.starts_on.isoformat() if checked.starts_on else None],
            "ends_on": [None, checked.ends_on.isoformat() if checked.ends_on else None],
        },
    )
    return restriction
