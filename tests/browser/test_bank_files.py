"""Bank files at 375 px (French, Arabic): finance makes the payment file of an approved tranche,
a damaged statement is refused next to the upload field, the statement of the file records the
tranche paid; no page scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.bankfiles.models import PaymentBatch
from app.grants import services as grants
from app.grants.models import Grant, GrantStatus, Tranche, TrancheStatus
from app.platform.extensions import db
from devtools.seed.people import demo_email
from tests.bankfiles_support import camt053, lines_for
from tests.browser.test_phone_width import PHONE, _too_wide


def _approve_a_requested_tranche(live: Any) -> int:
    with live.app.app_context():
        tranche = db.session.scalar(
            sa.select(Tranche)
            .join(Grant)
            .where(
                Tranche.status == TrancheStatus.REQUESTED,
                Grant.status == GrantStatus.ACTIVE,
                Grant.currency == "USD",
            )
            .order_by(Tranche.id)
            .limit(1)
        )
        assert tranche is not None, "the demo data has no requested USD tranche"
        checkers = db.session.scalars(
            sa.select(User).where(User.email.in_([demo_email("finance"), demo_email("finance2")]))
        )
        checker = next(u for u in checkers if u.id != tranche.requested_by_id)
        grants.approve_disbursement(actor=checker, tranche=tranche)
        db.session.commit()
        return tranche.id


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_finance_pays_by_file_and_statement_on_a_phone(cast, live, tmp_path):
    tranche_id = _approve_a_requested_tranche(live)
    person = cast.sign_in("finance")
    person.page.set_viewport_size(PHONE)
    problems = []

    def look(name: str) -> None:
        person.step(name)
        wide = _too_wide(person.page)
        if wide:
            problems.append(f"{name}: {wide}")

    person.open("/bank-files/")
    look("ready")
    person.page.get_by_role("button", name=person.t("Make the payment file")).first.click()
    person.page.wait_for_load_state()
    look("file-made")
    with live.app.app_context():
        batch = db.session.scalar(sa.select(PaymentBatch).order_by(PaymentBatch.id.desc()))
        assert batch is not None and batch.items[0].tranche_id == tranche_id
        good = camt053(lines_for(batch), statement_id="STMT-PHONE")
    damaged = tmp_path / "damaged.xml"
    damaged.write_bytes(good[: len(good) // 3])
    statement = tmp_path / "statement.xml"
    statement.write_bytes(good)

    person.open("/bank-files/")
    person.page.locator("#statement").set_input_files(str(damaged))
    person.page.get_by_role("button", name=person.t("Import")).click()
    person.page.wait_for_load_state()
    assert person.page.locator("#statement-error").is_visible()
    # The server's 422 is the answer this step asks for; any other problem still fails it.
    problems_seen = cast.recorder.problems
    problems_seen[:] = [
        p for p in problems_seen if not ("422" in p and p.endswith("/bank-files/statements)"))
    ]
    look("damaged-refused")

    person.page.locator("#statement").set_input_files(str(statement))
    person.page.get_by_role("button", name=person.t("Import")).click()
    person.page.wait_for_load_state()
    look("statement-imported")
    with live.app.app_context():
        assert db.session.get(Tranche, tranche_id).status == TrancheStatus.PAID
    assert not problems, "Pages wider than a 375 px phone:\n" + "\n".join(problems)
