"""Translated names for the reporting pages: statement lines, regions, donor kinds."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.donations.web.forms import DONOR_KIND_LABELS
from app.platform.regions import Region
from app.reporting import statement as st
from app.reporting.contributions import UNIDENTIFIED

SECTION_TITLES: dict[str, LazyString] = {
    st.AVAILABLE: _l("Fund balance available for grants"),
    st.RESTRICTED: _l("Restricted contributions not yet committed"),
    st.COMMITMENTS: _l("Grant commitments not yet paid"),
    st.PLEDGES: _l("Pledges confirmed, not yet received"),
    st.PSC: _l("Programme support cost income"),
}

LINE_LABELS: dict[str, LazyString] = {
    st.CONTRIBUTIONS: _l("Contributions received"),
    st.FEES: _l("Card processing fees"),
    st.DONOR_REFUNDS: _l("Refunds and chargebacks to donors"),
    st.COMMITTED: _l("Grants committed (with support cost)"),
    st.RELEASED: _l("Unspent commitments released at closure"),
    st.GRANT_REFUNDS: _l("Unspent funds returned by grantees"),
    st.PSC_RETURNED: _l("Support cost returned on refunds"),
    st.DISBURSED: _l("Tranches disbursed"),
    st.PSC_CHARGED: _l("Programme support cost charged"),
    st.PLEDGES_CONFIRMED: _l("Pledges confirmed"),
    st.PLEDGES_PAID: _l("Pledge payments received"),
    st.PLEDGES_CLOSED: _l("Pledges cancelled or written off"),
    st.EXCHANGE: _l("Exchange differences"),
    st.OTHER_MOVEMENTS: _l("Other movements and adjustments"),
}

REGION_LABELS: dict[Region, LazyString] = {
    Region.AFRICA: _l("Africa"),
    Region.AMERICAS: _l("Americas"),
    Region.ASIA: _l("Asia"),
    Region.EUROPE: _l("Europe"),
    Region.OCEANIA: _l("Oceania"),
    Region.UNKNOWN: _l("Region not given"),
}


def donor_kind_label(kind: str | None) -> str:
    if kind == UNIDENTIFIED or kind is None:
        return str(_l("Not yet identified"))
    for member, text in DONOR_KIND_LABELS.items():
        if member.value == kind:
            return str(text)
    return kind


def line_label(key: str) -> str:
    return str(LINE_LABELS.get(key, key))


def section_title(key: str) -> str:
    return str(SECTION_TITLES.get(key, key))


def region_label(region: Region) -> str:
    return str(REGION_LABELS[region])
