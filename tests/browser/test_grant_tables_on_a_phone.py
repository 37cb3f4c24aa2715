"""The grantee's grant page on a 375 px phone, in French: the tranche and report tables stack,
one card per row, so each status badge keeps its words on one or two lines instead of wrapping
letter by letter in a squeezed column."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from app.accounts.models import Organisation
from app.grants.models import Grant
from app.platform.extensions import db

PHONE = {"width": 375, "height": 800}


@pytest.mark.parametrize("lang", ["fr"])
def test_the_grant_tables_stack_on_a_phone(cast, live):
    with live.app.app_context():
        grant_id = db.session.scalar(
            sa.select(Grant.id)
            .join(Organisation, Organisation.id == Grant.organisation_id)
            .where(Organisation.name == "Safe Haven Initiative")
            .order_by(Grant.id)
            .limit(1)
        )
    assert grant_id is not None
    ngo = cast.sign_in("ngo")
    ngo.page.set_viewport_size(PHONE)
    ngo.open(f"/grants/{grant_id}")
    ngo.step("grant-on-a-phone")
    cells: list[dict[str, Any]] = ngo.page.evaluate(
        """() => [...document.querySelectorAll('table.table-stack > tbody > tr > td')].map(td => {
            const badge = td.querySelector('.badge');
            const line = badge ? parseFloat(getComputedStyle(badge).fontSize) * 1.6 : 0;
            return {display: getComputedStyle(td).display, width: td.getBoundingClientRect().width,
                    badgeLines: badge ? badge.getBoundingClientRect().height / line : 0,
                    text: badge ? badge.innerText : ''};
        })"""
    )
    assert cells, "no stacked table on the grant page"
    assert all(cell["display"] == "block" for cell in cells)
    assert min(cell["width"] for cell in cells) > 250  # each value as wide as the card
    squeezed = [cell["text"] for cell in cells if cell["badgeLines"] > 2.5]
    assert squeezed == []
