"""Helpers for the bank-file tests: approved tranches ready for a payment file, and camt.053
statements written the way a bank writes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from app.bankfiles.models import PaymentBatch
from app.grants import services as grants
from app.grants.models import Tranche
from app.platform.money import to_major
from tests.grants_support import USD, active_grant, fund, officers

FUND_USD_ACCOUNT = "CH9300762011623852957"  # the testing FUND_BANK_ACCOUNTS for USD


def approved_tranches(count: int) -> list[Tranche]:
    """The first tranche of ``count`` funded, active USD grants, requested and approved."""
    fund(100_000 * USD * count)
    found = []
    for _ in range(count):
        grant = active_grant(amount=10_000 * USD)
        people = officers()
        tranche = grant.tranches[0]
        grants.request_disbursement(actor=people.maker, tranche=tranche)
        grants.approve_disbursement(actor=people.checker, tranche=tranche)
        found.append(tranche)
    return found


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


def camt053(
    lines: list[Line],
    *,
    statement_id: str = "STMT-2026-12-07",
    account: str = FUND_USD_ACCOUNT,
    booked: date | None = None,
    version: str = "08",
) -> bytes:
    booked = booked or date.today()
    entries = []
    for line in lines:
        amount = f"{to_major(line.amount, line.currency):f}"
        role = "Dbtr" if line.credit else "Cdtr"
        party = (
            f"<RltdPties><{role}><Pty><Nm>{escape(line.party)}</Nm></Pty></{role}></RltdPties>"
            if line.party
            else ""
        )
        refs = f"<AcctSvcrRef>{line.reference}</AcctSvcrRef>"
        if line.end_to_end_id:
            refs += f"<EndToEndId>{line.end_to_end_id}</EndToEndId>"
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
  <AcctSvcrRef>{line.reference}</AcctSvcrRef>
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
<GrpHdr><MsgId>MSG-{statement_id}</MsgId><CreDtTm>{booked.isoformat()}T18:00:00</CreDtTm></GrpHdr>
<Stmt>
  <Id>{statement_id}</Id>
  <ElctrncSeqNb>1</ElctrncSeqNb>
  <CreDtTm>{booked.isoformat()}T18:00:00</CreDtTm>
  <Acct><Id><IBAN>{account}</IBAN></Id><Ccy>USD</Ccy></Acct>
  {"".join(entries)}
</Stmt>
</BkToCstmrStmt>
</Document>""".encode()
