"""Reading a bank-to-customer statement (camt.053, versions .02 to .13) safely.

The parser resolves no entity, reads no DTD, opens no network connection and refuses huge
trees; anything missing or unreadable refuses the whole file (``ValidationFailed``), so an
import never half happens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from lxml import etree

from app.platform.errors import N_, ValidationFailed
from app.platform.money import currency_exponent, is_currency, to_minor

NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.[0-9]{2}$")
MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Transaction:
    key: str  # the bank's reference of the transaction, unique on the account
    credit: bool
    amount: int  # minor units
    currency: str
    booking_date: date
    bank_reference: str
    end_to_end_id: str | None
    counterparty: str | None
    remittance: str | None


@dataclass(frozen=True)
class Statement:
    message_id: str
    statement_id: str
    account: str
    currency: str | None
    transactions: list[Transaction]


def _malformed(why: str, **params: object) -> ValidationFailed:
    return ValidationFailed(why, **params)


def _children(node: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in node if isinstance(c.tag, str) and etree.QName(c).localname == name]


def _child(node: etree._Element | None, *path: str) -> etree._Element | None:
    for name in path:
        if node is None:
            return None
        found = _children(node, name)
        node = found[0] if found else None
    return node


def _text(node: etree._Element | None, *path: str) -> str | None:
    found = _child(node, *path)
    if found is None or found.text is None:
        return None
    return " ".join(found.text.split()) or None


def _required(node: etree._Element, *path: str) -> str:
    value = _text(node, *path)
    if value is None:
        raise _malformed(
            N_("The statement is incomplete: %(field)s is missing. Nothing was imported."),
            field="/".join(path),
        )
    return value


def _date(node: etree._Element, what: str) -> date:
    text = _text(node, what, "Dt") or (_text(node, what, "DtTm") or "")[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _malformed(
            N_("The statement has an entry without a readable %(field)s. Nothing was imported."),
            field=what,
        )


def _money(node: etree._Element | None) -> tuple[int, str]:
    if node is None or node.text is None:
        raise _malformed(N_("The statement has an entry without an amount. Nothing was imported."))
    currency = (node.get("Ccy") or "").strip().upper()
    if not is_currency(currency):
        raise _malformed(
            N_("The statement has an amount in an unknown currency. Nothing was imported.")
        )
    text = node.text.strip()
    if "." in text and len(text.split(".")[1].rstrip("0")) > currency_exponent(currency):
        raise _malformed(
            N_("The statement has an amount with too many decimals. Nothing was imported.")
        )
    minor = to_minor(text.rstrip("0").rstrip(".") if "." in text else text, currency)
    if minor <= 0:
        raise _malformed(
            N_("The statement has an amount that is not positive. Nothing was imported.")
        )
    return minor, currency


def _party_name(details: etree._Element | None, credit: bool) -> str | None:
    # For money coming in the other party is the debtor; going out, the creditor.
    role = "Dbtr" if credit else "Cdtr"
    parties = _child(details, "RltdPties")
    return _text(parties, role, "Nm") or _text(parties, role, "Pty", "Nm")


def _remittance(details: etree._Element | None) -> str | None:
    info = _child(details, "RmtInf")
    if info is None:
        return None
    lines = [(" ".join((n.text or "").split())) for n in _children(info, "Ustrd")]
    structured = _text(info, "Strd", "CdtrRefInf", "Ref")
    text = " ".join(part for part in [*lines, structured or ""] if part)
    return text[:500] or None


def _entry(entry: etree._Element, index: int, statement_id: str) -> list[Transaction]:
    status = _text(entry, "Sts", "Cd") or _text(entry, "Sts")
    if status is not None and status.upper() != "BOOK":
        return []  # pending or information only: the bank has not booked it
    indicator = _required(entry, "CdtDbtInd").upper()
    if indicator not in ("CRDT", "DBIT"):
        raise _malformed(
            N_("The statement has an entry neither credit nor debit. Nothing was imported.")
        )
    credit = indicator == "CRDT"
    if (_text(entry, "RvslInd") or "").lower() == "true":
        credit = not credit  # a reversal: money back the other way
    amount, currency = _money(_child(entry, "Amt"))
    booked = _date(entry, "BookgDt")
    entry_ref = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
    details = [tx for block in _children(entry, "NtryDtls") for tx in _children(block, "TxDtls")]
    if not details:
        key = entry_ref or f"{statement_id}#{index}"
        return [
            Transaction(
                key=key[:120],
                credit=credit,
                amount=amount,
                currency=currency,
                booking_date=booked,
                bank_reference=(entry_ref or key)[:100],
                end_to_end_id=None,
                counterparty=None,
                remittance=_text(entry, "AddtlNtryInf"),
            )
        ]
    found = []
    for number, tx in enumerate(details, start=1):
        own = _child(tx, "Amt")
        if own is None:
            own = _child(tx, "AmtDtls", "TxAmt", "Amt")
        if own is None and len(details) > 1:
            raise _malformed(
                N_(
                    "The statement has a batch entry without each transaction's amount. "
                    "Nothing was imported."
                )
            )
        tx_amount, tx_currency = _money(own) if own is not None else (amount, currency)
        tx_ref = _text(tx, "Refs", "AcctSvcrRef")
        reference = tx_ref or entry_ref
        if reference is None:
            raise _malformed(
                N_("The statement has an entry without the bank's reference. Nothing was imported.")
            )
        tx_key = tx_ref or (reference if len(details) == 1 else f"{reference}/{number}")
        end_to_end = _text(tx, "Refs", "EndToEndId")
        found.append(
            Transaction(
                key=tx_key[:120],
                credit=credit,
                amount=tx_amount,
                currency=tx_currency,
                booking_date=booked,
                bank_reference=reference[:100],
                end_to_end_id=None if end_to_end in (None, "NOTPROVIDED") else end_to_end[:35],
                counterparty=(_party_name(tx, credit) or "")[:140] or None,
                remittance=_remittance(tx),
            )
        )
    return found


def parse(content: bytes) -> list[Statement]:
    """Every statement in the file, or ``ValidationFailed`` saying why none is imported."""
    if not content or not content.strip():
        raise _malformed(N_("The file is empty. Nothing was imported."))
    if len(content) > MAX_BYTES:
        raise _malformed(N_("The file is too large for a bank statement. Nothing was imported."))
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError:
        raise _malformed(
            N_(
                "The file is not a readable XML document (damaged or cut short). "
                "Nothing was imported."
            )
        )
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise _malformed(
            N_("The file declares a DTD, which a bank statement never does. Nothing was imported.")
        )
    namespace = etree.QName(root).namespace or ""
    body = _child(root, "BkToCstmrStmt")
    if etree.QName(root).localname != "Document" or not NAMESPACE.match(namespace) or body is None:
        raise _malformed(
            N_("The file is not an ISO 20022 bank statement (camt.053). Nothing was imported.")
        )
    message_id = _required(body, "GrpHdr", "MsgId")
    statements = []
    for stmt in _children(body, "Stmt"):
        statement_id = _required(stmt, "Id")
        account = _text(stmt, "Acct", "Id", "IBAN") or _text(stmt, "Acct", "Id", "Othr", "Id")
        if account is None:
            raise _malformed(
                N_("The statement does not say which account it is for. Nothing was imported.")
            )
        transactions = [
            tx
            for index, entry in enumerate(_children(stmt, "Ntry"), start=1)
            for tx in _entry(entry, index, statement_id)
        ]
        statements.append(
            Statement(
                message_id=message_id[:35],
                statement_id=statement_id[:35],
                account=account.replace(" ", "").upper()[:40],
                currency=_text(stmt, "Acct", "Ccy"),
                transactions=transactions,
            )
        )
    if not statements:
        raise _malformed(N_("The file holds no statement. Nothing was imported."))
    return statements
