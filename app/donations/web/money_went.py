"""Where your money went: for the donor in the portal, in the donor's annual letter, and on
the public page of a government donor (governments are named, UN practice)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, render_template
from flask_login import current_user

from app.accounts.permissions import Permission
from app.donations import services
from app.donations.models import GOVERNMENT_KINDS, Donor
from app.donations.web.blueprint import bp
from app.donations.web.finance.restrictions import region_name
from app.platform.db import utcnow
from app.platform.extensions import db
from app.reporting.annual import FIRST_YEAR, LAST_YEAR
from app.reporting.money_went import funding, where_money_went
from app.web.access import public, requires
from app.web.display import donor_name, sort_key


def _flows(donors: list[Donor]) -> list[tuple[Donor, Any]]:
    figures = funding()
    return [(donor, where_money_went(donor.id, figures=figures)) for donor in donors]


@bp.get("/my/giving/where-your-money-went")
@requires(Permission.VIEW_OWN_CONTRIBUTIONS)
def where_your_money_went() -> Any:
    donors = services.donors_of(current_user)
    return render_template(
        "donations/money_went.html", flows=_flows(donors), region_name=region_name
    )


@bp.get("/my/giving/letter/<int:year>")
@requires(Permission.VIEW_OWN_CONTRIBUTIONS)
def annual_letter(year: int) -> Any:
    """The donor's annual letter, printable: thanks, and where the money went so far."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404)
    donors = services.donors_of(current_user)
    return render_template(
        "donations/letter.html",
        flows=_flows(donors),
        year=year,
        today=utcnow().date(),
        region_name=region_name,
    )


@bp.get("/transparency/donors")
@public
def government_donors() -> Any:
    """Every government donor, with what their money paid to grantees (links to each)."""
    figures = funding()
    totals = figures.totals_by_donor()
    governments = db.session.execute(
        sa.select(Donor).where(Donor.kind.in_(list(GOVERNMENT_KINDS)))
    ).scalars()
    # In the order of the names the reader sees: a State by its country's name in their
    # language (at most one donor a government: a short list, sorted here).
    listed = sorted(governments, key=lambda donor: (sort_key(donor_name(donor)), donor.id))
    return render_template(
        "donations/public_donors.html",
        donors=[(donor, totals.get(donor.id, 0)) for donor in listed],
    )


@bp.get("/transparency/donors/<int:donor_id>")
@public
def government_donor(donor_id: int) -> Any:
    """A government's contributions, in public: the grants they paid (aggregates only)."""
    donor = db.session.get(Donor, donor_id)
    if donor is None or donor.kind not in GOVERNMENT_KINDS:
        abort(404)
    return render_template(
        "donations/public_donor.html",
        donor=donor,
        flow=where_money_went(donor.id),
        region_name=region_name,
    )
