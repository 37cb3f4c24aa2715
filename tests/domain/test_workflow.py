"""The shared state machine: permission, guard, audit and listeners on every transition."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import dataclass
from enum import StrEnum

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.accounts.permissions import Permission
from app.audit.models import AuditEvent
from app.platform.errors import InvalidTransition, PermissionDenied, ValidationFailed
from app.platform.extensions import db
from app.workflow import Workflow, transitions
from tests.factories import user_with


class Light(StrEnum):
    RED = "red"
    GREEN = "green"
    BROKEN = "broken"


@dataclass
class Lamp:
    id: int
    status: Light
    fuse_ok: bool = True
    __tablename__ = "lamps"


def _fuse_must_be_ok(lamp: Lamp, actor: object) -> None:
    if not lamp.fuse_ok:
        raise ValidationFailed("The fuse is blown.")


def _workflow(seen: list) -> Workflow:
    return Workflow(
        name="lamp",
        transitions=[
            transitions([Light.RED], Light.GREEN, Permission.MANAGE_CALLS, _fuse_must_be_ok),
            transitions([Light.RED, Light.GREEN], Light.BROKEN, None),
        ],
        listeners=[lambda name, obj, old, new, actor: seen.append((name, old, new))],
    )


def test_transition_changes_state_audits_and_notifies():
    seen: list = []
    lamp = Lamp(id=7, status=Light.RED)
    manager = user_with(Role.FUND_MANAGER)
    _workflow(seen).transition(lamp, Light.GREEN, actor=manager, reason="morning")
    db.session.flush()
    assert lamp.status == Light.GREEN
    assert seen == [("lamp", Light.RED, Light.GREEN)]
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "lamp.green")
    ).scalar_one()
    assert (event.subject_type, event.subject_id, event.actor_id) == ("lamps", "7", manager.id)
    assert event.changes == {"status": ["red", "green"]}
    assert "morning" in event.summary


def test_transition_not_in_the_map_is_refused():
    lamp = Lamp(id=1, status=Light.BROKEN)
    with pytest.raises(InvalidTransition, match="is broken: it cannot become green"):
        _workflow([]).transition(lamp, Light.GREEN, actor=user_with(Role.FUND_MANAGER))
    assert lamp.status == Light.BROKEN


def test_transition_needs_the_permission():
    lamp = Lamp(id=1, status=Light.RED)
    with pytest.raises(PermissionDenied):
        _workflow([]).transition(lamp, Light.GREEN, actor=user_with(Role.DONOR))
    assert lamp.status == Light.RED


def test_guard_can_refuse_with_a_reason():
    lamp = Lamp(id=1, status=Light.RED, fuse_ok=False)
    with pytest.raises(ValidationFailed, match="fuse"):
        _workflow([]).transition(lamp, Light.GREEN, actor=user_with(Role.FUND_MANAGER))
    assert lamp.status == Light.RED


def test_available_moves_lists_what_this_person_may_do_now():
    lamp = Lamp(id=1, status=Light.RED)
    assert _workflow([]).available_moves(lamp, user_with(Role.FUND_MANAGER)) == [
        Light.GREEN,
        Light.BROKEN,
    ]
    assert lamp.status == Light.RED


def test_available_moves_leaves_out_a_move_without_the_permission():
    lamp = Lamp(id=1, status=Light.RED)
    assert _workflow([]).available_moves(lamp, user_with(Role.DONOR)) == [Light.BROKEN]


def test_available_moves_leaves_out_a_move_its_guard_refuses():
    lamp = Lamp(id=1, status=Light.RED, fuse_ok=False)
    assert _workflow([]).available_moves(lamp, user_with(Role.FUND_MANAGER)) == [Light.BROKEN]


def test_available_moves_offers_nothing_from_a_final_state():
    lamp = Lamp(id=1, status=Light.BROKEN)
    assert _workflow([]).available_moves(lamp, user_with(Role.FUND_MANAGER)) == []


def test_available_moves_judges_the_move_transition_would_take():
    """Two moves to one target from one state: ``transition`` takes the first, and so does
    ``available_moves``, even when the second would have let the actor through."""
    workflow = Workflow(
        name="lamp",
        transitions=[
            transitions([Light.RED], Light.GREEN, Permission.MANAGE_CALLS),
            transitions([Light.RED], Light.GREEN, None),
        ],
    )
    donor = user_with(Role.DONOR)
    assert workflow.available_moves(Lamp(id=1, status=Light.RED), donor) == []
    with pytest.raises(PermissionDenied):
        workflow.transition(Lamp(id=1, status=Light.RED), Light.GREEN, actor=donor)


def test_available_moves_among_judges_only_the_targets_asked():
    lamp = Lamp(id=1, status=Light.RED, fuse_ok=False)
    asked = _workflow([]).available_moves(
        lamp, user_with(Role.FUND_MANAGER), among=[Light.BROKEN, Light.GREEN]
    )
    assert asked == [Light.BROKEN]
    assert _workflow([]).available_moves(lamp, user_with(Role.FUND_MANAGER), among=[]) == []


def _lamp_with_a_readiness_check() -> Workflow:
    def _not_mine(lamp: Lamp, actor: object) -> None:
        if getattr(actor, "id", None) == lamp.id:
            raise PermissionDenied("Not your own lamp.")

    return Workflow(
        name="lamp",
        transitions=[
            transitions(
                [Light.RED], Light.GREEN, Permission.MANAGE_CALLS, _not_mine, ready=_fuse_must_be_ok
            )
        ],
    )


def test_a_move_not_ready_is_refused_and_offered_only_when_unready_is_asked():
    workflow = _lamp_with_a_readiness_check()
    manager = user_with(Role.FUND_MANAGER)
    lamp = Lamp(id=manager.id + 1, status=Light.RED, fuse_ok=False)
    assert workflow.available_moves(lamp, manager) == []
    assert workflow.available_moves(lamp, manager, unready=True) == [Light.GREEN]
    with pytest.raises(ValidationFailed, match="fuse"):
        workflow.transition(lamp, Light.GREEN, actor=manager)
    lamp.fuse_ok = True
    assert workflow.available_moves(lamp, manager) == [Light.GREEN]
    # The guard (who may) holds even for a page that offers moves not ready yet.
    own = Lamp(id=manager.id, status=Light.RED, fuse_ok=False)
    assert workflow.available_moves(own, manager, unready=True) == []
    with pytest.raises(PermissionDenied, match="own lamp"):
        workflow.transition(own, Light.GREEN, actor=manager)


def test_importing_an_area_changes_no_other_areas_workflow():
    """Each workflow declares its moves once; importing the areas that build on it (in a fresh
    interpreter, before any app exists) adds no move, guard or listener."""
    script = textwrap.dedent(
        """
        from app.applications.workflow import APPLICATION_WORKFLOW as A
        from app.calls.workflow import CALL_WORKFLOW as C

        def snapshot():
            return (list(A.transitions), list(A.listeners), list(C.transitions), C.listeners[:])

        before = snapshot()
        import app.reviews
        import app.reviews.services
        import app.reviews.workflow
        import app.models
        assert snapshot() == before, "an import changed a workflow"
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)  # noqa: S603 - our own code
