"""The two ISO 20022 messages on their own: pain.001 for any currency and account kind, valid
against ISO's schema; camt.053 as banks write it (older versions, batch bookings)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from lxml import etree

from app.bankfiles import camt053, pain001
from app.platform.errors import ValidationFailed

NS = {"p": pain001.NAMESPACE}


def _file(currency: str, creditor: pain001.Party, amount: int) -> bytes:
    return pain001.build(
        message_id="TFG20261207-0000ABCD",
        created_at=datetime(2026, 12, 7, 9, 30, tzinfo=UTC),
        execution_date=date(2026, 12, 8),
        currency=currency,
        debtor=pain001.Party(
            name="UN Voluntary Trust Fund for Victims of Trafficking in Persons",
            account="1234567",
            bic="BOTKJPJT",
        ),
        payments=[
            pain001.Payment(
                end_to_end_id="TFG-T9-A1",
                amount=amount,
                creditor=creditor,
                remittance="VTF/2026/009/T1 Shelter\nand legal aid",
            )
        ],
    )


def test_a_yen_payment_to_an_account_number_validates():
    content = _file(
        "JPY",
        pain001.Party(name="Tokyo Shelter", account="0012345678", bic="MHCBJPJT", country="JP"),
        1_500_000,
    )
    document = etree.fromstring(content)
    assert pain001.schema().validate(document)
    assert document.xpath("//p:InstdAmt/text()", namespaces=NS) == ["1500000"]
    assert document.xpath("//p:CdtrAcct/p:Id/p:Othr/p:Id/text()", namespaces=NS) == ["0012345678"]
    # One line of remittance text, whatever was typed.
    assert document.xpath("//p:Ustrd/text()", namespaces=NS) == [
        "VTF/2026/009/T1 Shelter and legal aid"
    ]


def test_a_dinar_payment_has_three_decimals():
    content = _file(
        "KWD",
        pain001.Party(name="Gulf NGO", account="KW81CBKU0000000000001234560101", bic="CBKUKWKW"),
        1_234_567,
    )
    assert etree.fromstring(content).xpath("//p:InstdAmt/text()", namespaces=NS) == ["1234.567"]


BATCH_BOOKED = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-12-07T18:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><Acct><Id><Othr><Id>1234567</Id></Othr></Id></Acct>
<Ntry><Amt Ccy="USD">300.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><DtTm>2026-12-07T10:00:00</DtTm></BookgDt><AcctSvcrRef>B-1</AcctSvcrRef>
<NtryDtls><TxDtls><Refs><EndToEndId>E1</EndToEndId></Refs>
<AmtDtls><TxAmt><Amt Ccy="USD">100.00</Amt></TxAmt></AmtDtls></TxDtls>
<TxDtls><Refs><EndToEndId>E2</EndToEndId></Refs>
<AmtDtls><TxAmt><Amt Ccy="USD">200</Amt></TxAmt></AmtDtls></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="USD">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>PDNG</Sts>
<BookgDt><Dt>2026-12-07</Dt></BookgDt></Ntry>
</Stmt></BkToCstmrStmt></Document>"""


def test_a_batch_booking_of_an_older_version_is_read_transaction_by_transaction():
    [statement] = camt053.parse(BATCH_BOOKED)
    assert statement.account == "1234567"
    assert [(t.key, t.end_to_end_id, t.amount) for t in statement.transactions] == [
        ("B-1/1", "E1", 10_000),
        ("B-1/2", "E2", 20_000),
    ]  # the pending entry is not booked: left out


@pytest.mark.parametrize(
    "change",
    [
        (b'<Amt Ccy="USD">100.00</Amt>', b'<Amt Ccy="USD">100.001</Amt>'),
        (b'<Amt Ccy="USD">100.00</Amt>', b'<Amt Ccy="XXQ">100.00</Amt>'),
        (b"<CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK", b"<CdtDbtInd>BOTH</CdtDbtInd><Sts>BOOK"),
        (b"<Id>S1</Id>", b""),
        (b"<Othr><Id>1234567</Id></Othr>", b""),
    ],
    ids=["decimals", "currency", "direction", "statement-id", "account"],
)
def test_one_bad_field_refuses_the_whole_statement(change):
    old, new = change
    with pytest.raises(ValidationFailed):
        camt053.parse(BATCH_BOOKED.replace(old, new, 1))


def test_an_external_entity_is_never_fetched():
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">&x;</Document>'
    )
    with pytest.raises(ValidationFailed):
        camt053.parse(hostile)
