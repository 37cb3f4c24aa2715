"""A sample bank statement (camt.053) for a payment file: what the bank sends back once it has
paid the file, written the way a bank writes it. A development and training aid (the bank-file
page's link in development and testing, ``flask bankfiles sample-statement``), and the writer
the tests use for the statements they import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from app.bankfiles.models import PaymentBatch
from app.platform.db import utcnow
from app.platform.money import to_major


@dataclass
class Line:
    """One booked transaction of a statement."""

    amount: int
    currency: str = "USD"
    credit: bool = False
    reference: str = "BANKREF"
    end_to_end_id: str | None = None
    party: str | None = None
    remittance: str | None = None


def lines_for(batch: PaymentBatch) -> list[Line]:
    """The bank's debit line for every payment of the file, as executed."""
    return [
        Line(
            amount=item.amount,
            currency=batch.currency,
            reference=f"BK{item.id:06d}",
            end_to_end_id=item.end_to_end_id,
            party=item.tranche.grant.organisation.name,
        )
        for item in batch.items
    ]


def statement_xml(
    lines: list[Line],
    *,
    statement_id: str,
    account: str,
    booked: date,
    version: str = "08",
    currency: str = "USD",
) -> bytes:
    """A camt.053 statement of the account with these booked lines."""
    entries = []
    for line in lines:
        amount = f"{to_major(line.amount, line.currency):f}"
        role = "Dbtr" if line.credit else "Cdtr"
        party = (
            f"<RltdPties><{role}><Pty><Nm>{escape(line.party)}</Nm></Pty></{role}></RltdPties>"
            if line.party
            else ""
        )
        refs = f"<AcctSvcrRef>{escape(line.reference)}</AcctSvcrRef>"
        if line.end_to_end_id:
            refs += f"<EndToEndId>{escape(line.end_to_end_id)}</EndToEndId>"
        remittance = (
            f"<RmtInf><Ustrd>{escape(line.remittance)}</Ustrd></RmtInf>" if line.remittance else ""
        )
        entries.append(
            f"""<Ntry>
  <Amt Ccy="{line.currency}">{amount}</Amt>
  <CdtDbtInd>{"CRDT" if line.credit else "DBIT"}</CdtDbtInd>
  <Sts><Cd>BOOK</Cd></Sts>
  <BookgDt><Dt>{booked.isoformat()}</Dt></BookgDt>
  <ValDt><Dt>{booked.isoformat()}</Dt></ValDt>
  <AcctSvcrRef>{escape(line.reference)}</AcctSvcrRef>
  <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
  <NtryDtls><TxDtls>
    <Refs>{refs}</Refs>
    <Amt Ccy="{line.currency}">{amount}</Amt>
    <CdtDbtInd>{"CRDT" if line.credit else "DBIT"}</CdtDbtInd>
    {party}{remittance}
  </TxDtls></NtryDtls>
</Ntry>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}">
<BkToCstmrStmt>
<GrpHdr><MsgId>MSG-{escape(statement_id)}</MsgId><CreDtTm>{booked.isoformat()}T18:00:00</CreDtTm></GrpHdr>
<Stmt>
  <Id>{escape(statement_id)}</Id>
  <ElctrncSeqNb>1</ElctrncSeqNb>
  <CreDtTm>{booked.isoformat()}T18:00:00</CreDtTm>
  <Acct><Id><IBAN>{escape(account)}</IBAN></Id><Ccy>{currency}</Ccy></Acct>
  {"".join(entries)}
</Stmt>
</BkToCstmrStmt>
</Document>""".encode()


def sample_statement(batch: PaymentBatch, *, booked: date | None = None) -> bytes:
    """The statement the bank would send for this payment file: every payment booked as paid
    from the fund's account on the execution day (or ``booked``)."""
    day = booked or max(batch.execution_date, utcnow().date())
    return statement_xml(
        lines_for(batch),
        statement_id=f"SAMPLE-{batch.message_id}",
        account=batch.debtor_account,
        booked=day,
        currency=batch.currency,
    )


def sample_filename(batch: PaymentBatch) -> str:
    return f"sample-statement-{batch.message_id}.xml"
