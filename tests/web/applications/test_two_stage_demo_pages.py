"""The demo of `make run` (``flask demo`` on a fresh database) shows its two-stage call: the fund
manager finds SGP2-2027-2S among the calls and its two concept notes to screen (decision 0115)."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import User
from app.platform.extensions import db
from devtools.seed.two_stage import TWO_STAGE_CALL


def test_flask_demo_shows_the_two_stage_call_and_its_concept_notes(runner, client, sign_in):
    result = runner.invoke(args=["demo", "--quiet"])
    assert result.exit_code == 0, result.output
    manager = db.session.execute(
        select(User).where(User.email == "fund_manager@demo.test")
    ).scalar_one()
    sign_in(manager)
    managed = client.get("/calls/manage").get_data(as_text=True)
    assert TWO_STAGE_CALL in managed
    notes = client.get("/applications/concept-notes").get_data(as_text=True)
    assert "Safe Haven Initiative" in notes and "Freedom Path Association" in notes
    assert "Legal aid for survivors of forced labour in fisheries" in notes
