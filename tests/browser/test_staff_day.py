"""Issue 24's done-when journey, in French, in one test: the fund manager finds an application by
a phrase of its proposal from the header's search box, sorts the applications list, screens ten
at once (one refused, with its reason, on the result), writes an internal note the NGO never
sees (the NGO signs in and looks), edits the decision letter's "declined" paragraph in French
and sends the decline letters; the NGO's e-mail arrives and its link opens the letter in the
French wording staff wrote. Axe runs on each state."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.applications.models import Application, ApplicationStatus
from app.platform.extensions import db

PHRASE = "online grooming"  # in the demo's "School programme on online grooming" (Safe Haven)
NGO = "ngo@demo.test"  # Nadia, of Safe Haven Initiative
NOTE = "Note interne : budget à vérifier avec le partenaire avant le comité."
LETTER = (
    "Le Conseil d'administration n'a pas retenu la demande {{ reference }} lors de sa réunion "
    "du {{ meeting_date }}. Merci pour votre engagement."
)


def _enter_and_wait(actor: Any) -> None:
    with actor.page.expect_navigation():
        actor.press("Enter")


def _click_and_wait(actor: Any, locator: Any) -> None:
    with actor.page.expect_navigation():
        locator.click()


def _prepare() -> dict[str, Any]:
    """Nine more submitted applications in the demo's open call (copies of its submitted one,
    with their own titles), so ten can be screened; the NGO reads French."""
    found = db.session.execute(
        sa.select(Application).where(Application.title.contains(PHRASE))
    ).scalar_one()
    assert found.status == ApplicationStatus.REJECTED  # declined by the Board in the demo
    submitted = db.session.execute(
        sa.select(Application).where(Application.status == ApplicationStatus.SUBMITTED)
    ).scalar_one()
    # The mapped columns: the table also has search's generated ones, which no one writes.
    columns = [
        attr.key
        for attr in sa.inspect(Application).column_attrs
        if attr.key not in ("id", "version_id")
    ]
    copies = []
    for number in range(1, 10):
        copy = Application(**{key: getattr(submitted, key) for key in columns})
        copy.title = f"Refuge pour survivantes {number}"
        copy.summary = f"Un refuge, programme numéro {number}."
        db.session.add(copy)
        copies.append(copy)
    refused = db.session.execute(
        sa.select(Application).where(
            Application.call_id == submitted.call_id,
            Application.status == ApplicationStatus.IN_REVIEW,
        )
    ).scalar_one()
    ngo = db.session.execute(sa.select(User).where(User.email == NGO)).scalar_one()
    ngo.locale = "fr"
    db.session.commit()
    prepared = {
        "found": found.id,
        "reference": found.reference,
        "copies": [c.id for c in copies],
        "refused": refused.id,
        "call": submitted.call_id,
    }
    db.session.remove()
    return prepared


@pytest.mark.parametrize("lang", ["fr"])
def test_the_fund_managers_day_with_many_applications(cast, live):
    with live.app.app_context():
        ids = _prepare()
    manager = cast.sign_in("fund_manager")
    page = manager.page

    # Found by a phrase of its proposal, from the header's search box.
    manager.open("/dashboard")
    manager.tab_to("#header-search")
    page.locator("#header-search").fill(PHRASE)
    _enter_and_wait(manager)
    hit = page.locator(f'main a[href="/applications/{ids["found"]}"]')
    assert hit.count() >= 1 and PHRASE in hit.first.inner_text().lower()
    manager.step("found")

    # Sorted by the title's column header.
    manager.open(f"/applications/all?call_id={ids['call']}")
    manager.tab_to('th a[href*="sort=title"]')
    _enter_and_wait(manager)
    assert page.locator('th:has(a[href*="sort=title"])').get_attribute("aria-sort") == "ascending"
    manager.step("sorted")

    # Ten screened at once: nine are, one (in review already) is refused with its reason.
    ten = [*ids["copies"], ids["refused"]]
    for application_id in ten:
        page.check(f'input[name="ids"][form="bulk-screen"][value="{application_id}"]')
    button = page.locator("#bulk-screen button").filter(
        has_text=manager.t("Screen the selected applications")
    )
    _click_and_wait(manager, button)
    page.get_by_label(manager.t("Not eligible")).check()
    page.locator("#reason").fill("Hors du champ de l'appel pour ce cycle.")
    _click_and_wait(manager, page.get_by_role("button", name=manager.t("Preview")))
    assert page.locator("#will-be-done li").count() == 9
    assert page.locator("#will-be-refused li").count() == 1
    manager.step("screening-preview")
    _click_and_wait(manager, page.locator("main form button[type=submit]").first)
    assert page.locator("#done-items li").count() == 9
    refused = page.locator("#refused-items li")
    assert refused.count() == 1
    assert manager.t("Only a submitted application can be screened.") in refused.inner_text()
    manager.step("screening-result")

    # An internal note on the application found.
    manager.open(f"/applications/{ids['found']}")
    page.locator("#note-body").fill(NOTE)
    _click_and_wait(manager, page.get_by_role("button", name=manager.t("Add the note")))
    assert NOTE in page.locator(".internal-notes").inner_text()
    manager.step("note")

    # The decision letter's "declined" paragraph, in French.
    manager.open("/texts/letter.decision_declined/fr")
    page.locator("#body").fill(LETTER)
    _click_and_wait(manager, page.get_by_role("button", name=manager.t("Save as a new version")))
    manager.step("letter-text")

    # The decline letters, sent at once to the declined applications.
    manager.open("/applications/all?status=rejected")
    boxes = page.locator('input[name="ids"][form="bulk-screen"]')
    declined = boxes.count()
    assert declined >= 2  # the demo's applications the Board declined
    for number in range(declined):
        boxes.nth(number).check()
    _click_and_wait(
        manager,
        page.locator("#bulk-screen button").filter(has_text=manager.t("Send the decline letters")),
    )
    preview = page.get_by_role("button", name=manager.t("Preview"))
    if preview.count():
        _click_and_wait(manager, preview)
    assert page.locator("#will-be-done li").count() == declined
    _click_and_wait(manager, page.locator("main form button[type=submit]").first)
    assert page.locator("#done-items li").count() == declined
    manager.step("letters-sent")

    # The NGO: the e-mail arrives, its link opens the letter in the French wording; the note
    # is nowhere on its application's page.
    link = live.mailbox.link(NGO)
    assert link.endswith(f"/applications/{ids['found']}/decision-letter"), link
    ngo = cast.sign_in(NGO)
    ngo.open(link)
    letter = ngo.page.locator("main").inner_text()
    assert f"n'a pas retenu la demande {ids['reference']} lors de sa réunion" in letter
    ngo.step("letter")
    ngo.open(f"/applications/{ids['found']}")
    shown = ngo.page.content()
    assert NOTE not in shown and "internal-notes" not in shown
    ngo.step("no-note")
