"""The ISO 20022 customer credit transfer initiation (pain.001.001.09, the generic message: any
currency, IBAN or other account numbers), written with lxml and checked against the message's
official schema before anyone can download it.

The schema is the one the ``sepaxml`` package ships (ISO's own XSD, unchanged); nothing is
fetched at run time. ``sepaxml`` itself writes only SEPA-shaped files (IBANs, two decimals),
which a fund paying in any currency and to non-IBAN countries cannot use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources

from lxml import etree

from app.platform.money import to_major

MESSAGE = "pain.001.001.09"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{MESSAGE}"


@dataclass(frozen=True)
class Party:
    name: str
    account: str  # IBAN or another account number
    bic: str
    country: str | None = None

    @property
    def is_iban(self) -> bool:
        return self.account[:2].isalpha() and self.account[2:4].isdigit()


@dataclass(frozen=True)
class Payment:
    end_to_end_id: str
    amount: int  # minor units
    creditor: Party
    remittance: str


class SchemaError(Exception):
    """The file does not validate against the message's schema (a bug, never the user's)."""


@cache
def schema() -> etree.XMLSchema:
    source = resources.files("sepaxml").joinpath("schemas", f"{MESSAGE}.xsd")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    with resources.as_file(source) as path:
        return etree.XMLSchema(etree.parse(str(path), parser))


def _amount(minor: int, currency: str) -> str:
    value: Decimal = to_major(minor, currency)
    return f"{value:f}"


def _text(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    node = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}")
    if text is not None:
        node.text = text
    return node


def _plain(text: str, limit: int) -> str:
    """Text as banks accept it: one line, no control characters, within the field's length."""
    cleaned = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return cleaned[:limit] or "-"


def _account(parent: etree._Element, tag: str, party: Party, currency: str | None) -> None:
    account = _text(parent, tag)
    ident = _text(account, "Id")
    if party.is_iban:
        _text(ident, "IBAN", party.account)
    else:
        _text(_text(ident, "Othr"), "Id", party.account)
    if currency:
        _text(account, "Ccy", currency)


def _agent(parent: etree._Element, tag: str, bic: str) -> None:
    _text(_text(_text(parent, tag), "FinInstnId"), "BICFI", bic)


def build(
    *,
    message_id: str,
    created_at: datetime,
    execution_date: date,
    currency: str,
    debtor: Party,
    payments: list[Payment],
) -> bytes:
    """One payment information block: every payment from ``debtor`` in ``currency``; the file's
    bytes, refused (``SchemaError``) unless they validate against the schema."""
    total = sum(p.amount for p in payments)
    root = etree.Element(f"{{{NAMESPACE}}}Document", nsmap={None: NAMESPACE})
    initiation = _text(root, "CstmrCdtTrfInitn")
    header = _text(initiation, "GrpHdr")
    _text(header, "MsgId", message_id)
    _text(header, "CreDtTm", created_at.replace(microsecond=0, tzinfo=None).isoformat())
    _text(header, "NbOfTxs", str(len(payments)))
    _text(header, "CtrlSum", _amount(total, currency))
    _text(_text(header, "InitgPty"), "Nm", _plain(debtor.name, 140))

    info = _text(initiation, "PmtInf")
    _text(info, "PmtInfId", message_id)
    _text(info, "PmtMtd", "TRF")
    _text(info, "BtchBookg", "false")  # one statement line per tranche, each with its EndToEndId
    _text(info, "NbOfTxs", str(len(payments)))
    _text(info, "CtrlSum", _amount(total, currency))
    _text(_text(info, "ReqdExctnDt"), "Dt", execution_date.isoformat())
    _text(_text(info, "Dbtr"), "Nm", _plain(debtor.name, 140))
    _account(info, "DbtrAcct", debtor, currency)
    _agent(info, "DbtrAgt", debtor.bic)
    _text(info, "ChrgBr", "SHAR")
    for payment in payments:
        tx = _text(info, "CdtTrfTxInf")
        ids = _text(tx, "PmtId")
        _text(ids, "InstrId", payment.end_to_end_id)
        _text(ids, "EndToEndId", payment.end_to_end_id)
        instructed = _text(_text(tx, "Amt"), "InstdAmt", _amount(payment.amount, currency))
        instructed.set("Ccy", currency)
        _agent(tx, "CdtrAgt", payment.creditor.bic)
        creditor = _text(tx, "Cdtr")
        _text(creditor, "Nm", _plain(payment.creditor.name, 140))
        if payment.creditor.country:
            _text(_text(creditor, "PstlAdr"), "Ctry", payment.creditor.country)
        _account(tx, "CdtrAcct", payment.creditor, None)
        _text(_text(tx, "RmtInf"), "Ustrd", _plain(payment.remittance, 140))
    content: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    check(content)
    return content


def check(content: bytes) -> None:
    """Refuse bytes that are not a pain.001.001.09 message valid against its schema."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    document = etree.fromstring(content, parser)
    validator = schema()
    if not validator.validate(document):
        raise SchemaError(str(validator.error_log.last_error))
