"""An NGO on a phone, in French, fills its budget the way people do (issue 19): it adds lines
in the page without saving first, its draft is saved on its own a few seconds after it stops
typing, and leaving with changes not yet saved asks first. (drafts.js; the JSON half is tested
in tests/web/applications/test_draft_autosave.py.)"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.applications.models import Application, ApplicationStatus
from app.platform.extensions import db

PHONE = {"width": 375, "height": 800}
TITLE = "Safe return and reintegration in Edo State"  # a draft of the demo's first NGO


@pytest.mark.parametrize("lang", ["fr"])
def test_budget_lines_are_added_in_the_page_and_the_draft_saves_itself(cast, live):
    t = cast.t
    with live.app.app_context():
        application = db.session.scalar(sa.select(Application).where(Application.title == TITLE))
        assert application is not None and application.status == ApplicationStatus.DRAFT
        application_id, lines_before = application.id, len(application.budget_lines)
    ngo = cast.sign_in("ngo")
    page = ngo.page
    page.set_viewport_size(PHONE)
    ngo.open(f"/applications/{application_id}/sections/budget")
    rows = page.locator("#budget-lines tr")
    drawn = rows.count()
    assert drawn == lines_before + 3
    # With the script, the button replaces "save to get more rows".
    assert page.locator("#budget-rows-hint").is_hidden()
    add = page.get_by_role("button", name=t("Add a budget line"))
    add.click()
    add.click()
    assert rows.count() == drawn + 2
    new_index = drawn + 1  # the second row added: lines-<drawn+1>-...
    # The new row's fields have their own names, labels and focus order.
    assert page.locator(f"#lines-{new_index}-description").get_attribute("aria-label") == t(
        "Item on line %(n)d", n=drawn + 2
    )
    page.locator(f"#lines-{new_index}-description").fill("Formation des travailleurs sociaux")
    page.locator(f"#lines-{new_index}-quantity").fill("3")
    page.locator(f"#lines-{new_index}-unit_cost").fill("1 250,50")
    ngo.step("budget-lines-added")

    # Nothing clicked: the draft saves itself and says so under the buttons.
    status = page.locator("[data-draft-status]")
    status.filter(has_text=t("Draft saved automatically at %(time)s.", time="")[:20]).wait_for()
    ngo.step("draft-saved-automatically")
    with live.app.app_context():
        saved = db.session.get(Application, application_id)
        assert saved is not None
        assert "Formation des travailleurs sociaux" in [
            line.description for line in saved.budget_lines
        ]
        line = next(line for line in saved.budget_lines if line.description.startswith("Formation"))
        assert (line.quantity, line.unit_cost) == (3, 1_250_50)

    # Going on by a link saves the change first: nothing typed is lost, no question asked.
    page.locator(f"#lines-{new_index}-quantity").fill("4")
    asked = []

    def answer(dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    with page.expect_navigation():
        page.get_by_role("link", name=t("Review and submit")).click()
    assert asked == []
    with live.app.app_context():
        saved = db.session.get(Application, application_id)
        assert saved is not None
        assert [line.quantity for line in saved.budget_lines if line.unit_cost == 1_250_50] == [4]

    # Leaving any other way (a typed address, closing the tab) with a change not yet saved asks
    # first, and staying keeps what was typed.
    ngo.open(f"/applications/{application_id}/sections/budget")
    saved_line = lines_before  # the line added above, now drawn after the earlier ones
    assert page.locator(f"#lines-{saved_line}-description").input_value().startswith("Formation")
    page.locator(f"#lines-{saved_line}-quantity").fill("5")
    page.evaluate("() => { window.location.href = '/calls/'; }")
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert page.url.endswith("/sections/budget")
    assert page.locator(f"#lines-{saved_line}-quantity").input_value() == "5"
    page.remove_listener("dialog", answer)

    # Offline (a phone losing its signal), the Save button keeps the form and says why.
    page.context.set_offline(True)
    page.get_by_role("button", name=t("Save"), exact=True).click()
    page.wait_for_timeout(300)
    assert page.url.endswith("/sections/budget")
    assert page.locator(f"#lines-{saved_line}-quantity").input_value() == "5"
    assert page.locator("[data-draft-status]").inner_text() == t(
        "You are offline: nothing was sent. What you typed is still here; save again when you"
        " are back online."
    )
    ngo.step("offline-save-kept", axe=False)
    page.context.set_offline(False)

    # Saved with the button (after any autosave on its way): no question, no conflict.
    page.get_by_role("button", name=t("Save"), exact=True).click()
    page.wait_for_url("**/sections/budget")
    assert t("Your changes were not saved") not in page.content()
    ngo.step("saved-with-the-button")
    with live.app.app_context():
        saved = db.session.get(Application, application_id)
        assert saved is not None
        assert [
            line.quantity for line in saved.budget_lines if line.description.startswith("Formation")
        ] == [5]
