"""A screener's decision on a copied pair: cleared or confirmed with a reason, audited, for the
fund's screeners only, waiting flags first in the queue, reopened when the texts change."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.copies.decisions import MAX_REASON_LENGTH, decide
from app.copies.models import CopyDecision, CopyFlag
from app.copies.reading import recent_flags
from app.copies.services import check_application
from app.platform.errors import PermissionDenied, ValidationFailed
from app.platform.extensions import db
from tests.applications_support import applicant_of, storage  # noqa: F401
from tests.copies_support import copy_of, proposal, submitted_with_text
from tests.factories import user_with


@pytest.fixture
def flag(app, storage):  # noqa: F811
    rng = random.Random(4)
    source = proposal(rng, 900)
    copied, _ = copy_of(rng, source)
    submitted_with_text(storage, source, name="Dawn Shelter")
    submitted_with_text(storage, copied, name="Sunrise Refuge")
    return db.session.execute(sa.select(CopyFlag)).scalar_one()


def _events(action: str) -> list[AuditEvent]:
    return list(
        db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars()
    )


def test_a_screener_clears_a_flag_with_a_reason_and_it_is_audited(flag):
    manager = user_with(Role.FUND_MANAGER)
    assert flag.decision is None

    decide(manager, flag, "cleared", "  The two NGOs wrote it together as a consortium.  ")

    assert flag.decision == CopyDecision.CLEARED
    assert flag.decision_reason == "The two NGOs wrote it together as a consortium."
    assert flag.decided_by_id == manager.id and flag.decided_at is not None
    [event] = _events("copy.cleared")
    assert event.actor_id == manager.id
    assert event.changes["decision"] == [None, "cleared"]
    assert "was waiting" in event.summary


def test_changing_the_decision_keeps_both_in_the_audit_log(flag):
    manager = user_with(Role.FUND_MANAGER)
    decide(manager, flag, CopyDecision.CLEARED, "Consortium text.")
    decide(manager, flag, CopyDecision.CONFIRMED, "The consortium letter was forged.")

    assert flag.decision == CopyDecision.CONFIRMED
    assert flag.decision_reason == "The consortium letter was forged."
    [confirmed] = _events("copy.confirmed")
    assert confirmed.changes["decision"] == ["cleared", "confirmed"]
    assert len(_events("copy.cleared")) == 1


@pytest.mark.parametrize(
    ("decision", "reason", "message"),
    [
        ("cleared", "", "Say why"),
        ("cleared", "   ", "Say why"),
        ("maybe", "A reason.", "Choose whether"),
        ("", "A reason.", "Choose whether"),
        ("confirmed", "x" * (MAX_REASON_LENGTH + 1), "under 2000 characters"),
    ],
)
def test_a_decision_without_a_choice_or_a_reason_is_refused(flag, decision, reason, message):
    with pytest.raises(ValidationFailed) as refused:
        decide(user_with(Role.FUND_MANAGER), flag, decision, reason)
    assert message in str(refused.value)
    assert flag.decision is None and flag.decision_reason == ""
    assert _events("copy.cleared") == [] and _events("copy.confirmed") == []


def test_a_reason_of_exactly_the_limit_is_taken(flag):
    decide(user_with(Role.FUND_MANAGER), flag, "confirmed", "x" * MAX_REASON_LENGTH)
    assert flag.decision == CopyDecision.CONFIRMED


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.FINANCE, Role.BOARD, Role.AUDITOR])
def test_only_the_funds_screeners_decide(flag, role):
    for outsider in (user_with(role), applicant_of(flag.first.organisation)):
        with pytest.raises(PermissionDenied):
            decide(outsider, flag, "cleared", "Nothing to see.")
    assert flag.decision is None


def test_waiting_flags_come_first_in_the_queue(app, storage):  # noqa: F811
    rng = random.Random(9)
    flags = []
    for n in range(2):
        source = proposal(rng, 900)
        copied, _ = copy_of(rng, source)
        submitted_with_text(storage, source, name=f"Original {n}")
        submitted_with_text(storage, copied, name=f"Copy {n}")
        flags.append(db.session.execute(sa.select(CopyFlag).order_by(CopyFlag.id.desc())).scalar())
    manager = user_with(Role.FUND_MANAGER)
    older, newer = flags
    assert [f.id for f in recent_flags(manager)] == [newer.id, older.id]

    decide(manager, newer, "cleared", "Consortium text.")

    assert [f.id for f in recent_flags(manager)] == [older.id, newer.id]


def test_a_changed_text_reopens_the_decision(flag):
    manager = user_with(Role.FUND_MANAGER)
    decide(manager, flag, "cleared", "Consortium text.")
    copy = flag.second
    copy.summary = copy.summary + "\n\n" + flag.first.summary  # copies even more
    db.session.flush()

    [again] = check_application(copy)

    assert again.id == flag.id and again.decision is None and again.decided_by_id is None
    [event] = _events("copy.reopened")
    assert event.actor_id is None and event.changes["decision"] == ["cleared", None]


def test_the_same_text_checked_again_keeps_the_decision(flag):
    manager = user_with(Role.FUND_MANAGER)
    decide(manager, flag, "confirmed", "Copied word for word.")

    [again] = check_application(flag.second)

    assert again.decision == CopyDecision.CONFIRMED
    assert _events("copy.reopened") == []
