"""Finance's contributions (/donations/contributions) as testers found them: the Amount column
sorts by what each contribution is worth (its value in the functional currency), not by the raw
number of minor units of its own currency; the money received but not yet applied follows the
list's search words."""

from __future__ import annotations

import re

from app.donations import services
from app.platform.db import utcnow
from tests.donations_support import add_rate, finance_user, institutional_donor

TODAY = utcnow().date()
MONTH = TODAY.replace(day=1)


def _confirmed_pledge(donor_name: str, amount: int, currency: str):
    finance = finance_user()
    pledge = services.make_pledge(
        actor=finance,
        donor=institutional_donor(donor_name),
        amount=amount,
        currency=currency,
        year=TODAY.year,
    )
    return services.confirm_pledge(actor=finance, pledge=pledge, on=TODAY)


def _listed(html: str) -> list[int]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [int(n) for n in re.findall(r'<a href="/pledges/(\d+)">', body)]


def test_amount_sorts_by_value_in_the_functional_currency_not_by_minor_units(client, sign_in):
    add_rate("JPY", MONTH, "150")
    add_rate("EUR", MONTH, "0.8")
    yen = _confirmed_pledge("Japan", 50_000, "JPY")  # 50,000 JPY: 333.33 USD, 50,000 units
    dollars = _confirmed_pledge("Canada", 400_00, "USD")  # 400 USD, 40,000 units
    euros = _confirmed_pledge("Ireland", 320_00, "EUR")  # 320 EUR: 400 USD, as much as Canada's
    small = _confirmed_pledge("Malta", 100_00, "EUR")  # 100 EUR: 125 USD, 10,000 units
    assert (yen.functional_amount, dollars.functional_amount) == (333_33, 400_00)
    assert euros.functional_amount == dollars.functional_amount
    sign_in(finance_user())

    def order(direction: str) -> list[int]:
        url = f"/donations/contributions?kind=pledge&sort=amount&dir={direction}"
        response = client.get(url)
        assert response.status_code == 200
        return _listed(response.get_data(as_text=True))

    # Equal values keep one order, the later record first going down, last going up.
    assert order("desc") == [euros.id, dollars.id, yen.id, small.id]
    assert order("asc") == [small.id, yen.id, dollars.id, euros.id]
    # Each row still shows its amount in its own currency.
    html = client.get("/donations/contributions?kind=pledge&sort=amount").get_data(as_text=True)
    assert "JPY\xa050,000" in html and "EUR\xa0320.00" in html


def test_unapplied_money_follows_the_search_words(client, sign_in):
    finance = finance_user()
    norway, chile = institutional_donor("Norway"), institutional_donor("Chile")
    for donor, reference in ((norway, "NO-REF-1"), (chile, "CL-REF-2")):
        services.record_bank_receipt(
            actor=finance,
            value_date=TODAY,
            amount=1_000_00,
            currency="USD",
            bank_reference=reference,
            donor=donor,
        )
    services.record_bank_receipt(
        actor=finance,
        value_date=TODAY,
        amount=2_000_00,
        currency="USD",
        bank_reference="UNKNOWN-3",
        payer_name="Fondation Norvège-Chili",
    )
    sign_in(finance)

    def unapplied(query: str) -> str:
        html = client.get(f"/donations/contributions{query}").get_data(as_text=True)
        return html.split("not yet applied to a pledge", 1)[1] if "not yet applied" in html else ""

    everything = unapplied("")
    assert all(ref in everything for ref in ("NO-REF-1", "CL-REF-2", "UNKNOWN-3"))
    # The donor's name, whatever its case.
    norway_only = unapplied("?q=norway")
    assert "NO-REF-1" in norway_only and "CL-REF-2" not in norway_only
    assert "UNKNOWN-3" not in norway_only
    # An unknown payer's name as the bank wrote it, and the bank reference.
    assert "UNKNOWN-3" in unapplied("?q=Fondation") and "NO-REF-1" not in unapplied("?q=Fondation")
    assert "CL-REF-2" in unapplied("?q=cl-ref") and "NO-REF-1" not in unapplied("?q=cl-ref")
    # Nothing matches: no box of unapplied money at all.
    assert unapplied("?q=Atlantis") == ""
