"""The public honour roll /donors: one year at a time, names paged alphabetically and found by
a search that sets accents and case aside, the year's totals as /transparency has them."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

from app.donations import services
from app.donations.models import Donor, DonorKind
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.donations_support import finance_user, institutional_donor

USD = 100


def _received(donor: Donor | None, amount: int, on: date, reference: str) -> None:
    services.record_bank_receipt(
        actor=finance_user(),
        value_date=on,
        amount=amount * USD,
        currency="USD",
        bank_reference=reference,
        donor=donor,
    )


def _person(name: str, *, named: bool = True) -> Donor:
    donor = Donor(kind=DonorKind.INDIVIDUAL, name=name, public_recognition=named)
    db.session.add(donor)
    db.session.flush()
    return donor


def _names(page: str) -> list[str]:
    """The names listed under "Other donors", in order."""
    part = page.split("Other donors</h3>")[1].split("</ul>")[0]
    return [unescape(name) for name in re.findall(r"<li>([^<]*)</li>", part)]


def _next_link(page: str, label: str) -> str:
    nav = page.split(f'aria-label="{label} · Pages"')[1].split("</nav>")[0]
    links = re.findall(r'<a class="page-link" href="([^"]+)"[^>]*>Next</a>', nav)
    return unescape(links[0])


def test_the_newest_year_by_default_another_by_its_number(client):
    this_year = utcnow().date().year
    _received(institutional_donor("Norway"), 1_000, date(this_year, 1, 2), "NO-NOW")
    _received(institutional_donor("Sweden"), 700, date(this_year - 1, 6, 1), "SE-THEN")
    page = client.get("/donors").get_data(as_text=True)
    assert f'aria-current="page">{this_year}</a>' in page
    assert f'href="/donors?year={this_year - 1}"' in page
    assert page.index(f">{this_year}</a>") < page.index(f">{this_year - 1}</a>")  # newest first
    assert "Norway — USD\u00a01,000.00" in page and "Sweden" not in page
    assert "USD\u00a01,000.00 received" in page
    earlier = client.get(f"/donors?year={this_year - 1}").get_data(as_text=True)
    assert f'aria-current="page">{this_year - 1}</a>' in earlier
    assert "Sweden — USD\u00a0700.00" in earlier and "Norway" not in earlier
    assert "USD\u00a0700.00 received" in earlier


def test_a_year_that_is_not_one_or_has_nothing_is_said_and_the_newest_shown(client):
    this_year = utcnow().date().year
    _received(institutional_donor("Norway"), 1_000, date(this_year, 1, 2), "NO-NOW")
    for asked in ("1850", "abc", "99999999999999999999", "-1", "<b>x</b>"):
        response = client.get("/donors", query_string={"year": asked})
        assert response.status_code == 200, asked
        page = response.get_data(as_text=True)
        assert "Nothing was received in" in page and f"showing {this_year}." in page
        assert "Norway" in page and "<b>x</b>" not in page
    assert "No contribution has been received yet." not in page


def test_nothing_received_yet(client):
    page = client.get("/donors?year=2020").get_data(as_text=True)
    assert "No contribution has been received yet." in page


def test_names_are_paged_alphabetically_with_the_year_and_search_kept(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 25)
    today = utcnow().date()
    # Created out of order; "élodie" sorts with the E, whatever its accent and case.
    names = [f"Donor {index:02d}" for index in range(30, 0, -1)] + ["élodie Zed"]
    for index, name in enumerate(names):
        _received(_person(name), 10, today, f"P-{index}")
    first = client.get(f"/donors?year={today.year}").get_data(as_text=True)
    expected = sorted(names, key=lambda name: name.casefold().replace("é", "e"))
    assert _names(first) == expected[:25]
    second_url = _next_link(first, "Other donors")
    assert f"year={today.year}" in second_url
    second = client.get(second_url).get_data(as_text=True)
    assert _names(second)[0] == expected[25]  # the 26th name opens page 2
    assert _names(second) == expected[25:]
    # Searching keeps the year; paging a search keeps both.
    found = client.get(f"/donors?year={today.year}&q=DONOR").get_data(as_text=True)
    assert len(_names(found)) == 25
    assert f'name="year" value="{today.year}"' in found
    more = _next_link(found, "Other donors")
    assert f"year={today.year}" in more and "q=DONOR" in more
    assert _names(client.get(more).get_data(as_text=True)) == [
        f"Donor {i:02d}" for i in range(26, 31)
    ]


def test_a_donor_finds_their_name_whatever_its_accents_and_case(client):
    today = utcnow().date()
    _received(_person("Zoë Ångström"), 50, today, "Z-1")
    _received(_person("Ada Giver"), 50, today, "A-1")
    _received(_person("Hidden Hannah", named=False), 50, today, "H-1")
    _received(institutional_donor("Côte d'Ivoire", DonorKind.GOVERNMENT), 80, today, "CI-1")
    page = client.get("/donors", query_string={"q": "zoe ANGSTROM"}).get_data(as_text=True)
    assert '<label class="form-label" for="donor-search">Find a donor</label>' in page
    assert _names(page) == ["Zoë Ångström"]
    assert "Côte" not in page
    # The list the search emptied says so, rather than a heading with nothing under it.
    governments_part = page.split("Member States and governments</h3>")[1].split("</ul>")[0]
    assert "None matches your search." in governments_part
    governments = client.get("/donors", query_string={"q": "cote"}).get_data(as_text=True)
    assert "Côte d&#39;Ivoire — USD\u00a080.00" in governments and _names(governments) == []
    others_part = governments.split("Other donors</h3>")[1].split("</ul>")[0]
    assert "None matches your search." in others_part
    nobody = client.get("/donors", query_string={"q": "hannah"}).get_data(as_text=True)
    assert _names(nobody) == [] and "Hidden Hannah" not in nobody
    assert "matches “hannah”" in nobody and "None matches your search." not in nobody
    # A search for a wildcard matches only that character.
    assert _names(client.get("/donors?q=%25").get_data(as_text=True)) == []


def test_anonymous_and_unmatched_totals_agree_with_the_transparency_page(client):
    today = utcnow().date()
    _received(institutional_donor("Norway"), 1_000, today, "NO-1")
    _received(_person("Ada Giver"), 300, today, "A-1")
    _received(_person("Hidden Hannah", named=False), 200, today, "H-1")
    _received(None, 50, today, "UNKNOWN-1")
    page = client.get("/donors").get_data(as_text=True)
    assert "Anonymous donors: USD\u00a0200.00" in page
    assert "Bank transfers not yet matched to a donor: USD\u00a050.00" in page
    assert "USD\u00a01,550.00 received" in page
    transparency = client.get("/api/v1/transparency").get_json()
    assert transparency["totals"]["received"]["amount_minor"] == 1_550 * USD
    # On page 2 of the names and in a search, the year's figures stay.
    searched = client.get("/donors?q=ada").get_data(as_text=True)
    assert (
        "Anonymous donors: USD\u00a0200.00" in searched and "USD\u00a01,550.00 received" in searched
    )


def test_a_search_says_which_other_years_name_the_donor_and_never_an_unnamed_one(client):
    this_year = utcnow().date().year
    _received(institutional_donor("Norway"), 1_000, date(this_year, 1, 2), "NO-NOW")
    _received(_person("Lena Lindqvist"), 50, date(this_year - 1, 3, 1), "LL-THEN")
    _received(_person("Lena Lindqvist"), 60, date(this_year - 2, 3, 1), "LL-BEFORE")
    _received(_person("Lena Hidden", named=False), 70, date(this_year - 1, 3, 1), "LH-THEN")
    page = client.get("/donors", query_string={"q": "lena"}).get_data(as_text=True)
    assert "No donor named in" in page and _names(page) == []
    also = page.split("Also found in:")[1].split("</p>")[0]
    assert re.findall(r'href="([^"]+)">(\d+)</a>', unescape(also)) == [
        (f"/donors?year={this_year - 1}&q=lena", str(this_year - 1)),
        (f"/donors?year={this_year - 2}&q=lena", str(this_year - 2)),
    ]
    earlier = client.get(f"/donors?year={this_year - 1}&q=lena").get_data(as_text=True)
    assert _names(earlier) == ["Lena Lindqvist"] and "Hidden" not in earlier
    # The year shown is not offered again; a donor who asked not to be named leads nowhere.
    offered = earlier.split("Also found in:")[1].split("</p>")[0]
    assert re.findall(r">(\d+)</a>", offered) == [str(this_year - 2)]
    hidden = client.get("/donors", query_string={"q": "hidden"}).get_data(as_text=True)
    assert "Also found in:" not in hidden
    assert "Also found in:" not in client.get("/donors").get_data(as_text=True)


def _state(name: str, country: str, kind: DonorKind = DonorKind.MEMBER_STATE) -> Donor:
    donor = Donor(kind=kind, name=name, country=country)
    db.session.add(donor)
    db.session.flush()
    return donor


def _governments(page: str) -> list[str]:
    """The names listed under "Member States and governments" (any language), in order."""
    part = page.split('<h3 class="h6">')[1].split("</ul>")[0]
    return [unescape(line.split(" — ")[0]) for line in re.findall(r"<li>([^<]*)</li>", part)]


def test_a_state_is_named_sorted_and_found_in_the_readers_language(client):
    """A tester's finding: in French, "Germany" was listed under G as "Germany", and searching
    "Allemagne" found nothing while "Germany" did."""
    today = utcnow().date()
    _received(_state("Germany", "DE"), 500, today, "DE-1")
    _received(_state("Sweden", "SE"), 400, today, "SE-1")
    _received(_state("Finland", "FI"), 300, today, "FI-1")
    # Governments not recorded under their country's name keep the name they have.
    _received(_state("Government of Flanders", "BE", DonorKind.GOVERNMENT), 200, today, "VL-1")
    _received(_state("Republic of Korea", "KR"), 100, today, "KR-1")
    _received(_person("Germany Fan Club"), 50, today, "GF-1")
    french = {"Accept-Language": "fr"}
    page = client.get("/donors", headers=french).get_data(as_text=True)
    assert _governments(page) == [
        "Allemagne",
        "Finlande",
        "Government of Flanders",
        "Republic of Korea",
        "Suède",
    ]
    assert "Germany Fan Club" in page  # another donor's name is never translated
    found = client.get("/donors", headers=french, query_string={"q": "allemagne"})
    found_page = found.get_data(as_text=True)
    assert _governments(found_page) == ["Allemagne"] and "Germany Fan Club" not in found_page
    # Accents and case set aside, as the rest of the search; the stored name still finds it.
    assert _governments(
        client.get("/donors", headers=french, query_string={"q": "SUEDE"}).get_data(as_text=True)
    ) == ["Suède"]
    by_stored = client.get("/donors", headers=french, query_string={"q": "germany"})
    assert _governments(by_stored.get_data(as_text=True)) == ["Allemagne"]
    # A country's name in French finds only a State standing for it, not a government in it.
    belgique = client.get("/donors", headers=french, query_string={"q": "belgique"})
    assert _governments(belgique.get_data(as_text=True)) == []
    arabic = client.get("/donors", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert "ألمانيا" in _governments(arabic) and "Germany" not in _governments(arabic)
    english = client.get("/donors").get_data(as_text=True)
    assert _governments(english) == [
        "Finland",
        "Germany",
        "Government of Flanders",
        "Republic of Korea",
        "Sweden",
    ]
    assert _governments(client.get("/donors?q=allemagne").get_data(as_text=True)) == []


def test_a_state_found_by_its_french_name_in_another_year(client):
    this_year = utcnow().date().year
    _received(_state("Norway", "NO"), 100, date(this_year, 1, 2), "NO-NOW")
    _received(_state("Germany", "DE"), 500, date(this_year - 1, 6, 1), "DE-THEN")
    page = client.get(
        "/donors", headers={"Accept-Language": "fr"}, query_string={"q": "allemagne"}
    ).get_data(as_text=True)
    assert f'href="/donors?year={this_year - 1}&amp;q=allemagne"' in page


def test_states_in_french_page_by_their_french_names(app, client, monkeypatch):
    """The keyset pages of the governments follow the order the reader sees."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    today = utcnow().date()
    for name, code in (("Germany", "DE"), ("Sweden", "SE"), ("Finland", "FI"), ("Chile", "CL")):
        _received(_state(name, code), 100, today, f"{code}-1")
    french = {"Accept-Language": "fr"}
    seen: list[str] = []
    url = "/donors"
    for _page in range(3):
        response = client.get(url, headers=french)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, (url, page[:3000])
        seen += _governments(page)
        links = re.findall(r'<a class="page-link" href="([^"#]+)"[^>]*>Suivante</a>', page)
        if not links:
            break
        url = unescape(links[0])
    assert seen == ["Allemagne", "Chili", "Finlande", "Suède"]
