"""The two kinds of IATI activity the fund publishes, each built in named steps (what it is,
who takes part, its status and dates, where and what, its transactions): the fund itself with
the money coming in, and each grant with the money going out (app/reporting/iati.py says which
transaction types, and writes the file)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

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
from app.platform.errors import N_
from app.platform.extensions import db
from app.platform.sql import month_of, year_of
from app.reporting.iati_sectors import themes_of
from app.reporting.iati_xml import (
    DATE_ACTUAL_END,
    DATE_ACTUAL_START,
    DATE_PLANNED_END,
    DATE_PLANNED_START,
    DISBURSEMENT,
    EXPENDITURE,
    INCOMING_COMMITMENT,
    INCOMING_FUNDS,
    INCOMING_PLEDGE,
    OBJECTIVES,
    ORG_TYPE_MULTILATERAL,
    ORG_TYPE_NGO,
    OUTGOING_COMMITMENT,
    ROLE_ACCOUNTABLE,
    ROLE_FUNDING,
    ROLE_IMPLEMENTING,
    XML_LANG,
    IatiPublisher,
    activity_identifier,
    day,
    header,
    new_activity,
    sub,
    transaction,
    where_and_what,
)

# The fund activity's description, in the file's language; app/reporting/web/iati.py gives the
# publisher its translations.
FUND_DESCRIPTION = N_("Contributions to the fund from governments, organisations and individuals.")

STATUS_CODES = {
    GrantStatus.AWARDED: "1",  # pipeline: the agreement is not signed yet
    GrantStatus.AGREEMENT_SENT: "1",
    GrantStatus.ACTIVE: "2",  # implementation
    GrantStatus.SUSPENDED: "6",
    GrantStatus.CLOSING: "3",  # finalisation
    GrantStatus.CLOSED: "4",
}


# --- the fund ------------------------------------------------------------------------------


def fund_activity(publisher: IatiPublisher) -> ET.Element:
    """The fund itself, with every contribution it was promised and received."""
    activity = new_activity(publisher, publisher.currency, "1")
    _describe_fund(activity, publisher)
    _fund_participants(activity, publisher)
    _fund_status_and_dates(activity)
    where_and_what(activity, publisher, countries=[], theme_lists=_fund_themes())
    _pledge_transactions(activity, publisher)
    _receipt_transactions(activity, publisher)
    _online_gift_transactions(activity, publisher)
    return activity


def _describe_fund(activity: ET.Element, publisher: IatiPublisher) -> None:
    header(activity, publisher, f"{publisher.organisation_ref}-FUND")
    sub(activity, "title", publisher.fund_name)
    description = sub(activity, "description", FUND_DESCRIPTION)
    for code, text in publisher.fund_description_translations:
        if code != publisher.language and text:
            ET.SubElement(description, "narrative", {XML_LANG: code}).text = text


def _fund_participants(activity: ET.Element, publisher: IatiPublisher) -> None:
    sub(
        activity,
        "participating-org",
        publisher.organisation_name,
        ref=publisher.organisation_ref,
        role=ROLE_ACCOUNTABLE,
        type=ORG_TYPE_MULTILATERAL,
    )


def _fund_status_and_dates(activity: ET.Element) -> None:
    """Always in implementation, since its first pledge (or today, before any)."""
    ET.SubElement(activity, "activity-status", {"code": "2"})
    first = db.session.execute(
        sa.select(sa.func.min(Pledge.created_at)).select_from(Pledge)
    ).scalar()
    start = day(first) or utcnow().date()
    ET.SubElement(
        activity, "activity-date", {"type": DATE_ACTUAL_START, "iso-date": start.isoformat()}
    )


def _fund_themes() -> list[list[str]]:
    """The fund's sectors are its grants' together, each grant weighing the same; before its
    first grant, the fund's first priority (women and girls)."""
    theme_lists = [
        list(codes or [])
        for codes in db.session.execute(
            sa.select(Application.target_groups).join(Grant, Grant.application_id == Application.id)
        ).scalars()
    ]
    if not any(themes_of(codes) for codes in theme_lists):
        theme_lists = [[next(iter(Theme)).value]]
    return theme_lists


def _donor_name(donor: Donor | None, named: bool) -> str:
    if donor is not None and (donor.kind in GOVERNMENT_KINDS or named):
        return donor.name
    return "Anonymous donor"


def _pledge_transactions(activity: ET.Element, publisher: IatiPublisher) -> None:
    """Each pledge (incoming pledge) and, once confirmed, its incoming commitment."""
    pledges = db.session.execute(
        sa.select(Pledge)
        .options(joinedload(Pledge.donor))
        .where(Pledge.status != PledgeStatus.CANCELLED)
        .order_by(Pledge.id)
        .execution_options(yield_per=500)
    ).scalars()
    for pledge in pledges:
        name = _donor_name(pledge.donor, pledge.donor.public_recognition)
        transaction(
            activity,
            code=INCOMING_PLEDGE,
            on=pledge.created_at.date(),
            amount=pledge.amount,
            currency=pledge.currency,
            description=f"Pledge {pledge.year}",
            provider=name,
        )
        if pledge.confirmed_on is not None and pledge.functional_amount is not None:
            transaction(
                activity,
                code=INCOMING_COMMITMENT,
                on=pledge.confirmed_on,
                amount=pledge.functional_amount,
                currency=publisher.currency,
                description=f"Pledge {pledge.year} confirmed",
                provider=name,
            )


def _receipt_transactions(activity: ET.Element, publisher: IatiPublisher) -> None:
    """Each bank receipt, as incoming funds."""
    receipts = db.session.execute(
        sa.select(BankReceipt)
        .order_by(BankReceipt.value_date, BankReceipt.id)
        .execution_options(yield_per=500)
    ).scalars()
    for receipt in receipts:
        transaction(
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


def _online_gift_transactions(activity: ET.Element, publisher: IatiPublisher) -> None:
    """Card gifts added up per month, so that no individual donor appears."""
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
        transaction(
            activity,
            code=INCOMING_FUNDS,
            on=date(int(gift_year), int(gift_month), 1),
            amount=int(amount),
            currency=publisher.currency,
            description=f"Online gifts {int(gift_year)}-{int(gift_month):02d}",
            provider="Individual and private donors (online gifts)",
        )


# --- a grant -------------------------------------------------------------------------------


def grant_activity(grant: Grant, publisher: IatiPublisher) -> ET.Element:
    activity = new_activity(publisher, grant.currency, "2")
    # Changed when the grant or its application (its themes, countries, texts) last changed.
    updated = max(grant.updated_at, grant.application.updated_at)
    activity.set("last-updated-datetime", updated.replace(microsecond=0).isoformat())
    _describe_grant(activity, grant, publisher)
    _grant_participants(activity, grant, publisher)
    _grant_status_and_dates(activity, grant)
    where_and_what(
        activity,
        publisher,
        countries=[c for c in grant.application.countries or [] if c],
        theme_lists=[list(grant.application.target_groups or [])],
    )
    _award_transaction(activity, grant, publisher)
    _tranche_transactions(activity, grant, publisher)
    _refund_transactions(activity, grant, publisher)
    _release_transaction(activity, grant, publisher)
    return activity


def _describe_grant(activity: ET.Element, grant: Grant, publisher: IatiPublisher) -> None:
    header(activity, publisher, activity_identifier(publisher, grant.reference))
    # The title and summary are in the language the applicant wrote them in.
    written_in = grant.application.language
    lang = written_in if written_in and written_in != publisher.language else None
    sub(activity, "title", grant.title, lang=lang)
    sub(activity, "description", grant.application.summary or grant.title, lang=lang)
    _call_objectives(activity, grant, publisher)


def _call_objectives(activity: ET.Element, grant: Grant, publisher: IatiPublisher) -> None:
    """The call the grant answers, as its objectives (description type 2), in every language
    the fund wrote the call in: the file's language first, each other one named."""
    texts = {
        code: text.strip() for code, text in (grant.application.call.description or {}).items()
    }
    texts = {code: text for code, text in texts.items() if text}
    if not texts:
        return
    element = ET.SubElement(activity, "description", {"type": OBJECTIVES})
    first = publisher.language if publisher.language in texts else sorted(texts)[0]
    for code in [first, *sorted(set(texts) - {first})]:
        narrative = ET.SubElement(
            element, "narrative", {} if code == publisher.language else {XML_LANG: code}
        )
        narrative.text = texts[code]


def _grant_participants(activity: ET.Element, grant: Grant, publisher: IatiPublisher) -> None:
    """The fund funds; the grantee implements."""
    sub(
        activity,
        "participating-org",
        publisher.organisation_name,
        ref=publisher.organisation_ref,
        role=ROLE_FUNDING,
        type=ORG_TYPE_MULTILATERAL,
    )
    sub(
        activity,
        "participating-org",
        grant.organisation.name,
        role=ROLE_IMPLEMENTING,
        type=ORG_TYPE_NGO,
    )


def _grant_status_and_dates(activity: ET.Element, grant: Grant) -> None:
    ET.SubElement(activity, "activity-status", {"code": STATUS_CODES[grant.status]})
    dates = [
        (DATE_PLANNED_START, grant.start_date),
        (DATE_ACTUAL_START, day(grant.accepted_at)),
        (DATE_PLANNED_END, grant.end_date),
        (DATE_ACTUAL_END, day(grant.closed_at)),
    ]
    for kind, on in dates:
        if on is not None:
            ET.SubElement(activity, "activity-date", {"type": kind, "iso-date": on.isoformat()})


def _award_transaction(activity: ET.Element, grant: Grant, publisher: IatiPublisher) -> None:
    transaction(
        activity,
        code=OUTGOING_COMMITMENT,
        on=grant.awarded_at.date(),
        amount=grant.amount,
        currency=grant.currency,
        description=f"Grant {grant.reference} awarded",
        provider=publisher.organisation_name,
        receiver=grant.organisation.name,
    )


def _tranche_transactions(activity: ET.Element, grant: Grant, publisher: IatiPublisher) -> None:
    """Each tranche paid (a disbursement) and the support cost charged on it (an expenditure)."""
    for tranche in grant.tranches:
        if tranche.status != TrancheStatus.PAID or tranche.confirmed_at is None:
            continue
        paid_on = tranche.confirmed_at.date()
        transaction(
            activity,
            code=DISBURSEMENT,
            on=paid_on,
            amount=tranche.amount,
            currency=grant.currency,
            description=f"Tranche {tranche.number} paid",
            provider=publisher.organisation_name,
            receiver=grant.organisation.name,
        )
        if tranche.psc_amount:
            transaction(
                activity,
                code=EXPENDITURE,
                on=paid_on,
                amount=tranche.psc_amount,
                currency=grant.currency,
                description=f"Programme support cost on tranche {tranche.number}",
            )


def _refund_transactions(activity: ET.Element, grant: Grant, publisher: IatiPublisher) -> None:
    """Unspent funds returned: a negative disbursement, and the support cost given back with
    them a negative expenditure."""
    for refund in grant.refunds:
        # The bank's reference stays out: the file is public.
        transaction(
            activity,
            code=DISBURSEMENT,
            on=refund.received_on,
            amount=-refund.amount,
            currency=grant.currency,
            description="Unspent funds returned by the grantee",
            provider=publisher.organisation_name,
            receiver=grant.organisation.name,
        )
        if refund.psc_reversed:
            transaction(
                activity,
                code=EXPENDITURE,
                on=refund.received_on,
                amount=-refund.psc_reversed,
                currency=grant.currency,
                description="Programme support cost given back with the returned funds",
            )


def _release_transaction(activity: ET.Element, grant: Grant, publisher: IatiPublisher) -> None:
    """What was committed but never paid, released at closure (a negative commitment)."""
    never_paid = grant.amount - grant.paid_amount
    if grant.closed_at is not None and never_paid > 0:
        transaction(
            activity,
            code=OUTGOING_COMMITMENT,
            on=grant.closed_at.date(),
            amount=-never_paid,
            currency=grant.currency,
            description=f"Grant {grant.reference} closed: the part never paid released",
            provider=publisher.organisation_name,
            receiver=grant.organisation.name,
        )
