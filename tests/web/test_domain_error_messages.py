"""Domain errors name statuses and things in the reader's language, not in code."""

from __future__ import annotations

import uuid

from flask_babel import force_locale
from flask_babel import gettext as _

from app.grants.models import TrancheStatus
from app.grants.workflow import TRANCHE_WORKFLOW
from app.ledger.rules import TransferStatus
from app.ledger.services.posting import LedgerRefused, TransferResult
from app.platform.errors import InvalidTransition


class _Tranche:
    status = TrancheStatus.PAID


def _refusal(app, locale: str, error: Exception) -> str:
    assert isinstance(error, InvalidTransition | LedgerRefused)
    with app.test_request_context(), force_locale(locale):
        return error.translated(_)


def test_an_impossible_transition_names_the_statuses_as_the_pages_do(app):
    try:
        TRANCHE_WORKFLOW.find(_Tranche(), TrancheStatus.SENT)
    except InvalidTransition as error:
        english = _refusal(app, "en", error)
        french = _refusal(app, "fr", error)
    assert "tranche" in english and "Sent, awaiting bank confirmation" in english
    assert "_" not in english
    assert "Sent, awaiting" not in french and "tranche" in french


def test_a_ledger_refusal_gives_its_reason_in_words(app):
    error = LedgerRefused([TransferResult(id=uuid.uuid4(), status=TransferStatus.EXCEEDS_CREDITS)])
    english = _refusal(app, "en", error)
    assert "not enough money in the account" in english and "exceeds_credits" not in english


def test_an_amount_in_a_refusal_is_written_the_way_the_reader_writes_it(app):
    from app.platform.errors import Conflict
    from app.platform.money import amount_param

    error = Conflict("%(amount)s is too much.", amount=amount_param(20_000_00, "USD"))
    assert error.message == "USD 20,000.00 is too much."  # logs and the audit trail: English
    with app.test_request_context(), force_locale("fr"):
        assert error.translated(_) == "USD\xa020\u202f000,00 is too much."
    with app.test_request_context(), force_locale("es"):
        assert error.translated(_) == "USD\xa020.000,00 is too much."
