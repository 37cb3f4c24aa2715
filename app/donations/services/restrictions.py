"""Restricting a pledge: the donor's terms on what its money may fund (app/funding).

An earmark is a label; a restriction binds. Finance records it, as the contribution
agreement says, before any of the pledge's money is received: from then on its payments go
to the pledge's own balance ``fund:restricted:<id>`` and fund only grants that match.

Terms that no grant could ever match are refused (a country outside the chosen region, decided
by app/platform/regions.py with the deployment's overrides; a theme or country the chosen call
does not fund). Until money of the pledge has arrived or been committed, finance may change the
terms or lift the restriction (audited); afterwards the money already follows the terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.accounts.models import User
from app.accounts.permissions import Permission, ensure_permission
from app.audit.services import record_event
from app.calls.models import Call
from app.donations.models import Pledge, PledgeStatus
from app.funding.models import Restriction, RestrictionWarning
from app.funding.services import restricted_account, restricted_key, restriction_of_pledge
from app.ledger import chart
from app.ledger.models import Transfer
from app.platform.categories import Theme
from app.platform.db import lock_rows
from app.platform.errors import N_, Conflict, ValidationFailed
from app.platform.extensions import db
from app.platform.regions import DEFAULT_REGIONS, Region, region_of
from app.platform.settings import settings


@dataclass(frozen=True)
class RestrictionTerms:
    """What the donor restricted the money to; None is "any"."""

    theme: str | None = None
    region: str | None = None
    country: str | None = None
    call_id: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None


class TermRefused(ValidationFailed):
    """A term the form should show next to its field (``field``: the term's name)."""

    def __init__(self, field: str, message: str, **params: object) -> None:
        super().__init__(message, **params)
        self.field = field


def _checked(terms: RestrictionTerms) -> RestrictionTerms:
    theme = (terms.theme or "").strip() or None
    region = (terms.region or "").strip() or None
    country = (terms.country or "").strip().upper() or None
    if theme is not None and theme not in {t.value for t in Theme}:
        raise TermRefused(
            "theme", N_("%(earmark)s is not one of the fund's themes."), earmark=theme
        )
    if region is not None and region not in {r.value for r in Region if r != Region.UNKNOWN}:
        raise TermRefused("region", N_("Choose a region from the list."))
    if country is not None and country not in DEFAULT_REGIONS:
        raise TermRefused("country", N_("Choose a country from the list."))
    call = db.session.get(Call, terms.call_id) if terms.call_id is not None else None
    if terms.call_id is not None and call is None:
        raise TermRefused("call_id", N_("There is no such call."))
    if terms.starts_on and terms.ends_on and terms.starts_on > terms.ends_on:
        raise TermRefused("ends_on", N_("The period must end after it starts."))
    overrides = settings().regions.overrides
    if region is not None and country is not None and region_of(country, overrides) != region:
        raise TermRefused(
            "country",
            N_(
                "This country is not in the region chosen, so no grant could ever match: "
                "choose a country of that region, or only one of the two."
            ),
        )
    if call is not None:
        if theme is not None and call.themes and theme not in call.themes:
            raise TermRefused(
                "theme",
                N_(
                    "The call chosen does not fund this theme, so no grant could ever match: "
                    "choose one of the call's themes, or no theme."
                ),
            )
        eligible = [c.upper() for c in call.eligible_countries or []]
        if country is not None and eligible and country not in eligible:
            raise TermRefused(
                "country",
                N_(
                    "The call chosen is not open to this country, so no grant could ever "
                    "match: choose one of the call's countries, or no country."
                ),
            )
        if (
            region is not None
            and eligible
            and all(region_of(c, overrides) != region for c in eligible)
        ):
            raise TermRefused(
                "region",
                N_(
                    "The call chosen is open to no country of this region, so no grant could "
                    "ever match: choose another region, or no region."
                ),
            )
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


_TERMS = ("theme", "region", "country", "call_id", "starts_on", "ends_on")


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def _terms_of(restriction: Restriction) -> RestrictionTerms:
    return RestrictionTerms(**{name: getattr(restriction, name) for name in _TERMS})


def money_moved(pledge: Pledge, restriction: Restriction) -> bool:
    """Whether any money of the pledge arrived or was committed: then the terms are kept."""
    if pledge.allocations:
        return True
    account = chart.find_account(restricted_key(restriction.id))
    if account is None:
        return False
    touched = db.session.execute(
        sa.select(Transfer.id)
        .where(
            sa.or_(
                Transfer.debit_account_id == account.id, Transfer.credit_account_id == account.id
            )
        )
        .limit(1)
    ).first()
    return touched is not None


def _changeable(actor: User, pledge: Pledge) -> Restriction:
    ensure_permission(actor, Permission.CONFIRM_PLEDGE)
    lock_rows(pledge)
    restriction = restriction_of_pledge(pledge.id)
    if restriction is None:
        raise Conflict(N_("This pledge is not restricted."))
    if money_moved(pledge, restriction):
        raise Conflict(
            N_(
                "Money of this pledge has already arrived or been committed under this "
                "restriction, so it can no longer be changed or lifted."
            )
        )
    return restriction


def change_restriction(*, actor: User, pledge: Pledge, terms: RestrictionTerms) -> Restriction:
    """Change a restriction's terms, while none of the pledge's money has arrived."""
    restriction = _changeable(actor, pledge)
    checked = _checked(terms)
    before = _terms_of(restriction)
    changes = {
        name: [_plain(getattr(before, name)), _plain(getattr(checked, name))]
        for name in _TERMS
        if getattr(before, name) != getattr(checked, name)
    }
    for name in _TERMS:
        setattr(restriction, name, getattr(checked, name))
    db.session.flush()
    record_event(
        actor=actor,
        action="pledge.restriction_changed",
        subject=pledge,
        summary=f"Restriction of pledge {pledge.id} changed",
        changes={"restriction_id": [restriction.id, restriction.id], **changes},
    )
    return restriction


def lift_restriction(*, actor: User, pledge: Pledge) -> None:
    """Lift a restriction, while none of the pledge's money has arrived: its payments then go
    to unrestricted money. Its (empty) balance stays on the ledger, owned by no restriction."""
    restriction = _changeable(actor, pledge)
    before = _terms_of(restriction)
    restriction_id = restriction.id
    db.session.execute(
        sa.delete(RestrictionWarning).where(RestrictionWarning.restriction_id == restriction_id)
    )
    db.session.delete(restriction)
    db.session.flush()
    record_event(
        actor=actor,
        action="pledge.restriction_lifted",
        subject=pledge,
        summary=f"Restriction of pledge {pledge.id} lifted",
        changes={
            "restriction_id": [restriction_id, None],
            **{
                name: [_plain(getattr(before, name)), None]
                for name in _TERMS
                if getattr(before, name) is not None
            },
        },
    )
