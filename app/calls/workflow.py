"""Life cycle of a call (draft → published → closed → decided): each move and its guard, once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.accounts.permissions import Permission
from app.calls.models import Call, CallStatus
from app.platform.errors import N_, ValidationFailed
from app.workflow import Workflow, transitions


def publishable_problems(call: Call) -> list[tuple[str, dict[str, Any]]]:
    """What stops a call from being published, as (msgid, params) pairs."""
    problems: list[tuple[str, dict[str, Any]]] = []
    if not any(call.title.values()):
        problems.append((N_("Give the call a title."), {}))
    if not any(call.description.values()):
        problems.append((N_("Describe the call."), {}))
    if not call.criteria:
        problems.append((N_("Add at least one scoring criterion."), {}))
    if not call.languages:
        problems.append((N_("Choose the languages in which proposals are accepted."), {}))
    return problems


def _ready_to_publish(call: Call, actor: Any) -> None:
    problems = publishable_problems(call)
    if problems:
        message, params = problems[0]
        raise ValidationFailed(message, **params)


def _not_connected(call: Call) -> int:
    raise RuntimeError("No count of undecided applications: create_app() connects it.")


# Which applications still wait for a decision is known where applications are selected, and
# those areas build on this one: importing them here would make the areas import each other. So
# the check asks a function that create_app() hands over once, at start-up (count_undecided_with).
_undecided_count: Callable[[Call], int] = _not_connected


def count_undecided_with(count: Callable[[Call], int]) -> None:
    """Tell the "decided" guard how to count a call's undecided applications (start-up only)."""
    global _undecided_count
    _undecided_count = count


def _all_decided(call: Call, actor: Any) -> None:
    """A call is decided once none of its submitted applications waits for a decision."""
    waiting = _undecided_count(call)
    if waiting:
        raise ValidationFailed(
            N_("%(count)s application(s) of this call still wait for a decision."), count=waiting
        )


CALL_WORKFLOW = Workflow(
    name="call",
    transitions=[
        transitions(
            [CallStatus.DRAFT],
            CallStatus.PUBLISHED,
            Permission.MANAGE_CALLS,
            ready=_ready_to_publish,
        ),
        # Closing is bookkeeping: submissions are refused after closes_at whatever the status.
        transitions([CallStatus.PUBLISHED], CallStatus.CLOSED, Permission.MANAGE_CALLS),
        transitions(
            [CallStatus.CLOSED], CallStatus.DECIDED, Permission.MANAGE_CALLS, ready=_all_decided
        ),
    ],
)
