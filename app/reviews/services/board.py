"""The Board: recording a meeting and who was present, each decision with its votes (final
once recorded), closing the meeting's record, and marking the call decided."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.accounts.permissions import (
    Permission,
    can_record_decision,
    ensure_permission,
    is_member,
)
from app.applications.models import Application, ApplicationStatus
from app.applications.workflow import APPLICATION_WORKFLOW
from app.audit.services import record_event
from app.calls.models import Call
from app.platform.db import utcnow
from app.platform.errors import N_, InvalidTransition, SegregationOfDuties, ValidationFailed
from app.platform.extensions import db
from app.platform.settings import settings
from app.reviews.models import (
    BoardDecision,
    BoardMeeting,
    BoardVote,
    DecisionOutcome,
    MeetingStatus,
    Vote,
)
from app.reviews.workflow import MEETING_WORKFLOW

S = ApplicationStatus


def approved_decision_for(application: Application) -> BoardDecision | None:
    """The latest Board decision approving ``application``, or None."""
    return db.session.scalar(
        sa.select(BoardDecision)
        .where(
            BoardDecision.application_id == application.id,
            BoardDecision.outcome == DecisionOutcome.APPROVED,
        )
        .order_by(BoardDecision.decided_at.desc(), BoardDecision.id.desc())
        .limit(1)
    )


def board_quorum() -> int:
    return settings().reviews.board_quorum


def create_meeting(
    *,
    actor: User,
    held_on: date,
    members: Iterable[User],
    call: Call | None = None,
    notes: str = "",
) -> BoardMeeting:
    """Open the record of a meeting: when, and which members of the Board were present."""
    ensure_permission(actor, Permission.RECORD_BOARD_DECISION)
    present = list({m.id: m for m in members}.values())
    if not present:
        raise ValidationFailed(N_("Choose the members present."))
    for member in present:
        if not member.is_active or not member.has_role(Role.BOARD):
            raise ValidationFailed(
                N_("%(name)s is not a member of the Board."), name=member.full_name
            )
    if held_on > utcnow().date():
        raise ValidationFailed(N_("Record a meeting once it has taken place."))
    meeting = BoardMeeting(
        call_id=call.id if call else None,
        held_on=held_on,
        quorum=board_quorum(),
        status=MeetingStatus.OPEN,
        notes=notes.strip(),
        created_by_id=actor.id,
    )
    meeting.members = sorted(present, key=lambda u: u.id)
    db.session.add(meeting)
    db.session.flush()
    record_event(
        actor=actor,
        action="board_meeting.recorded",
        subject=meeting,
        summary=f"Board meeting of {held_on}: {len(present)} member(s) present, "
        f"quorum {meeting.quorum}",
        changes={"members": [None, [m.id for m in meeting.members]]},
    )
    return meeting


def close_meeting(*, actor: User, meeting: BoardMeeting) -> BoardMeeting:
    MEETING_WORKFLOW.transition(meeting, MeetingStatus.CLOSED, actor=actor)
    meeting.closed_at = utcnow()
    db.session.flush()
    return meeting


_VOTE_FOR = {
    DecisionOutcome.APPROVED: Vote.APPROVE,
    DecisionOutcome.RESERVE: Vote.RESERVE,
    DecisionOutcome.REJECTED: Vote.REJECT,
}


@dataclass(frozen=True)
class Voters:
    voting: list[User]
    recused: list[User]


def voters_for(meeting: BoardMeeting, application: Application) -> Voters:
    """The members present who may vote on ``application``; those linked to it are recused."""
    recused = [m for m in meeting.members if is_member(m, application.organisation_id)]
    voting = [m for m in meeting.members if m not in recused]
    return Voters(voting, recused)


def record_decision(
    *,
    actor: User,
    meeting: BoardMeeting,
    application: Application,
    outcome: DecisionOutcome,
    votes: Mapping[int, Vote],
    rationale: str,
    approved_amount: int | None = None,
    conditions: str = "",
) -> BoardDecision:
    """The Board's decision on one application, with each member's vote. Final once recorded:
    nothing edits it (the table refuses UPDATE and DELETE); a reserve is approved later by a
    new decision."""
    outcome = DecisionOutcome(outcome)
    rationale, conditions = rationale.strip(), conditions.strip()
    amount, cast = _checked_decision(
        actor, meeting, application, outcome, votes, rationale, approved_amount, conditions
    )
    target = S(outcome.value)
    voters = voters_for(meeting, application)
    decision = BoardDecision(
        application_id=application.id,
        meeting_id=meeting.id,
        outcome=outcome,
        approved_amount=amount,
        conditions=conditions,
        rationale=rationale,
        decided_at=utcnow(),
        recorded_by_id=actor.id,
    )
    decision.votes = [
        BoardVote(member_id=member_id, vote=vote) for member_id, vote in sorted(cast.items())
    ] + [BoardVote(member_id=m.id, vote=Vote.RECUSED) for m in voters.recused]
    db.session.add(decision)
    db.session.flush()
    APPLICATION_WORKFLOW.transition(
        application,
        target,
        actor=actor,
        reason=f"Board meeting {meeting.reference}",
        changes={
            "board_decision_id": [None, decision.id],
            "approved_amount": [None, amount],
            "votes": {str(v.member_id): str(v.vote) for v in decision.votes},
        },
    )
    db.session.flush()
    return decision


def check_decision(
    *,
    actor: User,
    meeting: BoardMeeting,
    application: Application,
    outcome: DecisionOutcome,
    votes: Mapping[int, Vote],
    rationale: str,
    approved_amount: int | None = None,
    conditions: str = "",
) -> None:
    """Refuse, writing nothing, what ``record_decision`` would refuse: the decision is read back
    to the person recording it before it is recorded, and what is wrong is said first."""
    _checked_decision(
        actor,
        meeting,
        application,
        DecisionOutcome(outcome),
        votes,
        rationale.strip(),
        approved_amount,
        conditions.strip(),
    )


def _checked_decision(
    actor: User,
    meeting: BoardMeeting,
    application: Application,
    outcome: DecisionOutcome,
    votes: Mapping[int, Vote],
    rationale: str,
    approved_amount: int | None,
    conditions: str,
) -> tuple[int | None, dict[int, Vote]]:
    """The amount approved and the votes cast, once every rule of a decision holds."""
    _check_may_decide(actor, meeting, application)
    APPLICATION_WORKFLOW.find(application, S(outcome.value))  # refuse before writing anything
    if not rationale:
        raise ValidationFailed(N_("Record the Board's reasons for the decision."))
    amount = _amount_approved(outcome, application, approved_amount, conditions=conditions)
    return amount, _votes_cast(meeting, voters_for(meeting, application), outcome, votes)


def _check_may_decide(actor: User, meeting: BoardMeeting, application: Application) -> None:
    """Someone who records decisions, not linked to the applicant, at an open meeting of the
    application's call (or of any call)."""
    if not can_record_decision(actor, application):
        ensure_permission(actor, Permission.RECORD_BOARD_DECISION)
        raise SegregationOfDuties(
            N_("You belong to the applicant organisation, so you cannot record its decision.")
        )
    if meeting.status != MeetingStatus.OPEN:
        raise InvalidTransition(N_("This meeting's record is closed."))
    if meeting.call_id is not None and meeting.call_id != application.call_id:
        raise ValidationFailed(N_("This meeting decides on another call."))


def _amount_approved(
    outcome: DecisionOutcome,
    application: Application,
    approved_amount: int | None,
    *,
    conditions: str,
) -> int | None:
    """An approval's amount (more than nothing, at most what was asked); None otherwise, and
    then no conditions either."""
    if outcome == DecisionOutcome.APPROVED:
        if approved_amount is None or approved_amount <= 0:
            raise ValidationFailed(N_("Give the amount approved."))
        if approved_amount > application.requested_amount:
            raise ValidationFailed(N_("The amount approved cannot exceed the amount requested."))
        return approved_amount
    if conditions:
        raise ValidationFailed(N_("Conditions go with an approval."))
    return None


def _votes_cast(
    meeting: BoardMeeting, voters: Voters, outcome: DecisionOutcome, votes: Mapping[int, Vote]
) -> dict[int, Vote]:
    """Each voting member's vote, by member id, once the quorum is there, every voting member
    has voted, and the votes carry ``outcome`` (more of them than for any other outcome)."""
    if len(voters.voting) < meeting.quorum:
        raise ValidationFailed(
            N_(
                "No quorum: %(voting)s member(s) present may vote on this application and "
                "the Board needs %(quorum)s."
            ),
            voting=len(voters.voting),
            quorum=meeting.quorum,
        )
    cast: dict[int, Vote] = {}
    for member in voters.voting:
        vote = votes.get(member.id)
        if vote is None or Vote(vote) == Vote.RECUSED:
            raise ValidationFailed(N_("Record the vote of %(name)s."), name=member.full_name)
        cast[member.id] = Vote(vote)
    tally = Counter(cast.values())
    chosen = tally[_VOTE_FOR[outcome]]
    if any(tally[v] >= chosen for o, v in _VOTE_FOR.items() if o != outcome) or chosen == 0:
        raise ValidationFailed(N_("The votes recorded do not carry this outcome."))
    return cast


def decide_call(*, actor: User, call: Call) -> Call:
    """Mark the call decided once no application waits (the guard is in workflow.py)."""
    from app.calls import services as calls

    return calls.decide_call(actor=actor, call=call)
