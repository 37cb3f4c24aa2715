"""A State recorded under its country's English name is named in the reader's language on the
public pages (/transparency, /transparency/donors and each government's page), as the grant
countries are; any other donor's name is shown as stored, and the JSON API keeps the stored
(English) names. A tester's finding: "Où est allé l'argent de Germany"."""

from __future__ import annotations

from html import unescape

from babel import Locale

from app.donations import services
from app.donations.models import Donor, DonorKind
from app.platform.db import utcnow
from app.platform.extensions import db
from app.reporting.donor_names import countries_named, public_name
from tests.donations_support import finance_user

USD = 100
FRENCH = {"Accept-Language": "fr"}
ARABIC = {"Accept-Language": "ar"}


def _donor(name: str, kind: DonorKind, country: str | None, *, named: bool = False) -> Donor:
    donor = Donor(kind=kind, name=name, country=country, public_recognition=named)
    db.session.add(donor)
    db.session.flush()
    services.record_bank_receipt(
        actor=finance_user(),
        value_date=utcnow().date(),
        amount=1_000 * USD,
        currency="USD",
        bank_reference=f"REF-{donor.id}",
        donor=donor,
    )
    return donor


def test_the_rule_translates_only_a_government_named_as_its_country():
    french = Locale("fr")

    def shown(name: str, kind: DonorKind, country: str | None) -> str:
        return public_name(kind=kind, name=name, country=country, locale=french)

    assert shown("Germany", DonorKind.MEMBER_STATE, "DE") == "Allemagne"
    assert shown("  united kingdom ", DonorKind.MEMBER_STATE, "GB") == "Royaume-Uni"
    assert shown("Sweden", DonorKind.GOVERNMENT, "SE") == "Suède"
    assert shown("Government of Flanders", DonorKind.GOVERNMENT, "BE") == "Government of Flanders"
    assert shown("European Union", DonorKind.INTERGOVERNMENTAL, "BE") == "European Union"
    assert shown("Sweden", DonorKind.MEMBER_STATE, "NO") == "Sweden"  # not its country's name
    assert shown("Germany", DonorKind.MEMBER_STATE, None) == "Germany"
    assert shown("Germany", DonorKind.FOUNDATION, "DE") == "Germany"
    assert shown("Chad", DonorKind.INDIVIDUAL, "TD") == "Chad"  # a person called Chad
    assert public_name(
        kind=DonorKind.MEMBER_STATE, name="Germany", country="DE", locale=Locale("en")
    ) == ("Germany")
    assert "DE" in countries_named("allemagne", french)
    assert "DE" not in countries_named("allemagne", Locale("en"))


def test_the_public_pages_name_a_state_in_the_readers_language(client):
    germany = _donor("Germany", DonorKind.MEMBER_STATE, "DE")
    flanders = _donor("Government of Flanders", DonorKind.GOVERNMENT, "BE")
    _donor("Chad", DonorKind.INDIVIDUAL, "TD", named=True)

    page = client.get(f"/transparency/donors/{germany.id}", headers=FRENCH).get_data(as_text=True)
    assert "<title>Où est allé l\u2019argent : Allemagne" in page
    assert "Allemagne" in page.split("<h1")[1].split("</h1>")[0]
    assert "Germany" not in page
    arabic = client.get(f"/transparency/donors/{germany.id}", headers=ARABIC)
    assert "ألمانيا" in arabic.get_data(as_text=True).split("</title>")[0]
    english = client.get(f"/transparency/donors/{germany.id}").get_data(as_text=True)
    assert "<title>Where Germany's money went" in unescape(english)
    other = client.get(f"/transparency/donors/{flanders.id}", headers=FRENCH)
    assert "Government of Flanders" in other.get_data(as_text=True).split("</title>")[0]

    listing = client.get("/transparency/donors", headers=FRENCH).get_data(as_text=True)
    assert ">Allemagne</bdi></a>" in listing and "Germany" not in listing
    # In the order the reader sees: Allemagne before Government of Flanders.
    assert listing.index("Allemagne") < listing.index("Government of Flanders")

    summary = client.get("/transparency", headers=FRENCH).get_data(as_text=True)
    donors = summary.split('id="donors-title"')[1].split("</table>")[0]
    assert ">Allemagne</th>" in donors and "Germany" not in donors
    assert ">Government of Flanders</th>" in donors and ">Chad</th>" in donors
    assert ">Germany</th>" in client.get("/transparency").get_data(as_text=True)

    # The API is the same in every language: the names as recorded.
    api = client.get("/api/v1/transparency", headers=FRENCH).get_json()
    assert "Germany" in [line["name"] for line in api["donors"]]
