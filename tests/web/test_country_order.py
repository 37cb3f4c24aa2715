"""Country lists are in the reader's alphabetical order: an accented first letter is filed
with its letter (a Senegalese NGO finds Sénégal after Sao Tomé, not after Syrie)."""

from __future__ import annotations

from app.web.countries import group_by_region
from app.web.display import country_choices


def test_french_countries_are_filed_by_their_letter_whatever_the_accent(app):
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        names = [name for _code, name in country_choices()]
        assert names.index("Sao Tomé-et-Principe") < names.index("Sénégal") < names.index("Serbie")
        assert names.index("Égypte") < names.index("Érythrée") < names.index("Espagne")
        assert names.index("Bénin") < names.index("Burundi")
        regions = [region for region, _members in group_by_region(country_choices())]
        assert regions == sorted(regions, key=lambda name: name.replace("É", "E").casefold())
