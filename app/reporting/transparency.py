"""What anyone may see about the fund, without signing in (the page and the JSON API).

Small counts of people are suppressed here, in the domain, so that no output built on it can
show them: counts from 1 to 4 become None ("<5"), with one more cell hidden when a single one
would be (see suppression.py). Donors are named only when they are governments or chose to be.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.audit.heads import AuditSealHead, published_audit_heads
from app.ledger.heads import SealHead, published_heads
from app.reporting.balances import key_figures
from app.reporting.contributions import DonorTable, by_donor
from app.reporting.grants import CountryLine, GrantTotals, by_country, grant_totals
from app.reporting.people import people_assisted
from app.reporting.results import PublicStandardTotal, public_standard_totals
from app.reporting.suppression import suppress, suppress_table


@dataclass(frozen=True)
class PublicPeople:
    """People assisted by sex x age and by form of exploitation; None means "<5"."""

    total: int | None
    sex_age: dict[str, int | None]
    exploitation: dict[str, int | None]


@dataclass(frozen=True)
class Transparency:
    received: int
    disbursed: int
    # Held for grants and not yet committed, as the ledger says: money any grant may use, and
    # money donors restricted (app/reporting/balances.py); together the fund's balance.
    unrestricted: int
    restricted: int
    grants: GrantTotals
    donors: DonorTable
    countries: list[CountryLine]
    people: PublicPeople
    # The newest seals' heads, newest first: published so that people outside the database
    # keep them and can check the ledger against them (app/ledger/heads.py).
    seals: list[SealHead]
    # The same for the audit log's seals (app/audit/heads.py).
    audit_seals: list[AuditSealHead]
    # The fund's standard indicators over all accepted reports, small counts suppressed.
    results: list[PublicStandardTotal] = field(default_factory=list)

    @property
    def held_for_grants(self) -> int:
        return self.unrestricted + self.restricted


def transparency(*, donor_limit: int = 200) -> Transparency:
    figures = key_figures()
    people = people_assisted()
    donors = by_donor(limit=donor_limit)
    return Transparency(
        received=donors.total,
        disbursed=figures.disbursed,
        unrestricted=figures.unrestricted,
        restricted=figures.restricted,
        grants=grant_totals(),
        donors=donors,
        countries=by_country(),
        people=PublicPeople(
            total=suppress(people.total),
            sex_age=suppress_table(people.sex_age),
            exploitation=suppress_table(people.exploitation),
        ),
        seals=published_heads(),
        audit_seals=published_audit_heads(),
        results=public_standard_totals(),
    )
