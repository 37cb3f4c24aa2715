"""Restricting a pledge from its page, the restricted balances page, and "where your money
went" for the donor (portal and letter) and, in public, for a government."""

from __future__ import annotations

from datetime import timedelta

from app.accounts.models import Role
from app.donations import services as donations
from app.donations.models import DonorKind
from app.funding.models import Restriction
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.factories import user_with
from tests.funding_support import donor, paid_pledge
from tests.grants_support import USD, activate, approved_application, award, manager, officers, pay


def test_finance_restricts_a_pledge_from_its_page(client, sign_in):
    officer = user_with(Role.FINANCE)
    giver = donor("Norway")
    pledge = donations.make_pledge(
        actor=officer, donor=giver, amount=1_000 * USD, currency="USD", year=utcnow().year
    )
    sign_in(officer)
    page = client.get(f"/pledges/{pledge.id}").get_data(as_text=True)
    assert "Restrict this pledge" in page
    form = client.get(f"/donations/pledges/{pledge.id}/restriction")
    assert form.status_code == 200
    empty = client.post(f"/donations/pledges/{pledge.id}/restriction", data={})
    assert empty.status_code == 422
    assert "Say what the money is restricted to" in empty.get_data(as_text=True)
    ends = utcnow().date() + timedelta(days=60)
    done = client.post(
        f"/donations/pledges/{pledge.id}/restriction",
        data={"theme": "children", "country": "KE", "ends_on": ends.isoformat()},
    )
    assert done.status_code == 302
    restriction = db.session.query(Restriction).filter_by(pledge_id=pledge.id).one()
    assert (restriction.theme, restriction.country, restriction.ends_on) == ("children", "KE", ends)
    page = client.get(f"/pledges/{pledge.id}").get_data(as_text=True)
    assert "Country: Kenya" in page and "Restrict this pledge" not in page

    listing = client.get("/donations/restricted").get_data(as_text=True)
    assert "Norway" in listing
    # Nothing received yet, so nothing unspent to flag.
    assert "restricted balance ends within" not in listing


def test_unspent_money_ending_soon_is_flagged(client, sign_in):
    soon = utcnow().date() + timedelta(days=30)
    from app.donations.services.restrictions import RestrictionTerms

    paid_pledge(donor("Japan"), 500 * USD, terms=RestrictionTerms(ends_on=soon))
    sign_in(user_with(Role.FINANCE))
    listing = client.get("/donations/restricted").get_data(as_text=True)
    assert "1 restricted balance ends within 6 months with money unspent." in listing


def test_the_chart_of_accounts_names_the_restricted_contributions(client, sign_in):
    from app.donations.services.restrictions import RestrictionTerms

    paid_pledge(
        donor("Japan"),
        500 * USD,
        terms=RestrictionTerms(ends_on=utcnow().date() + timedelta(days=400)),
    )
    sign_in(user_with(Role.FINANCE))
    chart = client.get("/ledger/").get_data(as_text=True)
    assert "Restricted contributions, one account per restriction" in chart
    assert ">restriction<" not in chart  # the owner type's code is no label


def test_the_donor_and_the_public_see_where_the_money_went(client, sign_in):
    person = user_with(Role.DONOR)
    giver = donor("Norway", DonorKind.MEMBER_STATE)
    giver.user_id = person.id
    paid_pledge(giver, 20_000 * USD)
    grant = activate(award(approved_application(amount=10_000 * USD)), manager())
    pay(grant.tranches[0], officers())
    db.session.flush()
    public = client.get(f"/transparency/donors/{giver.id}")
    assert public.status_code == 200
    public_html = public.get_data(as_text=True)
    assert grant.reference in public_html
    # A public page about a donor, read by anyone: it speaks of the donor, not to the reader.
    assert "This donor's share of what the pooled fund paid" in public_html
    assert "Your share" not in public_html and "your money paid" not in public_html
    # Its grants, wider than a phone, scroll in a named region the keyboard can reach.
    region = '<div class="table-responsive" tabindex="0" role="region" aria-label="{}">'
    assert region.format("Grants this donor's money paid") in public_html
    arabic = client.get(
        f"/transparency/donors/{giver.id}", headers={"Accept-Language": "ar"}
    ).get_data(as_text=True)
    assert 'dir="rtl"' in arabic and "حصة هذا المانح مما دفعه الصندوق المشترك" in arabic
    assert region.format("المنح التي دفعتها أموال هذا المانح") in arabic
    assert grant.reference in arabic
    listing = client.get("/transparency/donors").get_data(as_text=True)
    assert f"/transparency/donors/{giver.id}" in listing and "6,000.00" in listing
    assert "/transparency/donors" in client.get("/donors").get_data(as_text=True)
    company = donor("Acme", DonorKind.COMPANY)
    assert client.get(f"/transparency/donors/{company.id}").status_code == 404

    sign_in(person)
    assert "/my/giving/where-your-money-went" in client.get("/my/giving").get_data(as_text=True)
    page = client.get("/my/giving/where-your-money-went").get_data(as_text=True)
    assert grant.reference in page and "6,000.00" in page
    assert "Your share of what the pooled fund paid" in page  # the donor reads their own
    letter = client.get(f"/my/giving/letter/{utcnow().year}").get_data(as_text=True)
    assert "Annual letter" in letter and grant.reference in letter
    assert client.get("/my/giving/letter/1900").status_code == 404


def test_a_donors_share_of_the_pool_is_written_the_readers_way(client, sign_in):
    person = user_with(Role.DONOR)
    giver = donor("Norway", DonorKind.MEMBER_STATE)
    giver.user_id = person.id
    paid_pledge(giver, 20_000 * USD)
    paid_pledge(donor("Japan", DonorKind.MEMBER_STATE), 10_000 * USD)
    db.session.flush()
    sign_in(person)
    page = client.get(
        "/my/giving/where-your-money-went", headers={"Accept-Language": "fr"}
    ).get_data(as_text=True)
    assert "66,67" in page and "66.67" not in page  # two thirds of the pool, in French
