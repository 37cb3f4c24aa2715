"""Countries grouped by UN M49 region (DOMAIN.md: "Regions: use UN M49, mapping configurable").

The default follows the M49 standard's five regions. A deployment can override the region of
any country with the ``REPORTING_REGION_OVERRIDES`` setting (``{"XK": "150"}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Region(StrEnum):
    """M49 region codes."""

    AFRICA = "002"
    AMERICAS = "019"
    ASIA = "142"
    EUROPE = "150"
    OCEANIA = "009"
    UNKNOWN = "999"


_MEMBERS = {
    Region.AFRICA: (
        "DZ EG LY MA SD TN EH BI KM DJ ER ET KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW AO CM "
        "CF TD CG CD GQ GA ST BW SZ LS NA ZA BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG "
        "IO TF"
    ),
    Region.AMERICAS: (
        "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI BZ "
        "CR SV GT HN MX NI PA AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE BM CA GL PM US"
    ),
    Region.ASIA: (
        "KZ KG TJ TM UZ CN HK MO KP JP MN KR TW BN KH ID LA MY MM PH SG TH TL VN AF BD BT IN IR "
        "MV NP PK LK AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE"
    ),
    Region.EUROPE: (
        "BY BG CZ HU PL MD RO RU SK UA AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB AL AD BA "
        "HR GI GR VA IT MT ME MK PT SM RS SI ES XK AT BE FR DE LI LU MC NL CH"
    ),
    Region.OCEANIA: (
        "AU CX CC HM NZ NF FJ NC PG SB VU GU KI MH FM NR MP PW AS CK PF NU PN WS TK TO TV WF UM"
    ),
}

DEFAULT_REGIONS: dict[str, Region] = {
    country: region for region, members in _MEMBERS.items() for country in members.split()
}


def region_of(country: str | None, overrides: Mapping[str, str] | None = None) -> Region:
    """The M49 region of an ISO 3166-1 alpha-2 country code; UNKNOWN when not known."""
    if not country:
        return Region.UNKNOWN
    code = country.upper()
    if overrides and code in overrides:
        try:
            return Region(overrides[code])
        except ValueError:
            return Region.UNKNOWN
    return DEFAULT_REGIONS.get(code, Region.UNKNOWN)
