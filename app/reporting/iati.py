"""The fund's grants as IATI 2.03 activities, with their transactions (DOMAIN.md "Export").

One activity for the fund itself carries the money coming in: pledges (13, incoming pledge),
confirmed pledges (11, incoming commitment) and money received (1, incoming funds: each bank
receipt, and card gifts added up per month so that no individual donor appears). One activity
per grant carries the money going out: the award (2, outgoing commitment), each tranche paid
(3, disbursement) and the programme support cost charged on it (4, expenditure). Money coming
back is the same types with negative values, as IATI allows: unspent funds the grantee returns
(a negative disbursement, and the support cost given back with them a negative expenditure) and
what was committed but never paid, released at closure (a negative outgoing commitment). So a
grant's transactions add up to what the ledger shows it cost the fund.

Written as a stream of text: activities are serialised one at a time and grants are read in
pages, so the file can be as large as the fund without holding it in memory.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.applications.models import Application
from app.donations.models import (
    GOVERNMENT_KINDS,
    BankReceipt,
    Donor,
    Gift,
    GiftStatus,
    Pledge,
    PledgeStatus,
)
from app.grants.models import Grant, GrantStatus, TrancheStatus
from app.platform.categories import Theme
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.money import to_major
from app.reporting.iati_sectors import (
    CRS_NAMES,
    CRS_VOCABULARY,
    FUND_VOCABULARY,
    SDG_TARGET_VOCABULARY,
    SDG_TARGETS,
    THEME_NAMES,
    sector_shares,
    themes_of,
)
from app.reporting.sql import month_of, year_of

VERSION = "2.03"
PAGE = 200

# IATI code lists (the copies in shared/data/iati-2.03/codelists).
INCOMING_FUNDS = "1"
OUTGOING_COMMITMENT = "2"
DISBURSEMENT = "3"
EXPENDITURE = "4"
INCOMING_COMMITMENT = "11"
INCOMING_PLEDGE = "13"
ROLE_FUNDING = "1"
ROLE_ACCOUNTABLE = "2"
ROLE_IMPLEMENTING = "4"
DATE_PLANNED_START = "1"
DATE_ACTUAL_START = "2"
DATE_PLANNED_END = "3"
DATE_ACTUAL_END = "4"
ORG_TYPE_MULTILATERAL = "40"
ORG_TYPE_NGO = "22"
REGION_VOCABULARY_DAC = "1"
# DAC region 998, "Developing countries, unspecified": where money goes that no country is named
# for. Given per activity, never per transaction, as the ruleset asks (one or the other).
REGION_UNSPECIFIED = "998"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

STATUS_CODES = {
    GrantStatus.AWARDED: "1",  # pipeline: the agreement is not signed yet
    GrantStatus.AGREEMENT_SENT: "1",
    GrantStatus.ACTIVE: "2",  # implementation
    GrantStatus.SUSPENDED: "6",
    GrantStatus.CLOSING: "3",  # finalisation
    GrantStatus.CLOSED: "4",
}


@dataclass(frozen=True)
class IatiPublisher:
    """Who publishes: the organisation identifier (``XM-DAC-...``) and names."""

    organisation_ref: str
    organisation_name: str
    fund_name: str
    currency: str
    language: str = "en"
    # Where the fund's own sector vocabulary (its themes) is described.
    vocabulary_uri: str = ""


def _sub(
    parent: ET.Element,
    tag: str,
    text: str | None = None,
    *,
    lang: str | None = None,
    **attributes: str,
) -> ET.Element:
    """A child element, with its text as a narrative (in ``lang`` when it is not the file's)."""
    element = ET.SubElement(parent, tag, {k.replace("_", "-"): v for k, v in attributes.items()})
    if text is not None:
        narrative = ET.SubElement(element, "narrative", {XML_LANG: lang} if lang else {})
        narrative.text = text
    return element


def activity_identifier(publisher: IatiPublisher, reference: str) -> str:
    """A grant's IATI identifier: its reference with "/" (which IATI forbids) as "-"."""
    return f"{publisher.organisation_ref}-{reference.replace('/', '-')}"


def _activity(publisher: IatiPublisher, currency: str, hierarchy: str) -> ET.Element:
    return ET.Element(
        "iati-activity",
        {XML_LANG: publisher.language, "default-currency": currency, "hierarchy": hierarchy},
    )


def _where_and_what(
    activity: ET.Element,
    publisher: IatiPublisher,
    *,
    countries: list[str],
    theme_lists: list[list[str]],
) -> None:
    """Recipient countries (or the unspecified region), sectors and SDG targets, in the
    schema's order."""
    if countries:
        for country, percentage in zip(countries, _percentages(len(countries)), strict=True):
            ET.SubElement(
                activity, "recipient-country", {"code": country, "percentage": f"{percentage}"}
            )
    else:
        ET.SubElement(
            activity,
            "recipient-region",
            {"code": REGION_UNSPECIFIED, "vocabulary": REGION_VOCABULARY_DAC, "percentage": "100"},
        )
    crs, own = sector_shares([themes_of(codes) for codes in theme_lists])
    for code, percentage in crs.items():
        _sub(
            activity,
            "sector",
            CRS_NAMES[code],
            vocabulary=CRS_VOCABULARY,
            code=code,
            percentage=f"{percentage}",
        )
    for code, percentage in own.items():
        attributes = {"vocabulary": FUND_VOCABULARY, "code": code, "percentage": f"{percentage}"}
        if publisher.vocabulary_uri:
            attributes["vocabulary_uri"] = publisher.vocabulary_uri
        _sub(activity, "sector", THEME_NAMES[code], **attributes)
    for target, name in SDG_TARGETS:
        _sub(activity, "tag", name, vocabulary=SDG_TARGET_VOCABULARY, code=target)


def _transaction(
    activity: ET.Element,
    *,
    code: str,
    on: date,
    amount: int,
    currency: str,
    description: str,
    provider: str | None = None,
    receiver: str | None = None,
) -> None:
    transaction = ET.SubElement(activity, "transaction")
    ET.SubElement(transaction, "transaction-type", {"code": code})
    ET.SubElement(transaction, "transaction-date", {"iso-date": on.isoformat()})
    value = ET.SubElement(
        transaction, "value", {"currency": currency, "value-date": on.isoformat()}
    )
    value.text = f"{to_major(amount, currency):f}"
    _sub(transaction, "description", description)
    if provider is not None:
        _sub(transaction, "provider-org", provider)
    if receiver is not None:
        _sub(transaction, "receiver-org", receiver)


def _day(moment: datetime | date | None) -> date | None:
    if moment is None:
        return None
    return moment.date() if isinstance(moment, datetime) else moment


def _donor_name(donor: Donor | None, named: bool) -> str:
    if donor is not None and (donor.kind in GOVERNMENT_KINDS or named):
        return donor.name
    return "Anonymous donor"


def _header(activity: ET.Element, publisher: IatiPublisher, identifier: str) -> None:
    ET.SubElement(activity, "iati-identifier").text = identifier
    _sub(
        activity,
        "reporting-org",
        publisher.organisation_name,
        ref=publisher.organisation_ref,
        type=ORG_TYPE_MULTILATERAL,
    )


def fund_activity(publisher: IatiPublisher) -> ET.Element:
    """The fund itself, with every contribution it was promised and received."""
    activity = _activity(publisher, publisher.currency, "1")
    _header(activity, publisher, f"{publisher.organisation_ref}-FUND")
    _sub(activity, "title", publisher.fund_name)
    _sub(
        activity,
        "description",
        "Contributions to the fund from governments, organisations and individuals.",
    )
    _sub(
        activity,
        "participating-org",
        publisher.organisation_name,
        ref=publisher.organisation_ref,
        role=ROLE_ACCOUNTABLE,
        type=ORG_TYPE_MULTILATERAL,
    )
    ET.SubElement(activity, "activity-status", {"code": "2"})
    first = db.session.execute(
        sa.select(sa.func.min(Pledge.created_at)).select_from(Pledge)
    ).scalar()
    start = _day(first) or utcnow().date()
    ET.SubElement(
        activity, "activity-date", {"type": DATE_ACTUAL_START, "iso-date": start.isoformat()}
    )
    # The fund's sectors are its grants' together, each grant weighing the same; before its
    # first grant, the fund's first priority (women and girls).
    theme_lists = [
        list(codes or [])
        for codes in db.session.execute(
            sa.select(Application.target_groups).join(Grant, Grant.application_id == Application.id)
        ).scalars()
    ]
    if not any(themes_of(codes) for codes in theme_lists):
        theme_lists = [[next(iter(Theme)).value]]
    _where_and_what(activity, publisher, countries=[], theme_lists=theme_lists)
    pledges = db.session.execute(
        sa.select(Pledge)
        .options(joinedload(Pledge.donor))
        .where(Pledge.status != PledgeStatus.CANCELLED)
        .order_by(Pledge.id)
        .execution_options(yield_per=500)
    ).scalars()
    for pledge in pledges:
        name = _donor_name(pledge.donor, pledge.donor.public_recognition)
        _transaction(
            activity,
            code=INCOMING_PLEDGE,
            on=pledge.created_at.date(),
            amount=pledge.amount,
            currency=pledge.currency,
            description=f"Pledge {pledge.year}",
            provider=name,
        )
        if pledge.confirmed_on is not None and pledge.functional_amount is not None:
            _transaction(
                activity,
                code=INCOMING_COMMITMENT,
                on=pledge.confirmed_on,
                amount=pledge.functional_amount,
                currency=publisher.currency,
                description=f"Pledge {pledge.year} confirmed",
                provider=name,
            )
    receipts = db.session.execute(
        sa.select(BankReceipt)
        .order_by(BankReceipt.value_date, BankReceipt.id)
        .execution_options(yield_per=500)
    ).scalars()
    for receipt in receipts:
        _transaction(
            activity,
            code=INCOMING_FUNDS,
            on=receipt.value_date,
            amount=receipt.functional_amount,
            currency=publisher.currency,
            description="Contribution received by bank transfer",
            provider=_donor_name(
                receipt.donor, bool(receipt.donor and receipt.donor.public_recognition)
            ),
        )
    year, month = year_of(Gift.succeeded_at), month_of(Gift.succeeded_at)
    monthly = db.session.execute(
        sa.select(year, month, sa.func.sum(Gift.functional_amount))
        .where(Gift.status == GiftStatus.SUCCEEDED)
        .group_by(year, month)
        .order_by(year, month)
    ).all()
    for gift_year, gift_month, amount in monthly:
        if not amount:
            continue
        _transaction(
            activity,
            code=INCOMING_FUNDS,
            on=date(int(gift_year), int(gift_month), 1),
            amount=int(amount),
            currency=publisher.currency,
            description=f"Online gifts {int(gift_year)}-{int(gift_month):02d}",
            provider="Individual and private donors (online gifts)",
        )
    return activity


def _percentages(count: int) -> list[Decimal]:
    """Equal shares of 100 with two decimals that add up to exactly 100."""
    share = (Decimal(100) / count).quantize(Decimal("0.01"))
    return [share] * (count - 1) + [Decimal(100) - share * (count - 1)]


def grant_activity(grant: Grant, publisher: IatiPublisher) -> ET.Element:
    activity = _activity(publisher, grant.currency, "2")
    activity.set("last-updated-datetime", grant.updated_at.replace(microsecond=0).isoformat())
    _header(activity, publisher, activity_identifier(publisher, grant.reference))
    # The title and summary are in the language the applicant wrote them in.
    written_in = grant.application.language
    lang = written_in if written_in and written_in != publisher.language else None
    _sub(activity, "title", grant.title, lang=lang)
    _sub(activity, "description", grant.application.summary or grant.title, lang=lang)
    _sub(
        activity,
        "participating-org",
        publisher.organisation_name,
        ref=publisher.organisation_ref,
        role=ROLE_FUNDING,
        type=ORG_TYPE_MULTILATERAL,
    )
    _sub(
        activity,
        "participating-org",
        grant.organisation.name,
        role=ROLE_IMPLEMENTING,
        type=ORG_TYPE_NGO,
    )
    ET.SubElement(activity, "activity-status", {"code": STATUS_CODES[grant.status]})
    dates = [
        (DATE_PLANNED_START, grant.start_date),
        (DATE_ACTUAL_START, _day(grant.accepted_at)),
        (DATE_PLANNED_END, grant.end_date),
        (DATE_ACTUAL_END, _day(grant.closed_at)),
    ]
    for kind, day in dates:
        if day is not None:
            ET.SubElement(activity, "activity-date", {"type": kind, "iso-date": day.isoformat()})
    _where_and_what(
        activity,
        publisher,
        countries=[c for c in grant.application.countries or [] if c],
        theme_lists=[list(grant.application.target_groups or [])],
    )
    receiver = grant.organisation.name
    _transaction(
        activity,
        code=OUTGOING_COMMITMENT,
        on=grant.awarded_at.date(),
        amount=grant.amount,
        currency=grant.currency,
        description=f"Grant {grant.reference} awarded",
        provider=publisher.organisation_name,
        receiver=receiver,
    )
    for tranche in grant.tranches:
        if tranche.status != TrancheStatus.PAID or tranche.confirmed_at is None:
            continue
        paid_on = tranche.confirmed_at.date()
        _transaction(
            activity,
            code=DISBURSEMENT,
            on=paid_on,
            amount=tranche.amount,
            currency=grant.currency,
            description=f"Tranche {tranche.number} paid",
            provider=publisher.organisation_name,
            receiver=receiver,
        )
        if tranche.psc_amount:
            _transaction(
                activity,
                code=EXPENDITURE,
                on=paid_on,
                amount=tranche.psc_amount,
                currency=grant.currency,
                description=f"Programme support cost on tranche {tranche.number}",
            )
    for refund in grant.refunds:
        # The bank's reference stays out: the file is public.
        _transaction(
            activity,
            code=DISBURSEMENT,
            on=refund.received_on,
            amount=-refund.amount,
            currency=grant.currency,
            description="Unspent funds returned by the grantee",
            provider=publisher.organisation_name,
            receiver=receiver,
        )
        if refund.psc_reversed:
            _transaction(
                activity,
                code=EXPENDITURE,
                on=refund.received_on,
                amount=-refund.psc_reversed,
                currency=grant.currency,
                description="Programme support cost given back with the returned funds",
            )
    never_paid = grant.amount - grant.paid_amount
    if grant.closed_at is not None and never_paid > 0:
        _transaction(
            activity,
            code=OUTGOING_COMMITMENT,
            on=grant.closed_at.date(),
            amount=-never_paid,
            currency=grant.currency,
            description=f"Grant {grant.reference} closed: the part never paid released",
            provider=publisher.organisation_name,
            receiver=receiver,
        )
    return activity


def _grants() -> Iterator[Grant]:
    """Every grant with its tranches, a page at a time (keyset on the id)."""
    after = 0
    while True:
        page = list(
            db.session.execute(
                sa.select(Grant)
                .options(selectinload(Grant.tranches), selectinload(Grant.refunds))
                .where(Grant.id > after)
                .order_by(Grant.id)
                .limit(PAGE)
            ).scalars()
        )
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1].id
        db.session.expire_all()


def iati_activities(
    publisher: IatiPublisher, *, generated: datetime | None = None
) -> Iterator[str]:
    """The IATI activities file, as pieces of text to write or stream one after another."""
    moment = (generated or utcnow()).replace(microsecond=0)
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (f'<iati-activities version="{VERSION}" generated-datetime="{moment.isoformat()}">\n')
    yield ET.tostring(fund_activity(publisher), encoding="unicode") + "\n"
    for grant in _grants():
        yield ET.tostring(grant_activity(grant, publisher), encoding="unicode") + "\n"
    yield "</iati-activities>\n"
