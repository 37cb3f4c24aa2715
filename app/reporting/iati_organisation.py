"""The publisher's IATI 2.03 organisation file: what the fund budgets and spends, each year.

Per calendar year (IATI's periods are at most a year): the total budget (what the fund committed
to grants awarded that year), the budget per recipient country (each grant shared equally among
its countries, as in the activity file) and the total expenditure (tranches paid and the
programme support cost charged on them, less what grantees returned). Amounts are in each grant's
currency; nothing about a person is in the file.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from app.applications.models import Application
from app.grants.models import Grant, GrantRefund, Tranche, TrancheStatus
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.money import to_major
from app.reporting.iati_xml import (
    ORG_TYPE_MULTILATERAL,
    VERSION,
    XML_LANG,
    IatiPublisher,
    percentages,
    sub,
)

Totals = dict[tuple[int, str], int]


def _period(parent: ET.Element, tag: str, year: int) -> ET.Element:
    element = ET.SubElement(parent, tag)
    ET.SubElement(element, "period-start", {"iso-date": date(year, 1, 1).isoformat()})
    ET.SubElement(element, "period-end", {"iso-date": date(year, 12, 31).isoformat()})
    return element


def _value(parent: ET.Element, year: int, currency: str, amount: int) -> None:
    value = ET.SubElement(
        parent, "value", {"currency": currency, "value-date": date(year, 1, 1).isoformat()}
    )
    value.text = f"{to_major(amount, currency):f}"


def _budgets() -> tuple[Totals, dict[tuple[int, str, str], Decimal]]:
    totals: Totals = defaultdict(int)
    countries: dict[tuple[int, str, str], Decimal] = defaultdict(Decimal)
    rows = db.session.execute(
        sa.select(Grant.awarded_at, Grant.currency, Grant.amount, Application.countries).join(
            Application, Grant.application_id == Application.id
        )
    ).all()
    for awarded_at, currency, amount, codes in rows:
        year = awarded_at.year
        totals[year, currency] += amount
        named = [code for code in codes or [] if code]
        for code, share in zip(named, percentages(len(named)) if named else [], strict=True):
            countries[year, currency, code] += Decimal(amount) * share / 100
    return totals, countries


def _expenditure() -> Totals:
    totals: Totals = defaultdict(int)
    paid = db.session.execute(
        sa.select(Tranche.confirmed_at, Grant.currency, Tranche.amount, Tranche.psc_amount)
        .join(Grant, Tranche.grant_id == Grant.id)
        .where(Tranche.status == TrancheStatus.PAID, Tranche.confirmed_at.is_not(None))
    ).all()
    for confirmed_at, currency, amount, psc in paid:
        if confirmed_at is None:
            continue
        totals[confirmed_at.year, currency] += amount + (psc or 0)
    returned = db.session.execute(
        sa.select(
            GrantRefund.received_on, Grant.currency, GrantRefund.amount, GrantRefund.psc_reversed
        ).join(Grant, GrantRefund.grant_id == Grant.id)
    ).all()
    for received_on, currency, amount, psc in returned:
        totals[received_on.year, currency] -= amount + (psc or 0)
    return totals


def organisation_element(publisher: IatiPublisher, *, moment: datetime) -> ET.Element:
    organisation = ET.Element(
        "iati-organisation",
        {
            "last-updated-datetime": moment.isoformat(),
            XML_LANG: publisher.language,
            "default-currency": publisher.currency,
        },
    )
    ET.SubElement(organisation, "organisation-identifier").text = publisher.organisation_ref
    sub(organisation, "name", publisher.organisation_name)
    sub(
        organisation,
        "reporting-org",
        publisher.organisation_name,
        ref=publisher.organisation_ref,
        type=ORG_TYPE_MULTILATERAL,
    )
    totals, countries = _budgets()
    for (year, currency), amount in sorted(totals.items()):
        budget = _period(organisation, "total-budget", year)
        _value(budget, year, currency, amount)
    for (year, currency, code), share in sorted(countries.items()):
        budget = ET.SubElement(organisation, "recipient-country-budget")
        ET.SubElement(budget, "recipient-country", {"code": code})
        ET.SubElement(budget, "period-start", {"iso-date": date(year, 1, 1).isoformat()})
        ET.SubElement(budget, "period-end", {"iso-date": date(year, 12, 31).isoformat()})
        _value(budget, year, currency, int(share.to_integral_value()))
    for (year, currency), amount in sorted(_expenditure().items()):
        spent = _period(organisation, "total-expenditure", year)
        _value(spent, year, currency, amount)
    return organisation


def iati_organisations(
    publisher: IatiPublisher, *, generated: datetime | None = None
) -> Iterator[str]:
    """The IATI organisations file, as pieces of text to write or stream."""
    moment = (generated or utcnow()).replace(microsecond=0)
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<iati-organisations version="{VERSION}" generated-datetime="{moment.isoformat()}">\n'
    yield ET.tostring(organisation_element(publisher, moment=moment), encoding="unicode") + "\n"
    yield "</iati-organisations>\n"
