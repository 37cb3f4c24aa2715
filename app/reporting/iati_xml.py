"""What the IATI files share (activities, app/reporting/iati_activities.py, and organisations,
app/reporting/iati_organisation.py): the standard's version and code lists, who publishes, and
the XML pieces both are written with (narratives, transactions, where and what an activity is
about)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from app.platform.money import to_major
from app.reporting.iati_sectors import (
    CRS_NAMES,
    CRS_VOCABULARY,
    FUND_VOCABULARY,
    GENDER_EQUALITY,
    POLICY_MARKER_VOCABULARY,
    SDG_TARGET_VOCABULARY,
    SDG_TARGETS,
    THEME_NAMES,
    gender_significance,
    sector_shares,
    themes_of,
)

VERSION = "2.03"

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
OBJECTIVES = "2"  # DescriptionType: the objectives of the activity


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
    # The fund activity's description in each other language the app speaks: (code, text).
    fund_description_translations: tuple[tuple[str, str], ...] = ()


def sub(
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


def new_activity(publisher: IatiPublisher, currency: str, hierarchy: str) -> ET.Element:
    return ET.Element(
        "iati-activity",
        {XML_LANG: publisher.language, "default-currency": currency, "hierarchy": hierarchy},
    )


def where_and_what(
    activity: ET.Element,
    publisher: IatiPublisher,
    *,
    countries: list[str],
    theme_lists: list[list[str]],
) -> None:
    """Recipient countries (or the unspecified region), sectors and SDG targets, in the
    schema's order."""
    if countries:
        for country, percentage in zip(countries, percentages(len(countries)), strict=True):
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
        sub(
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
        sub(activity, "sector", THEME_NAMES[code], **attributes)
    for target, name in SDG_TARGETS:
        sub(activity, "tag", name, vocabulary=SDG_TARGET_VOCABULARY, code=target)
    significance = gender_significance([themes_of(codes) for codes in theme_lists])
    if significance is not None:
        ET.SubElement(
            activity,
            "policy-marker",
            {
                "vocabulary": POLICY_MARKER_VOCABULARY,
                "code": GENDER_EQUALITY,
                "significance": significance,
            },
        )


def transaction(
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
    element = ET.SubElement(activity, "transaction")
    ET.SubElement(element, "transaction-type", {"code": code})
    ET.SubElement(element, "transaction-date", {"iso-date": on.isoformat()})
    value = ET.SubElement(element, "value", {"currency": currency, "value-date": on.isoformat()})
    value.text = f"{to_major(amount, currency):f}"
    sub(element, "description", description)
    if provider is not None:
        sub(element, "provider-org", provider)
    if receiver is not None:
        sub(element, "receiver-org", receiver)


def day(moment: datetime | date | None) -> date | None:
    if moment is None:
        return None
    return moment.date() if isinstance(moment, datetime) else moment


def header(activity: ET.Element, publisher: IatiPublisher, identifier: str) -> None:
    ET.SubElement(activity, "iati-identifier").text = identifier
    sub(
        activity,
        "reporting-org",
        publisher.organisation_name,
        ref=publisher.organisation_ref,
        type=ORG_TYPE_MULTILATERAL,
    )


def percentages(count: int) -> list[Decimal]:
    """Equal shares of 100 with two decimals that add up to exactly 100."""
    share = (Decimal(100) / count).quantize(Decimal("0.01"))
    return [share] * (count - 1) + [Decimal(100) - share * (count - 1)]
