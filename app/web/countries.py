"""Countries grouped by the UN's M49 regions, so that a long list of checkboxes can be scanned
by continent. Region names come from CLDR in the reader's language, like the countries'."""

from __future__ import annotations

from babel import Locale
from flask_babel import get_locale
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from app.web.display import sort_key

# M49 region code -> ISO 3166 alpha-2 codes of the countries and territories it contains
# (UN Statistics Division, "Standard country or area codes for statistical use"); the few
# territories CLDR names apart (Canary Islands, Sark...) go where CLDR's containment puts them.
_REGIONS: dict[str, str] = {
    "002": (  # Africa
        "DZ EG LY MA SD TN EH BI KM DJ ER ET KE MG MW MU YT MZ RE RW SC SO SS TZ UG ZM ZW IO "
        "TF AO CM CF TD CG CD GQ GA ST BW SZ LS NA ZA BJ BF CV CI GM GH GN GW LR ML MR NE NG "
        "SH SN SL TG AC TA DG EA IC"
    ),
    "019": (  # Americas
        "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI "
        "BZ CR SV GT HN MX NI PA AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE BM CA GL PM "
        "US CP"
    ),
    "142": (  # Asia
        "KZ KG TJ TM UZ CN HK MO KP JP MN KR TW BN KH ID LA MY MM PH SG TH TL VN AF BD BT IN "
        "IR MV NP PK LK AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE"
    ),
    "150": (  # Europe
        "BY BG CZ HU PL MD RO RU SK UA AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB AL AD "
        "BA HR GI GR VA IT MT ME MK PT SM RS SI ES XK AT BE FR DE LI LU MC NL CH CQ"
    ),
    "009": (  # Oceania
        "AU CX CC HM NZ NF FJ NC PG SB VU GU KI MH FM NR MP PW UM AS CK PF NU PN WS TK TO TV WF"
    ),
}
REGION_OF: dict[str, str] = {
    country: region for region, codes in _REGIONS.items() for country in codes.split()
}
# Whatever CLDR lists that M49 places in no region (Antarctica, for one) is grouped under "World".
_ELSEWHERE = "001"


def group_by_region(
    choices: list[tuple[str, str]],
) -> list[tuple[str, list[tuple[str, str]]]]:
    """(region name, [(code, name), ...]) in the reader's language, regions sorted by name,
    each keeping the order of `choices` (already sorted by the country's name)."""
    territories = Locale.parse(str(get_locale() or "en")).territories
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, name in choices:
        groups.setdefault(REGION_OF.get(code, _ELSEWHERE), []).append((code, name))
    named = [(str(territories.get(region, region)), members) for region, members in groups.items()]
    return sorted(named, key=lambda item: sort_key(item[0]))


class CountriesField(SelectMultipleField):
    """Several countries, picked with checkboxes grouped by region (macros/forms.html draws it,
    js/country-filter.js adds a filter box): a long native multi-select needs Ctrl-click and
    one stray arrow key replaces the whole choice. Posts the same name and values as before."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    @property
    def groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        return group_by_region([(str(code), str(name)) for code, name in self.choices or []])
