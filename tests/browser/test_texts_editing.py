"""The fund manager edits the Board decision e-mail in French in the browser: a wrong placeholder
is refused next to the field with the valid ones, the preview fills in the sample, the save makes
a version in force. With axe on each state, at the desktop width and on a phone."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.platform.extensions import db
from app.texts.models import TextVersion


@pytest.mark.parametrize("lang", ["fr"])
def test_the_fund_manager_edits_the_decision_email_in_french(cast, live):
    manager = cast.sign_in("fund_manager")
    manager.open("/texts/")
    manager.step("texts")
    manager.open("/texts/email.board_decision/fr")
    page = manager.page
    page.fill("#subject", "Décision du Conseil : {{ reference }}")
    page.fill("#body", "Bonjour,\n{{ montant }}\n{{ link }}")
    page.get_by_role("button", name=manager.t("Save as a new version")).click()
    error = page.locator("#body-error")
    assert "{{ montant }}" in error.inner_text()
    assert "{{ fund }}, {{ link }}, {{ reference }}" in error.inner_text()
    manager.step("wrong-placeholder")

    page.fill("#body", "Bonjour,\nle Conseil a statué sur {{ reference }}.\n{{ link }}")
    page.get_by_role("button", name=manager.t("Preview")).click()
    assert "le Conseil a statué sur APP-00012." in page.inner_text("#preview-heading + *, main")
    manager.step("preview")

    page.get_by_role("button", name=manager.t("Save as a new version")).click()
    manager.step("saved")
    with live.app.app_context():
        saved = db.session.execute(
            sa.select(TextVersion).where(
                TextVersion.key == "email.board_decision", TextVersion.locale == "fr"
            )
        ).scalar_one()
        assert (saved.version, saved.is_active) == (1, True)
        assert saved.subject == "Décision du Conseil : {{ reference }}"
        db.session.remove()

    page.set_viewport_size({"width": 375, "height": 800})
    manager.open("/texts/email.board_decision/fr")
    manager.step("phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
