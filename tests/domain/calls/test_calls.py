"""Running calls: window caps as defaults, validation, the draft → published → closed → decided
life cycle, and which calls the public sees."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.accounts.models import Role
from app.calls import services as calls
from app.calls.models import CallStatus, WindowKind, pick_translation
from app.calls.services import Criterion
from app.calls.workflow import CALL_WORKFLOW
from app.platform.db import utcnow
from app.platform.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from app.platform.settings import GrantWindow, settings
from tests.applications_support import call_details, fund_manager, open_call
from tests.factories import user_with
from tests.settings_support import change_settings
from tests.web.auth.helpers import audit_actions


@pytest.mark.parametrize(
    ("window", "max_amount", "months"),
    [(WindowKind.EMERGENCY, 20_000_00, 9), (WindowKind.MEDIUM_TERM, 60_000_00, 24)],
)
def test_a_new_call_takes_its_windows_caps(window, max_amount, months):
    call = calls.create_call(actor=fund_manager(), details=call_details(window=window))
    assert (call.max_amount, call.max_duration_months) == (max_amount, months)
    assert call.status == CallStatus.DRAFT


def test_window_caps_are_settings_not_constants(app, monkeypatch):
    windows = {
        **settings().calls.grant_windows,
        "emergency": GrantWindow(max_amount=15_000_00, max_duration_months=6),
    }
    change_settings(monkeypatch, app, "calls", grant_windows=windows)
    call = calls.create_call(actor=fund_manager(), details=call_details())
    assert (call.max_amount, call.max_duration_months) == (15_000_00, 6)


def test_a_call_may_set_its_own_caps():
    call = calls.create_call(
        actor=fund_manager(), details=call_details(max_amount=18_000_00, max_duration_months=8)
    )
    assert (call.max_amount, call.max_duration_months) == (18_000_00, 8)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"closes_at": utcnow() - timedelta(days=30)}, "must close after it opens"),
        ({"timezone": "Mars/Olympus"}, "is not a time zone"),
        ({"situations": ["alien_invasion"]}, "Unknown situation"),
        ({"eligible_countries": ["Nigeria"]}, "Unknown countries"),
        ({"languages": ["tlh"]}, "Unknown languages"),
        ({"criteria": [Criterion("Relevance", Decimal(0))]}, "must be more than zero"),
        ({"required_documents": {"passport": 1}}, "Unknown document kind"),
        ({"max_amount": 0}, "more than zero"),
    ],
)
def test_impossible_calls_are_refused_with_a_reason(overrides, message):
    with pytest.raises(ValidationFailed, match=message):
        calls.create_call(actor=fund_manager(), details=call_details(**overrides))


def test_references_are_unique():
    manager = fund_manager()
    calls.create_call(actor=manager, details=call_details(reference="SGP1-10.2"))
    with pytest.raises(Conflict, match="already uses the reference"):
        calls.create_call(actor=manager, details=call_details(reference="SGP1-10.2"))


def test_only_fund_managers_run_calls():
    with pytest.raises(PermissionDenied):
        calls.create_call(actor=user_with(Role.APPLICANT), details=call_details())


def test_the_life_cycle_goes_draft_published_closed_decided_and_is_audited():
    manager = fund_manager()
    call = calls.create_call(actor=manager, details=call_details())
    with pytest.raises(InvalidTransition):
        calls.close_call(actor=manager, call=call)
    calls.publish_call(actor=manager, call=call)
    assert call.published_at is not None
    calls.close_call(actor=manager, call=call)
    calls.decide_call(actor=manager, call=call)
    assert call.status == CallStatus.DECIDED
    assert audit_actions(subject_id=call.id)[-4:] == [
        "call.created",
        "call.published",
        "call.closed",
        "call.decided",
    ]


def test_the_manage_buttons_are_the_moves_the_workflow_offers():
    """The call page offers publishing before the call is ready (the refusal lists what is
    missing), and only to those who run calls."""
    manager = fund_manager()
    call = calls.create_call(actor=manager, details=call_details(criteria=[]))
    assert CALL_WORKFLOW.available_moves(call, manager) == []
    assert CALL_WORKFLOW.available_moves(call, manager, unready=True) == [CallStatus.PUBLISHED]
    assert CALL_WORKFLOW.available_moves(call, user_with(Role.APPLICANT), unready=True) == []
    complete = calls.create_call(actor=manager, details=call_details(reference="SGP1-11.1"))
    assert CALL_WORKFLOW.available_moves(complete, manager) == [CallStatus.PUBLISHED]
    calls.publish_call(actor=manager, call=complete)
    assert CALL_WORKFLOW.available_moves(complete, manager) == [CallStatus.CLOSED]


def test_a_call_without_rubric_cannot_be_published():
    manager = fund_manager()
    call = calls.create_call(actor=manager, details=call_details(criteria=[]))
    with pytest.raises(ValidationFailed, match="scoring criterion"):
        calls.publish_call(actor=manager, call=call)


def test_editing_keeps_rubric_rows_and_records_what_changed():
    manager = fund_manager()
    call = calls.create_call(actor=manager, details=call_details())
    calls.update_call(
        actor=manager,
        call=call,
        details=call_details(
            criteria=[Criterion("Relevance", Decimal("50")), Criterion("Budget", Decimal("50"))],
            max_amount=19_000_00,
        ),
    )
    assert [(c.name, c.weight) for c in call.criteria] == [
        ("Relevance", Decimal("50")),
        ("Budget", Decimal("50")),
    ]
    assert call.total_weight == Decimal("100")
    assert "call.updated" in audit_actions(subject_id=call.id)


def test_a_closed_call_cannot_be_edited():
    manager = fund_manager()
    call = open_call(manager)
    calls.close_call(actor=manager, call=call)
    with pytest.raises(InvalidTransition):
        calls.update_call(actor=manager, call=call, details=call_details())


def test_the_public_sees_open_and_upcoming_calls_not_drafts_nor_past_ones():
    manager = fund_manager()
    now = utcnow()
    current = open_call(manager, reference="OPEN")
    upcoming = open_call(
        manager,
        reference="SOON",
        opens_at=now + timedelta(days=5),
        closes_at=now + timedelta(days=50),
    )
    past = open_call(
        manager,
        reference="PAST",
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=1),
    )
    calls.create_call(actor=manager, details=call_details(reference="DRAFT"))
    assert [c.reference for c in calls.public_calls(now=now)] == ["OPEN", "SOON"]
    assert {c.reference for c in calls.public_calls(now=now, include_closed=True)} == {
        "OPEN",
        "SOON",
        "PAST",
    }
    assert current.is_open_at(now) and not upcoming.is_open_at(now) and not past.is_open_at(now)


def test_texts_fall_back_to_the_default_language():
    texts = {"en": "Emergency grants", "fr": "Subventions d'urgence"}
    assert pick_translation(texts, "fr") == "Subventions d'urgence"
    assert pick_translation(texts, "es") == "Emergency grants"
    assert pick_translation({"es": "Subvenciones"}, "fr") == "Subvenciones"
