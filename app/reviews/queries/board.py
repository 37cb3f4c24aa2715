"""The Board's papers: its members, the pack of a call, its meetings, and the decisions taken."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import lazyload, selectinload

from app.accounts.models import Role, User
from app.applications.models import Application, ApplicationStatus
from app.calls.models import Call, CallStatus
from app.platform.extensions import db
from app.reviews.models import BoardDecision, BoardMeeting
from app.reviews.queries.assignments import users_with_role
from app.reviews.queries.ranking import RankedApplication, call_ranking

S = ApplicationStatus


def board_members() -> list[User]:
    return users_with_role(Role.BOARD)


# Before the Board: recommended and not recommended applications, and the reserve list.
PACK_STATUSES = (S.RECOMMENDED, S.NOT_RECOMMENDED, S.RESERVE)
# The calls whose pack the Board's overview lists.
PACK_CALL_STATUSES = (CallStatus.CLOSED, CallStatus.DECIDED, CallStatus.PUBLISHED)


def board_pack_rows(call: Call) -> list[RankedApplication]:
    """What goes to the Board: recommended and not recommended applications, and the reserve
    list (for money that frees up), in ranking order."""
    return [r for r in call_ranking(call).rows if r.application.status in PACK_STATUSES]


def calls_with_a_pack() -> sa.Select[Any]:
    """The calls with at least one application before the Board, unordered (the overview
    pages them), without their rubric."""
    before_board = (
        sa.select(Application.id)
        .where(Application.call_id == Call.id, Application.status.in_(PACK_STATUSES))
        .exists()
    )
    return (
        sa.select(Call)
        .options(lazyload(Call.criteria))
        .where(Call.status.in_(PACK_CALL_STATUSES), before_board)
    )


def board_pack_counts(call_ids: Iterable[int] | None = None) -> dict[int, int]:
    """How many applications each call has before the Board (as in ``board_pack_rows``): of
    the calls ``call_ids`` (a page of them), or of every call.

    One grouped query for the Board's overview, rather than ranking every call's applications.
    """
    query = (
        sa.select(Application.call_id, sa.func.count())
        .where(Application.status.in_(PACK_STATUSES))
        .group_by(Application.call_id)
    )
    if call_ids is not None:
        ids = list(call_ids)
        if not ids:
            return {}
        query = query.where(Application.call_id.in_(ids))
    rows = db.session.execute(query).all()
    return {int(call_id): int(count) for call_id, count in rows}


def decisions_of(application: Application) -> list[BoardDecision]:
    return list(
        db.session.execute(
            sa.select(BoardDecision)
            .where(BoardDecision.application_id == application.id)
            .order_by(BoardDecision.decided_at, BoardDecision.id)
        ).scalars()
    )


def latest_decision(application: Application) -> BoardDecision | None:
    decisions = decisions_of(application)
    return decisions[-1] if decisions else None


def meetings_query() -> sa.Select[Any]:
    """The Board's meetings, unordered (the overview pages them), with their call and members
    (a page's in one query each); their decisions are counted by ``decision_counts``."""
    return sa.select(BoardMeeting).options(
        selectinload(BoardMeeting.call).lazyload(Call.criteria),
        selectinload(BoardMeeting.members),
    )


def decision_counts(meeting_ids: Iterable[int]) -> dict[int, int]:
    """How many decisions each of these meetings recorded: one query for a page of meetings."""
    ids = list(meeting_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(BoardDecision.meeting_id, sa.func.count())
        .where(BoardDecision.meeting_id.in_(ids))
        .group_by(BoardDecision.meeting_id)
    ).all()
    return {int(meeting_id): int(count) for meeting_id, count in rows}


def awaiting_decision(meeting: BoardMeeting) -> list[Application]:
    """Applications the meeting can decide: those before the Board, and the reserve list."""
    query = sa.select(Application).where(Application.status.in_(PACK_STATUSES))
    if meeting.call_id is not None:
        query = query.where(Application.call_id == meeting.call_id)
    applications = list(db.session.execute(query).scalars())
    order = {S.RECOMMENDED: 0, S.NOT_RECOMMENDED: 1, S.RESERVE: 2}
    return sorted(applications, key=lambda a: (order[a.status], a.call_id, a.id))
