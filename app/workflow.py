"""State machines shared by every area: one ``transition()`` that checks, audits and notifies.

Each area declares its ``Workflow`` in ``app/domain/<area>/workflow.py``; nothing else assigns a
status field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.accounts.permissions import Permission, ensure_permission, has_permission
from app.audit.services import record_event
from app.platform.errors import N_, DomainError, InvalidTransition, Phrase

# A guard inspects the object and actor and raises a DomainError when the move is not allowed.
Guard = Callable[[Any, Any], None]
# Listeners are told about each transition after it is recorded (notifications subscribe here).
Listener = Callable[[str, Any, StrEnum, StrEnum, Any], None]


@dataclass(frozen=True)
class Transition:
    sources: frozenset[StrEnum]
    target: StrEnum
    permission: Permission | None
    # Who may make the move (the applicant's staff, not the maker...).
    guard: Guard | None = None
    # What the record itself needs first (complete, every review in...), checked after the guard.
    # Kept apart so a page can offer the move before the record is ready and let the refusal say
    # what is missing (``available_moves(..., unready=True)``).
    ready: Guard | None = None


# What each workflow's objects are called in messages (the names stay in audit actions).
_KINDS = {
    "application": N_("application"),
    "board_meeting": N_("Board meeting"),
    "call": N_("call for proposals"),
    "concept_note": N_("concept note"),
    "gift": N_("gift"),
    "grant": N_("grant"),
    "grant_amendment": N_("grant amendment"),
    "grant_report": N_("grant report"),
    "organisation_due_diligence": N_("organisation's due diligence"),
    "pledge": N_("pledge"),
    "review": N_("review"),
    "review_assignment": N_("review assignment"),
    "tranche": N_("tranche"),
}


@dataclass
class Workflow:
    name: str
    transitions: list[Transition]
    state_attr: str = "status"
    listeners: list[Listener] = field(default_factory=list)

    def subscribe(self, listener: Listener) -> None:
        """Add ``listener`` once (start-up may run more than once in a process, as in tests)."""
        if listener not in self.listeners:
            self.listeners.append(listener)

    def available_moves(
        self,
        obj: Any,
        actor: Any,
        *,
        among: Iterable[StrEnum] | None = None,
        unready: bool = False,
    ) -> list[StrEnum]:
        """The states ``actor`` may move ``obj`` to now, in declaration order.

        Asks the same permission, guard and readiness check that ``transition`` makes, so a page
        that offers a button only for these targets offers exactly the moves that would succeed.
        ``among`` judges only those targets (a guard may cost queries); ``unready`` also offers
        the moves whose only obstacle is the ``ready`` check, for pages that show the button and
        let the refusal explain what is missing. Guards may read the database; none writes.
        """
        state = getattr(obj, self.state_attr)
        wanted = None if among is None else set(among)
        moves: list[StrEnum] = []
        seen: set[StrEnum] = set()
        for move in self.transitions:
            if state not in move.sources or move.target in seen:
                continue
            # ``find`` takes the first declared move to a target: judge that one only.
            seen.add(move.target)
            if wanted is not None and move.target not in wanted:
                continue
            if move.permission is not None and not has_permission(actor, move.permission):
                continue
            checks = [move.guard] if unready else [move.guard, move.ready]
            try:
                for check in checks:
                    if check is not None:
                        check(obj, actor)
            except DomainError:
                continue
            moves.append(move.target)
        return moves

    def find(self, obj: Any, target: StrEnum) -> Transition:
        state = getattr(obj, self.state_attr)
        for candidate in self.transitions:
            if candidate.target == target and state in candidate.sources:
                return candidate
        raise InvalidTransition(
            N_("This %(kind)s is %(state)s: it cannot become %(target)s."),
            kind=Phrase(_KINDS.get(self.name, self.name.replace("_", " "))),
            state=state,
            target=target,
        )

    def transition(
        self,
        obj: Any,
        target: StrEnum,
        *,
        actor: Any,
        reason: str | None = None,
        changes: dict[str, Any] | None = None,
    ) -> None:
        """Move ``obj`` to ``target``: permission, guard, readiness, state change, audit,
        notifications."""
        move = self.find(obj, target)
        if move.permission is not None:
            ensure_permission(actor, move.permission)
        if move.guard is not None:
            move.guard(obj, actor)
        if move.ready is not None:
            move.ready(obj, actor)
        source = getattr(obj, self.state_attr)
        setattr(obj, self.state_attr, target)
        summary = f"{self.name}: {source} → {target}"
        if reason:
            summary += f" ({reason})"
        record_event(
            actor=actor,
            action=f"{self.name}.{target}",
            subject=obj,
            summary=summary,
            changes={self.state_attr: [str(source), str(target)], **(changes or {})},
        )
        for listener in self.listeners:
            listener(self.name, obj, source, target, actor)


def transitions(
    sources: Iterable[StrEnum],
    target: StrEnum,
    permission: Permission | None,
    guard: Guard | None = None,
    *,
    ready: Guard | None = None,
) -> Transition:
    """Shorthand for declaring a Transition from several source states."""
    return Transition(frozenset(sources), target, permission, guard, ready)
