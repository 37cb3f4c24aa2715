"""Bulk screening in the browser (issue 24): the fund manager ticks the submitted applications
with the keyboard ("select all on this page", then one unticked and ticked again), chooses
"not eligible" with a reason, previews, confirms once, and reads what was done and what was
refused and why: one application was screened by a colleague between the preview and the
confirmation. Axe runs on the list, the choice, the preview and the result."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.applications.models import Application, ApplicationStatus
from app.platform.extensions import db
from app.reviews.models import ScreeningOutcome
from app.reviews.services.screening import record_screening

SCREENABLE = (ApplicationStatus.SUBMITTED, ApplicationStatus.SCREENING)


@pytest.mark.parametrize("lang", ["en"])
def test_the_fund_manager_screens_several_at_once(cast, live):
    with live.app.app_context():
        call_id = (
            db.session.execute(
                sa.select(Application.call_id).where(
                    Application.status == ApplicationStatus.SUBMITTED
                )
            )
            .scalars()
            .first()
        )
        listed = dict(
            db.session.execute(
                sa.select(Application.id, Application.status).where(Application.call_id == call_id)
            ).all()
        )
        db.session.remove()
    screenable = [i for i, status in listed.items() if status in SCREENABLE]
    assert len(screenable) >= 2 and len(listed) > len(screenable), listed

    manager = cast.sign_in("fund_manager")
    manager.open(f"/applications/all?call_id={call_id}")
    select_all = "input[data-bulk-all]"
    manager.page.locator(select_all).wait_for(state="visible")  # bulk.js showed it
    manager.tab_to(select_all)
    manager.press("Space")
    boxes = manager.page.locator('input[name="ids"][form="bulk-screen"]')
    assert boxes.count() == len(listed)
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    manager.tab_to('input[name="ids"][form="bulk-screen"]')
    manager.press("Space")  # one unticked: "select all" shows it is mixed
    assert manager.page.evaluate(f"() => document.querySelector('{select_all}').indeterminate")
    manager.press("Space")
    manager.step("applications-ticked")

    manager.tab_to('#bulk-screen button[type="submit"]')
    with manager.page.expect_navigation():
        manager.press("Enter")
    manager.step("choose-outcome")
    manager.page.get_by_label(manager.t("Not eligible")).check()
    manager.page.locator("#reason").fill("Outside the call's focus this cycle.")
    with manager.page.expect_navigation():
        manager.page.get_by_role("button", name=manager.t("Preview")).click()
    assert manager.page.locator("#will-be-done li").count() == len(screenable)
    assert manager.page.locator("#will-be-refused li").count() == len(listed) - len(screenable)
    manager.step("preview")

    # One is screened (in another tab) before the confirmation: it is refused, alone.
    with live.app.app_context():
        fund = db.session.execute(
            sa.select(User).where(User.email == "fund_manager@demo.test")
        ).scalar_one()
        first = db.session.get(Application, screenable[0])
        assert first is not None
        record_screening(
            actor=fund,
            application=first,
            outcome=ScreeningOutcome.INELIGIBLE,
            reason="Screened in another tab.",
        )
        db.session.commit()
        db.session.remove()

    manager.tab_to("main form button[type=submit]")
    with manager.page.expect_navigation():
        manager.press("Enter")
    assert manager.page.locator("#done-items li").count() == len(screenable) - 1
    refused = manager.page.locator("#refused-items li")
    assert refused.count() == len(listed) - len(screenable) + 1
    assert manager.t("Only a submitted application can be screened.") in refused.first.inner_text()
    manager.step("result")

    with live.app.app_context():
        statuses = set(
            db.session.execute(
                sa.select(Application.status).where(Application.id.in_(screenable))
            ).scalars()
        )
        db.session.remove()
    assert statuses == {ApplicationStatus.INELIGIBLE}
