"""Selection services: screening, assignments and declarations, reviews, recommendations and
the Board's decisions.

Every function takes the acting user explicitly, checks the rules itself (the routes' checks
are a convenience, not the defence), flushes, and leaves the commit to its caller. Status
changes go through the workflows in workflow.py, which audit them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import Role, User
from app.accounts.permissions import (
    Permission,
    can_assign_reviewers,
    can_recommend,
    can_record_decision,
    ensure_permission,
    is_member,
)
from app.applications import services as ngo
from app.applications.models import Application, ApplicationStatus
from app.applications.workflow import APPLICATION_WORKFLOW
from app.audit.services import record_event
from app.calls.models import Call
from app.notifications.models import NotificationKind
from app.notifications.services import link_to, notify, notify_all
from app.platform.db import utcnow
from app.platform.errors import (
    N_,
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    SegregationOfDuties,
    ValidationFailed,
)
from app.platform.extensions import db
from app.reviews import queries
from app.reviews.models import (
    MAX_SCORE,
    AssignmentStatus,
    BoardDecision,
    BoardMeeting,
    BoardVote,
    DecisionOutcome,
    MeetingStatus,
    PanelOutcome,
    PanelRecommendation,
    Recommendation,
    Review,
    ReviewAssignment,
    ReviewScore,
    ReviewStatus,
    Screening,
    ScreeningOutcome,
    Vote,
)
from app.reviews.queries import Check
from app.reviews.workflow import (
    ASSIGNMENT_WORKFLOW,
    MEETING_WORKFLOW,
    REVIEW_WORKFLOW,
)

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


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(N_("You do not have permission to do this."))


def _fund_side(actor: Any, application: Application, permission: Permission) -> None:
    """The permission, and no link with the applicant (segregation of duties)."""
    ensure_permission(actor, permission)
    if is_member(actor, application.organisation_id):
        raise SegregationOfDuties(
            N_("You belong to the applicant organisation, so you take no part in its selection.")
        )


# --- screening ------------------------------------------------------------------------------


def start_screening(*, actor: User, application: Application) -> Application:
    """The screener takes a submitted application (submitted → screening)."""
    APPLICATION_WORKFLOW.transition(application, S.SCREENING, actor=actor)
    db.session.flush()
    return application


def record_screening(
    *,
    actor: User,
    application: Application,
    outcome: ScreeningOutcome,
    confirmed: Iterable[Check | str] = (),
    reason: str = "",
    question: str = "",
) -> Screening:
    """The eligibility decision, with the checklist as the screener saw it.

    Eligible needs every check met (the system's and those the screener confirms); ineligible
    needs a reason, shown to the applicant; a request for information needs the question.
    """
    outcome = ScreeningOutcome(outcome)
    _fund_side(actor, application, Permission.SCREEN_APPLICATION)
    if application.status not in (S.SUBMITTED, S.SCREENING):
        raise InvalidTransition(N_("Only a submitted application can be screened."))
    ticked = {Check(c) for c in confirmed if c in {m.value for m in Check}}
    checklist = [
        {
            "check": item.check.value,
            "passed": item.check in ticked if item.manual else bool(item.passed),
            "manual": item.manual,
        }
        for item in queries.screening_checklist(application)
    ]
    unmet = [row["check"] for row in checklist if not row["passed"]]
    reason, question = reason.strip(), question.strip()
    if outcome == ScreeningOutcome.ELIGIBLE and unmet:
        raise ValidationFailed(
            N_(
                "%(count)s check(s) are not met. An eligible application meets them all; "
                "otherwise ask for information or screen it out."
            ),
            count=len(unmet),
        )
    if outcome == ScreeningOutcome.INELIGIBLE and not reason:
        raise ValidationFailed(N_("Give the reason; the organisation will see it."))
    if outcome == ScreeningOutcome.INFO_REQUESTED and not question:
        raise ValidationFailed(N_("Write the question for the organisation."))
    if application.status == S.SUBMITTED:
        start_screening(actor=actor, application=application)
    screening = Screening(
        application_id=application.id,
        outcome=outcome,
        checklist=checklist,
        reason=reason if outcome == ScreeningOutcome.INELIGIBLE else "",
        screened_by_id=actor.id,
    )
    db.session.add(screening)
    changes = {"unmet_checks": unmet}
    if outcome == ScreeningOutcome.ELIGIBLE:
        APPLICATION_WORKFLOW.transition(application, S.IN_REVIEW, actor=actor, changes=changes)
    elif outcome == ScreeningOutcome.INELIGIBLE:
        APPLICATION_WORKFLOW.transition(
            application, S.INELIGIBLE, actor=actor, reason=reason[:200], changes=changes
        )
    else:
        ngo.request_information(actor=actor, application=application, question=question)
    db.session.flush()
    return screening


# --- reviewer assignments -------------------------------------------------------------------


def _check_due_date(due_on: date) -> None:
    if due_on < utcnow().date():
        raise ValidationFailed(N_("The due date cannot be in the past."))


def _check_reviewer(application: Application, reviewer: User) -> None:
    if not reviewer.is_active or not reviewer.has_role(Role.REVIEWER):
        raise ValidationFailed(N_("%(name)s is not a reviewer."), name=reviewer.full_name)
    if is_member(reviewer, application.organisation_id):
        raise SegregationOfDuties(
            N_("%(name)s belongs to the applicant organisation and cannot review it."),
            name=reviewer.full_name,
        )
    if reviewer.id in queries.conflicted_reviewer_ids(application):
        raise Conflict(
            N_("%(name)s has declared a conflict of interest with this organisation."),
            name=reviewer.full_name,
        )


def assign_reviewer(
    *, actor: User, application: Application, reviewer: User, due_on: date | None = None
) -> ReviewAssignment:
    """Ask ``reviewer`` to review; they are told, and must declare before they see it."""
    _fund_side(actor, application, Permission.ASSIGN_REVIEWERS)
    if application.status != S.IN_REVIEW:
        raise InvalidTransition(N_("Reviewers are assigned once the application is in review."))
    due_on = due_on or queries.default_due_date(utcnow().date())
    _check_due_date(due_on)
    _check_reviewer(application, reviewer)
    assignment = queries.assignment_for(application, reviewer)
    if assignment is not None:
        if assignment.status != AssignmentStatus.REMOVED:
            raise Conflict(
                N_("%(name)s is already a reviewer of this application."), name=reviewer.full_name
            )
        ASSIGNMENT_WORKFLOW.transition(
            assignment, AssignmentStatus.AWAITING_DECLARATION, actor=actor, reason="assigned again"
        )
        assignment.has_conflict = None
        assignment.conflict_description = ""
        assignment.declared_at = None
        assignment.removed_at = None
        assignment.reminded_on = None
        assignment.due_on = due_on
        assignment.assigned_by_id = actor.id
        assignment.assigned_at = utcnow()
    else:
        assignment = ReviewAssignment(
            application_id=application.id,
            reviewer_id=reviewer.id,
            status=AssignmentStatus.AWAITING_DECLARATION,
            due_on=due_on,
            assigned_by_id=actor.id,
            assigned_at=utcnow(),
        )
        db.session.add(assignment)
        db.session.flush()
        record_event(
            actor=actor,
            action="review_assignment.assigned",
            subject=assignment,
            summary=f"{application.reference}: reviewer {reviewer.email} assigned, due {due_on}",
            changes={"application_id": [None, application.id], "reviewer_id": [None, reviewer.id]},
        )
    notify(
        user=reviewer,
        kind=NotificationKind.REVIEW_ASSIGNED,
        link=link_to("reviews.assignment", assignment_id=assignment.id),
        params={"reference": application.reference, "due_on": due_on.isoformat()},
    )
    db.session.flush()
    return assignment


def assign_suggested(
    *, actor: User, application: Application, due_on: date | None = None
) -> list[ReviewAssignment]:
    """Assign the suggested reviewers (least loaded, not linked, no declared conflict)."""
    _fund_side(actor, application, Permission.ASSIGN_REVIEWERS)
    return [
        assign_reviewer(actor=actor, application=application, reviewer=reviewer, due_on=due_on)
        for reviewer in queries.suggest_reviewers(application)
    ]


def assign_suggested_for_call(
    *, actor: User, call: Call, due_on: date | None = None
) -> list[ReviewAssignment]:
    """Bring every application of the call in review up to the number of reviewers wanted,
    spreading the work: each assignment made counts towards the next suggestion."""
    ensure_permission(actor, Permission.ASSIGN_REVIEWERS)
    made: list[ReviewAssignment] = []
    applications = db.session.execute(
        sa.select(Application)
        .where(Application.call_id == call.id, Application.status == S.IN_REVIEW)
        .order_by(Application.id)
    ).scalars()
    for application in applications:
        if is_member(actor, application.organisation_id):
            continue  # another fund manager assigns these
        for reviewer in queries.suggest_reviewers(application):
            made.append(
                assign_reviewer(
                    actor=actor, application=application, reviewer=reviewer, due_on=due_on
                )
            )
    return made


def remove_reviewer(*, actor: User, assignment: ReviewAssignment, reason: str = "") -> None:
    """Take the review back (not once submitted); a draft review stays, unseen."""
    ASSIGNMENT_WORKFLOW.transition(
        assignment, AssignmentStatus.REMOVED, actor=actor, reason=reason.strip()[:200] or None
    )
    assignment.removed_at = utcnow()
    db.session.flush()


def reassign_review(
    *,
    actor: User,
    assignment: ReviewAssignment,
    reviewer: User,
    due_on: date | None = None,
) -> ReviewAssignment:
    """Give a review to someone else: the first reviewer is removed, the second asked."""
    if reviewer.id == assignment.reviewer_id:
        raise ValidationFailed(N_("Choose a different reviewer."))
    application = assignment.application
    _fund_side(actor, application, Permission.ASSIGN_REVIEWERS)
    _check_reviewer(application, reviewer)
    if assignment.status != AssignmentStatus.RECUSED:
        remove_reviewer(actor=actor, assignment=assignment, reason="reassigned")
    return assign_reviewer(
        actor=actor,
        application=application,
        reviewer=reviewer,
        due_on=due_on or assignment.due_on,
    )


def set_due_date(*, actor: User, assignment: ReviewAssignment, due_on: date) -> ReviewAssignment:
    _fund_side(actor, assignment.application, Permission.ASSIGN_REVIEWERS)
    if assignment.status not in queries.OPEN_ASSIGNMENT:
        raise InvalidTransition(N_("This reviewer is no longer on the application."))
    _check_due_date(due_on)
    before = assignment.due_on
    if before != due_on:
        assignment.due_on = due_on
        assignment.reminded_on = None
        record_event(
            actor=actor,
            action="review_assignment.due_date_changed",
            subject=assignment,
            summary=f"{assignment.application.reference}: review due {due_on}",
            changes={"due_on": [before.isoformat(), due_on.isoformat()]},
        )
    db.session.flush()
    return assignment


def declare_interest(
    *, actor: User, assignment: ReviewAssignment, has_conflict: bool, description: str = ""
) -> ReviewAssignment:
    """The reviewer's declaration, before they see the application.

    No conflict opens the application to them; a conflict (described) recuses them for good,
    and the fund manager who asked is told so they can ask someone else.
    """
    description = description.strip()
    if has_conflict:
        if not description:
            raise ValidationFailed(N_("Describe the conflict of interest."))
        ASSIGNMENT_WORKFLOW.transition(
            assignment,
            AssignmentStatus.RECUSED,
            actor=actor,
            reason="conflict of interest declared",
            changes={"conflict": [None, description]},
        )
    else:
        ASSIGNMENT_WORKFLOW.transition(
            assignment,
            AssignmentStatus.ACTIVE,
            actor=actor,
            reason="no conflict of interest declared",
        )
    assignment.has_conflict = has_conflict
    assignment.conflict_description = description if has_conflict else ""
    assignment.declared_at = utcnow()
    if has_conflict and assignment.assigned_by is not None:
        notify(
            user=assignment.assigned_by,
            kind=NotificationKind.REVIEWER_RECUSED,
            link=link_to("reviews.assign", application_id=assignment.application_id),
            params={"reference": assignment.application.reference},
        )
    db.session.flush()
    return assignment


def send_review_reminders(*, today: date | None = None) -> int:
    """Remind reviewers of reviews due soon or overdue; at most once a day per assignment."""
    today = today or utcnow().date()
    sent = 0
    for assignment in queries.assignments_to_remind(today=today):
        notify(
            user=assignment.reviewer,
            kind=NotificationKind.REVIEW_REMINDER,
            link=link_to("reviews.assignment", assignment_id=assignment.id),
            params={
                "reference": assignment.application.reference,
                "due_on": assignment.due_on.isoformat(),
                "overdue": assignment.due_on < today,
            },
        )
        assignment.reminded_on = today
        record_event(
            actor=None,
            action="review_assignment.reminded",
            subject=assignment,
            summary=f"{assignment.application.reference}: reviewer reminded (due "
            f"{assignment.due_on})",
        )
        sent += 1
    db.session.flush()
    return sent


# --- reviews --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreInput:
    score: int | None
    justification: str = ""


def _own_active_assignment(actor: User, assignment: ReviewAssignment) -> None:
    ensure_permission(actor, Permission.REVIEW_APPLICATION)
    if assignment.reviewer_id != actor.id:
        raise PermissionDenied(N_("Only the reviewer asked can write this review."))
    if is_member(actor, assignment.application.organisation_id):
        raise SegregationOfDuties(N_("You belong to the applicant organisation."))
    if assignment.status == AssignmentStatus.AWAITING_DECLARATION:
        raise PermissionDenied(N_("Declare any conflict of interest first."))
    if assignment.status != AssignmentStatus.ACTIVE:
        raise PermissionDenied(N_("You are no longer a reviewer of this application."))


def save_review(
    *,
    actor: User,
    assignment: ReviewAssignment,
    scores: Mapping[int, ScoreInput],
    recommendation: Recommendation | None,
    comments: str = "",
) -> Review:
    """Save the review as a draft (scores may be missing until it is submitted)."""
    _own_active_assignment(actor, assignment)
    application = assignment.application
    if application.status != S.IN_REVIEW:
        raise InvalidTransition(N_("This application is no longer in review."))
    review = assignment.review
    if review is not None and review.is_submitted:
        raise InvalidTransition(N_("This review is submitted and can no longer be changed."))
    criteria = {c.id: c for c in application.call.criteria}
    unknown = set(scores) - set(criteria)
    if unknown:
        raise ValidationFailed(N_("Score only the criteria of this call."))
    for value in scores.values():
        if value.score is not None and not 0 <= value.score <= MAX_SCORE:
            raise ValidationFailed(N_("Scores go from 0 to %(max)s."), max=MAX_SCORE)
    if review is None:
        review = Review(
            assignment=assignment,
            application_id=application.id,
            reviewer_id=actor.id,
            status=ReviewStatus.DRAFT,
        )
        db.session.add(review)
    for criterion_id, value in scores.items():
        row = review.score_for(criterion_id)
        if row is None:
            row = ReviewScore(criterion_id=criterion_id)
            review.scores.append(row)
        row.score = value.score
        row.justification = value.justification.strip()
    review.recommendation = Recommendation(recommendation) if recommendation else None
    review.comments = comments.strip()
    db.session.flush()
    record_event(
        actor=actor,
        action="review.draft_saved",
        subject=review,
        summary=f"{application.reference}: review draft saved",
    )
    return review


def submit_review(
    *,
    actor: User,
    assignment: ReviewAssignment,
    scores: Mapping[int, ScoreInput],
    recommendation: Recommendation | None,
    comments: str = "",
) -> Review:
    """Save and submit: every criterion scored and justified, a recommendation given. Final."""
    review = save_review(
        actor=actor,
        assignment=assignment,
        scores=scores,
        recommendation=recommendation,
        comments=comments,
    )
    criteria = list(assignment.application.call.criteria)
    weighted = queries.review_weighted_score(review, criteria)
    REVIEW_WORKFLOW.transition(
        review,
        ReviewStatus.SUBMITTED,
        actor=actor,
        changes={
            "weighted_score": [None, str(queries.to_decimal(weighted)) if weighted else None],
            "recommendation": [None, str(review.recommendation)],
        },
    )
    review.submitted_at = utcnow()
    db.session.flush()
    _tell_when_reviews_complete(assignment)
    return review


def _tell_when_reviews_complete(assignment: ReviewAssignment) -> None:
    application = assignment.application
    live = [a for a in queries.assignments_of(application) if a.status in queries.OPEN_ASSIGNMENT]
    if all(a.review is not None and a.review.is_submitted for a in live):
        managers = {a.assigned_by for a in live if a.assigned_by is not None}
        notify_all(
            sorted(managers, key=lambda u: u.id),
            kind=NotificationKind.REVIEWS_COMPLETE,
            link=link_to("reviews.ranking", call_id=application.call_id),
            params={"reference": application.reference},
        )


# --- ranking and the Board pack -------------------------------------------------------------


def recommend(
    *,
    actor: User,
    application: Application,
    outcome: PanelOutcome,
    key_risks: str = "",
    feedback: str = "",
) -> PanelRecommendation:
    """The secretariat's recommendation to the Board, with the key risks and the feedback
    the applicant will read in the decision letter."""
    outcome = PanelOutcome(outcome)
    _refuse_unless(can_recommend(actor, application))
    feedback = feedback.strip()
    if not feedback:
        raise ValidationFailed(
            N_("Write the feedback summary; the organisation reads it with the decision.")
        )
    score = queries.application_score(application)
    target = S.RECOMMENDED if outcome == PanelOutcome.RECOMMENDED else S.NOT_RECOMMENDED
    APPLICATION_WORKFLOW.transition(
        application,
        target,
        actor=actor,
        changes={"weighted_score": [None, str(score.weighted) if score.weighted else None]},
    )
    recommendation = PanelRecommendation(
        application_id=application.id,
        outcome=outcome,
        weighted_score=score.weighted,
        key_risks=key_risks.strip(),
        feedback=feedback,
        recorded_by_id=actor.id,
    )
    db.session.add(recommendation)
    db.session.flush()
    return recommendation


def send_board_pack(*, actor: User, call: Call) -> int:
    """Tell the Board members that the call's pack is ready to read."""
    ensure_permission(actor, Permission.PREPARE_BOARD_PACK)
    if not queries.board_pack_rows(call):
        raise ValidationFailed(N_("No application of this call is ready for the Board yet."))
    members = queries.board_members()
    notify_all(
        members,
        kind=NotificationKind.BOARD_PACK_READY,
        link=link_to("reviews.board_pack", call_id=call.id),
        params={"reference": call.reference},
    )
    record_event(
        actor=actor,
        action="board_pack.sent",
        subject=call,
        summary=f"{call.reference}: Board pack sent to {len(members)} member(s)",
    )
    db.session.flush()
    return len(members)


# --- Board meetings and decisions -----------------------------------------------------------


def board_quorum() -> int:
    return max(1, int(current_app.config["BOARD_QUORUM"]))


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
    if not can_record_decision(actor, application):
        ensure_permission(actor, Permission.RECORD_BOARD_DECISION)
        raise SegregationOfDuties(
            N_("You belong to the applicant organisation, so you cannot record its decision.")
        )
    if meeting.status != MeetingStatus.OPEN:
        raise InvalidTransition(N_("This meeting's record is closed."))
    if meeting.call_id is not None and meeting.call_id != application.call_id:
        raise ValidationFailed(N_("This meeting decides on another call."))
    target = S(outcome.value)
    APPLICATION_WORKFLOW.find(application, target)  # refuse before writing anything
    rationale, conditions = rationale.strip(), conditions.strip()
    if not rationale:
        raise ValidationFailed(N_("Record the Board's reasons for the decision."))
    amount: int | None = None
    if outcome == DecisionOutcome.APPROVED:
        if approved_amount is None or approved_amount <= 0:
            raise ValidationFailed(N_("Give the amount approved."))
        if approved_amount > application.requested_amount:
            raise ValidationFailed(N_("The amount approved cannot exceed the amount requested."))
        amount = approved_amount
    elif conditions:
        raise ValidationFailed(N_("Conditions go with an approval."))

    voters = voters_for(meeting, application)
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


def decide_call(*, actor: User, call: Call) -> Call:
    """Mark the call decided once no application waits (the guard is in workflow.py)."""
    from app.calls import services as calls

    return calls.decide_call(actor=actor, call=call)


def assignment_or_404(assignment_id: int) -> ReviewAssignment:
    assignment = db.session.get(ReviewAssignment, assignment_id)
    if assignment is None:
        raise NotFound(N_("We could not find that review."))
    return assignment


# Pages ask the workflows what they may offer; the rules stay in the workflow modules.


def can_screen(actor: Any, application: Application) -> bool:
    """Screening is offered while the actor may take the application or decide its eligibility."""
    return bool(
        APPLICATION_WORKFLOW.available_moves(
            application, actor, among=(S.SCREENING, S.INELIGIBLE, S.IN_REVIEW)
        )
    )


def can_prepare_recommendation(actor: Any, application: Application) -> bool:
    """The recommendation form is offered before every review is in: recording it says what is
    still outstanding."""
    return bool(
        APPLICATION_WORKFLOW.available_moves(
            application, actor, among=(S.RECOMMENDED, S.NOT_RECOMMENDED), unready=True
        )
    )


def can_remove_reviewer(actor: Any, assignment: ReviewAssignment) -> bool:
    return bool(
        ASSIGNMENT_WORKFLOW.available_moves(assignment, actor, among=(AssignmentStatus.REMOVED,))
    )


def can_assign(actor: Any, application: Application) -> bool:
    return can_assign_reviewers(actor, application) and application.status == S.IN_REVIEW
