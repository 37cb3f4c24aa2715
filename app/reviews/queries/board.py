"""The Board's papers: its members, the pack of a call, its meetings, and the decisions taken."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.accounts.models import Role, User
from app.applications.models import Application, ApplicationStatus
from app.calls.models import Call
from app.platform.extensions import db
from app.reviews.models import BoardDecision, BoardMeeting
from app.reviews.queries.assignments import users_with_role
from app.reviews.queries.ranking import RankedApplication, call_ranking

S = ApplicationStatus


def board_members() -> list[User]:
    return users_with_role(Role.BOARD)


def board_pack_rows(call: Call) -> list[RankedApplication]:
    """What goes to the Board: recommended and not recommended applications, and the reserve
    list (for money that frees up), in ranking order."""
    wanted = (S.RECOMMENDED, S.NOT_RECOMMENDED, S.RESERVE)
    return [r for r in call_ranking(call).rows if r.application.status in wanted]


def board_pack_counts() -> dict[int, int]:
    """How many applications each call has before the Board (as in ``board_pack_rows``).

    One grouped query for the Board's overview, rather than ranking every call's applications.
    """
    wanted = (S.RECOMMENDED, S.NOT_RECOMMENDED, S.RESERVE)
    rows = db.session.execute(
        sa.select(Application.call_id, sa.func.count())
        .where(Application.status.in_(wanted))
        .group_by(Application.call_id)
    ).all()
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


def meetings() -> list[BoardMeeting]:
    return list(
        db.session.execute(
            sa.select(BoardMeeting)
            .options(
                selectinload(BoardMeeting.call),
                selectinload(BoardMeeting.members),
                selectinload(BoardMeeting.decisions),
            )
            .order_by(BoardMeeting.held_on.desc(), BoardMeeting.id.desc())
        ).scalars()
    )


def awaiting_decision(meeting: BoardMeeting) -> list[Application]:
    """Applications the meeting can decide: those before the Board, and the reserve list."""
    query = sa.select(Application).where(
        Application.status.in_((S.RECOMMENDED, S.NOT_RECOMMENDED, S.RESERVE))
    )
    if meeting.call_id is not None:
        query = query.where(Application.call_id == meeting.call_id)
    applications = list(db.session.execute(query).scalars())
    order = {S.RECOMMENDED: 0, S.NOT_RECOMMENDED: 1, S.RESERVE: 2}
    return sorted(applications, key=lambda a: (order[a.status], a.call_id, a.id))
