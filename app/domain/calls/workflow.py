"""Life cycle of a call: draft → published → closed → decided."""

from __future__ import annotations

from typing import Any

from app.domain.accounts.permissions import Permission
from app.domain.calls.models import Call, CallStatus
from app.domain.errors import N_, ValidationFailed
from app.domain.workflow import Workflow, transitions


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


def _guard_publish(call: Call, actor: Any) -> None:
    problems = publishable_problems(call)
    if problems:
        message, params = problems[0]
        raise ValidationFailed(message, **params)


CALL_WORKFLOW = Workflow(
    name="call",
    transitions=[
        transitions(
            [CallStatus.DRAFT], CallStatus.PUBLISHED, Permission.MANAGE_CALLS, _guard_publish
        ),
        # Closing is bookkeeping: submissions are refused after closes_at whatever the status.
        transitions([CallStatus.PUBLISHED], CallStatus.CLOSED, Permission.MANAGE_CALLS),
        # The review area (issue 6) may add a guard: every application decided first.
        transitions([CallStatus.CLOSED], CallStatus.DECIDED, Permission.MANAGE_CALLS),
    ],
)
