"""What the fund's themes mean in IATI: one table, to review in one place.

Each theme (the groups a project reaches, app.platform.categories.Theme) is published twice:
as an OECD DAC CRS 5-digit purpose code (IATI sector vocabulary 1), so the activity counts in
every sector-based comparison, and as itself in the fund's own vocabulary (99), so nothing is
lost in the mapping. The purpose codes and names are those of the DAC CRS purpose code list
(the IATI Sector codelist), chosen for what the fund pays for: help to victims of trafficking.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from app.platform.categories import Theme

# DAC CRS purpose codes (IATI Sector codelist, vocabulary 1) and their official names.
ENDING_VIOLENCE_AGAINST_WOMEN = ("15180", "Ending violence against women and girls")
HUMAN_RIGHTS = ("15160", "Human rights")
SOCIAL_SERVICES = ("16015", "Social services (incl youth development and women+ children)")
SOCIAL_PROTECTION = ("16010", "Social protection")
MIGRATION = (
    "15190",
    "Facilitation of orderly, safe, regular and responsible migration and mobility",
)
CIVIL_SOCIETY = ("15150", "Democratic participation and civil society")

# theme -> (CRS purpose code and name, the theme's name in the fund's own vocabulary)
THEME_SECTORS: dict[Theme, tuple[tuple[str, str], str]] = {
    Theme.WOMEN_AND_GIRLS: (ENDING_VIOLENCE_AGAINST_WOMEN, "Women and girls"),
    Theme.MEN_AND_BOYS: (HUMAN_RIGHTS, "Men and boys"),
    Theme.NON_BINARY: (HUMAN_RIGHTS, "Non-binary people"),
    Theme.CHILDREN: (SOCIAL_SERVICES, "Children"),
    Theme.PERSONS_WITH_DISABILITIES: (SOCIAL_PROTECTION, "Persons with disabilities"),
    Theme.LGBTQI: (HUMAN_RIGHTS, "LGBTQI people"),
    Theme.REFUGEES_AND_IDPS: (MIGRATION, "Refugees and internally displaced people"),
    Theme.INDIGENOUS_PEOPLES: (HUMAN_RIGHTS, "Indigenous peoples"),
    Theme.OLDER_PERSONS: (SOCIAL_PROTECTION, "Older persons"),
    Theme.MINORITIES: (HUMAN_RIGHTS, "Minorities"),
    Theme.SURVIVOR_LEADERSHIP: (CIVIL_SOCIETY, "Survivor leadership"),
}

# UN SDG targets (IATI tag vocabulary 3) every activity of the fund serves: 5.2 (violence
# against women and girls, trafficking included), 8.7 (forced labour, modern slavery and human
# trafficking), 16.2 (abuse, exploitation and trafficking of children).
SDG_TARGETS = (
    ("5.2", "Eliminate all forms of violence against all women and girls"),
    ("8.7", "End forced labour, modern slavery and human trafficking"),
    ("16.2", "End abuse, exploitation, trafficking and violence against children"),
)

# The OECD DAC gender equality policy marker (IATI PolicyMarker 1, vocabulary 1), given where an
# activity reaches women and girls: "1", a significant objective (gender equality matters to the
# project, whose principal objective is help to victims of trafficking). Reviewable here.
POLICY_MARKER_VOCABULARY = "1"
GENDER_EQUALITY = "1"
GENDER_SIGNIFICANT = "1"
GENDER_THEMES = frozenset({Theme.WOMEN_AND_GIRLS})

CRS_VOCABULARY = "1"
FUND_VOCABULARY = "99"
SDG_TARGET_VOCABULARY = "3"
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def themes_of(codes: Iterable[str]) -> list[Theme]:
    """The known themes among stored codes, each once, in the fund's order."""
    given = set(codes)
    return [theme for theme in Theme if theme.value in given]


def _rounded(weights: dict[str, Decimal]) -> dict[str, Decimal]:
    """Weights as percentages with two decimals adding up to exactly 100."""
    total = sum(weights.values(), Decimal(0))
    shares = {key: (weight * HUNDRED / total).quantize(CENT) for key, weight in weights.items()}
    largest = max(shares, key=lambda key: (shares[key], key))
    shares[largest] += HUNDRED - sum(shares.values(), Decimal(0))
    return shares


def sector_shares(
    theme_lists: Sequence[Sequence[Theme]],
) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Percentages per CRS purpose code and per theme for one or more activities' themes, each
    activity weighing the same and its themes sharing its weight equally."""
    crs: dict[str, Decimal] = {}
    own: dict[str, Decimal] = {}
    for themes in theme_lists:
        if not themes:
            continue
        share = Decimal(1) / len(themes)
        for theme in themes:
            code = THEME_SECTORS[theme][0][0]
            crs[code] = crs.get(code, Decimal(0)) + share
            own[theme.value] = own.get(theme.value, Decimal(0)) + share
    if not crs:
        return {}, {}
    return _rounded(crs), _rounded(own)


CRS_NAMES = {code: name for (code, name), _own in THEME_SECTORS.values()}
THEME_NAMES = {theme.value: own for theme, (_crs, own) in THEME_SECTORS.items()}


def gender_significance(theme_lists: Sequence[Sequence[Theme]]) -> str | None:
    """The gender equality marker's significance for activities with these themes, or None
    where it does not apply."""
    if any(GENDER_THEMES.intersection(themes) for themes in theme_lists):
        return GENDER_SIGNIFICANT
    return None
