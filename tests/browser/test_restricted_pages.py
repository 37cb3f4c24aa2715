"""Restricted contributions and "where your money went" at 375 px, in French (issue 22).

Finance restricts a demo pledge from its page and opens the restricted balances; a government
donor's money is followed to its grants on the portal, the annual letter and its public page.
Every page must fit a phone (no sideways scrolling) and pass axe.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from app.donations.models import GOVERNMENT_KINDS, Donor, Pledge, PledgeStatus
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.browser.test_phone_width import PHONE, _too_wide


def _ids(live: Any) -> dict[str, Any]:
    with live.app.app_context():
        pledge = db.session.scalar(
            sa.select(Pledge.id)
            .where(Pledge.status.in_([PledgeStatus.PLEDGED, PledgeStatus.CONFIRMED]))
            .order_by(Pledge.id)
            .limit(1)
        )
        government = db.session.scalar(
            sa.select(Donor.id).where(Donor.kind.in_(list(GOVERNMENT_KINDS))).limit(1)
        )
    assert pledge is not None and government is not None, "the demo data has no such rows"
    return {"pledge": pledge, "government": government}


@pytest.mark.parametrize("lang", ["fr"])
def test_restricting_and_following_the_money_on_a_phone(cast, live):
    ids = _ids(live)
    problems = []
    finance = cast.sign_in("finance")
    finance.page.set_viewport_size(PHONE)
    finance.open(f"/pledges/{ids['pledge']}")
    finance.step("finance-pledge")
    finance.page.get_by_role("link", name=finance.t("Restrict this pledge")).click()
    finance.page.wait_for_load_state()
    finance.step("finance-restriction-form")
    finance.page.locator("#theme").select_option("children")
    finance.page.locator("#ends_on").fill(
        utcnow().date().replace(year=utcnow().year + 1).isoformat()
    )
    finance.page.get_by_role("button", name=finance.t("Restrict the pledge")).click()
    finance.page.wait_for_load_state()
    assert finance.t("Restrict this pledge") not in finance.page.content()
    finance.step("finance-pledge-restricted")
    for path in ("/donations/restricted",):
        finance.open(path)
        finance.step(f"finance-{path}")
        if wide := _too_wide(finance.page):
            problems.append(f"finance {path}: {wide}")

    visitor = cast.sign_in("donor")
    visitor.page.set_viewport_size(PHONE)
    year = utcnow().year
    for path in (
        "/my/giving",
        "/my/giving/where-your-money-went",
        f"/my/giving/letter/{year}",
        f"/transparency/donors/{ids['government']}",
    ):
        visitor.open(path)
        visitor.step(f"donor-{path}")
        if wide := _too_wide(visitor.page):
            problems.append(f"donor {path}: {wide}")
    assert not problems, "Pages wider than a 375 px phone:\n" + "\n".join(problems)
