"""Demo selection: the closed medium-term call fully reviewed and decided, the open call partly
screened.

Closed call (SGP2-2025-MT): every submitted application screened, reviewed against the rubric
by two experts (one expert declared a conflict and was replaced), ranked, recommended or not,
and decided by the Board at one meeting with each member's vote; one application is on the
reserve list. Its history is written with the dates of its story (screened 110 days ago, Board
meeting 60 days ago), audit events included, so the applicant's timeline reads true.

Open call (SGP1-2026-EM): one application screened eligible through the real services, with
reviewer@demo.test waiting to declare and reviewer2@demo.test half-way through a draft; the
others wait for screening or for the organisation's answer.

Safe to run again: each part is skipped once its records exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from app.accounts.models import Role, User, UserRole
from app.applications.models import Application, ApplicationStatus
from app.audit.models import AuditEvent
from app.audit.services import record_event
from app.calls.models import Call, CallStatus
from app.notifications.models import Notification, NotificationKind
from app.notifications.services import link_to, organisation_staff
from app.platform.db import utcnow
from app.platform.extensions import db
from app.reviews import services as selection
from app.reviews.models import (
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
from app.reviews.queries.ranking import undecided_count
from app.reviews.queries.scores import application_score
from app.reviews.queries.screening import Check, screening_checklist
from app.reviews.services.scoring import ScoreInput
from devtools.seed.calls_and_applications import CLOSED_CALL, OPEN_CALL

S = ApplicationStatus
MEETING_NOTES = "Selection meeting for the medium-term call 2025 (demo)."

# Trustees and an expert without a password: only board@ and reviewer@/reviewer2@ sign in.
EXTRA_BOARD = [
    ("amina.diallo@trustees.example", "Amina Diallo"),
    ("sofia.ramirez@trustees.example", "Sofía Ramírez"),
    ("erik.lindqvist@trustees.example", "Erik Lindqvist"),
    ("mei.tanaka@trustees.example", "Mei Tanaka"),
]
EXTRA_REVIEWER = ("lena.schmidt@experts.example", "Lena Schmidt")

JUSTIFICATIONS = {
    5: "Excellent: fully meets the criterion, with clear evidence in the proposal.",
    4: "Good: meets the criterion; minor points could be stronger.",
    3: "Adequate: meets the criterion in part; some elements are vague.",
    2: "Weak: important elements are missing or not convincing.",
    1: "Poor: the proposal barely addresses this criterion.",
    0: "Not addressed.",
}


@dataclass(frozen=True)
class DemoReview:
    reviewer: str  # e-mail
    scores: tuple[int, int, int, int, int]
    recommendation: Recommendation
    comments: str = ""


@dataclass(frozen=True)
class DemoSelection:
    title: str
    final: ApplicationStatus
    reviews: tuple[DemoReview, ...] = ()
    conflict: tuple[str, str] | None = None  # (reviewer e-mail, description)
    ineligible_reason: str = ""
    failed_check: Check | None = None
    key_risks: str = ""
    feedback: str = ""
    decision: DecisionOutcome | None = None
    amount_percent: int = 100  # of the amount requested, when approved
    conditions: str = ""
    rationale: str = ""
    votes: tuple[Vote, ...] = ()  # for the members present, in order


ROSA, RAVI, LENA = "reviewer@demo.test", "reviewer2@demo.test", EXTRA_REVIEWER[0]
ALL = (Vote.APPROVE, Vote.APPROVE, Vote.APPROVE, Vote.APPROVE)

CLOSED = [
    DemoSelection(
        "Survivor-led economic empowerment",
        S.APPROVED,
        (
            DemoReview(ROSA, (5, 4, 4, 4, 5), Recommendation.FUND),
            DemoReview(RAVI, (4, 4, 5, 4, 5), Recommendation.FUND),
        ),
        key_risks="Rapid growth of the savings groups; the partner bank is new to the work.",
        feedback="A strong, survivor-led proposal with a realistic workplan and clear results. "
        "Reviewers asked for more detail on how livelihoods will be followed after the grant.",
        decision=DecisionOutcome.APPROVED,
        conditions="A follow-up plan for the savings groups before the second tranche.",
        rationale="Ranked first; strong survivor leadership and value for money.",
        votes=ALL,
    ),
    DemoSelection(
        "Access to justice for indigenous women",
        S.APPROVED,
        (
            DemoReview(ROSA, (4, 4, 4, 3, 4), Recommendation.FUND),
            DemoReview(LENA, (5, 4, 4, 4, 3), Recommendation.FUND_WITH_CONDITIONS),
        ),
        conflict=(RAVI, "I advised Esperanza Libre on its legal strategy in 2024."),
        key_risks="Court delays in rural districts; interpreters for indigenous languages.",
        feedback="A well-argued project reaching women who are rarely reached. The budget for "
        "interpretation is tight and the reviewers asked for a plan for court delays.",
        decision=DecisionOutcome.APPROVED,
        amount_percent=95,
        conditions="Budget for interpretation raised within the approved amount.",
        rationale="Ranked second; the Board trimmed travel costs by 5 %.",
        votes=(Vote.APPROVE, Vote.APPROVE, Vote.APPROVE, Vote.ABSTAIN),
    ),
    DemoSelection(
        "Shelter for trafficked children",
        S.APPROVED,
        (
            DemoReview(RAVI, (5, 4, 3, 3, 3), Recommendation.FUND_WITH_CONDITIONS),
            DemoReview(LENA, (4, 4, 4, 3, 3), Recommendation.FUND),
        ),
        key_risks="Child safeguarding in a new shelter; licensing by the social welfare office.",
        feedback="A much-needed shelter for children. Reviewers found the staffing plan thin for "
        "night shifts and asked for the shelter's licence.",
        decision=DecisionOutcome.APPROVED,
        amount_percent=85,
        conditions="The shelter's licence and a child safeguarding policy before the first "
        "tranche; night staff in the budget.",
        rationale="Approved at a reduced amount: equipment costs were above market prices.",
        votes=ALL,
    ),
    DemoSelection(
        "Medical care for survivors in Lagos",
        S.APPROVED,
        (
            DemoReview(ROSA, (4, 3, 4, 4, 3), Recommendation.FUND),
            DemoReview(LENA, (4, 4, 3, 4, 3), Recommendation.FUND),
        ),
        key_risks="Dependence on one partner clinic.",
        feedback="A clear, costed project. Reviewers recommended a second partner clinic.",
        decision=DecisionOutcome.APPROVED,
        conditions="Agreement with a second clinic within six months.",
        rationale="Good score and modest budget; within the money available.",
        votes=ALL,
    ),
    DemoSelection(
        "Community reintegration in Visayas",
        S.RESERVE,
        (
            DemoReview(ROSA, (4, 3, 3, 3, 3), Recommendation.FUND_WITH_CONDITIONS),
            DemoReview(LENA, (3, 3, 4, 3, 2), Recommendation.FUND_WITH_CONDITIONS),
        ),
        key_risks="Typhoon season may delay activities.",
        feedback="A sound project just below the funding line. It stays on the reserve list and "
        "may be funded if money frees up.",
        decision=DecisionOutcome.RESERVE,
        rationale="Next in rank after the approvals; the available balance is committed.",
        votes=(Vote.RESERVE, Vote.RESERVE, Vote.RESERVE, Vote.APPROVE),
    ),
    DemoSelection(
        "School programme on online grooming",
        S.REJECTED,
        (
            DemoReview(RAVI, (4, 4, 3, 4, 3), Recommendation.FUND),
            DemoReview(ROSA, (1, 2, 2, 2, 1), Recommendation.DO_NOT_FUND),
        ),
        key_risks="Prevention rather than assistance to victims.",
        feedback="The reviewers disagreed: the programme is well designed, but it is prevention "
        "work, while this call funds direct assistance to victims.",
        decision=DecisionOutcome.REJECTED,
        rationale="Outside the call's focus on direct assistance.",
        votes=(Vote.REJECT, Vote.REJECT, Vote.REJECT, Vote.ABSTAIN),
    ),
    DemoSelection(
        "Migrant workers' rights in Chiapas",
        S.REJECTED,
        (
            DemoReview(RAVI, (3, 2, 3, 2, 2), Recommendation.DO_NOT_FUND),
            DemoReview(LENA, (3, 3, 2, 2, 2), Recommendation.FUND_WITH_CONDITIONS),
        ),
        key_risks="Unclear referral of victims identified in the outreach.",
        feedback="The outreach is valuable, but the proposal does not say how victims will be "
        "assisted once identified, and the budget is mostly staff.",
        decision=DecisionOutcome.REJECTED,
        rationale="Low score; unclear assistance pathway.",
        votes=(Vote.REJECT, Vote.REJECT, Vote.REJECT, Vote.REJECT),
    ),
    DemoSelection(
        "Vocational training for survivors",
        S.REJECTED,
        (
            DemoReview(ROSA, (2, 2, 1, 2, 1), Recommendation.DO_NOT_FUND),
            DemoReview(RAVI, (2, 3, 2, 2, 1), Recommendation.DO_NOT_FUND),
        ),
        key_risks="High-risk organisation; no evidence of job placement.",
        feedback="The training is not linked to jobs, and the organisation's capacity to manage "
        "the grant was not shown.",
        decision=DecisionOutcome.REJECTED,
        rationale="Low score from both reviewers.",
        votes=(Vote.REJECT, Vote.REJECT, Vote.REJECT, Vote.REJECT),
    ),
    DemoSelection(
        "Research on trafficking routes",
        S.INELIGIBLE,
        ineligible_reason="The fund supports direct assistance to victims. Research on "
        "trafficking routes is not direct assistance, so this call cannot fund it.",
        failed_check=Check.FOCUS_MATCHES_CALL,
    ),
    DemoSelection(
        "Case management for returnees",
        S.INELIGIBLE,
        ineligible_reason="The partner declaration (Annex C) shows that a partner would "
        "deliver all the assistance, the organisation acting as an intermediary. The fund "
        "supports organisations that assist victims directly.",
        failed_check=Check.DIRECT_IMPLEMENTER,
    ),
]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _user(email: str) -> User | None:
    return db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()


def _extra_user(email: str, name: str, role: Role) -> User:
    user = _user(email)
    if user is None:
        # No password: these people exist to be assigned, present and counted, not to sign in.
        user = User(
            email=email,
            full_name=name,
            password_hash=None,
            email_confirmed_at=utcnow(),
            is_active=True,
        )
        user.role_grants.append(UserRole(role=role))
        db.session.add(user)
        db.session.flush()
    return user


def _event(
    at: datetime, actor: User | None, action: str, subject: Any, summary: str, **changes: Any
) -> None:
    """An audit event dated when the demo story says it happened (set before it is written)."""
    event: AuditEvent = record_event(
        actor=actor, action=action, subject=subject, summary=summary, changes=changes or None
    )
    event.occurred_at = at


def _application(call: Call, title: str) -> Application | None:
    return db.session.execute(
        select(Application).where(Application.call_id == call.id, Application.title == title)
    ).scalar_one_or_none()


def _notify(users: list[User], kind: NotificationKind, link: str, ref: str, at: datetime) -> None:
    for user in users:
        db.session.add(
            Notification(
                user_id=user.id, kind=kind, link=link, params={"reference": ref}, created_at=at
            )
        )


def _screen(application: Application, manager: User, when: datetime, spec: DemoSelection) -> None:
    checklist = [
        {"check": item.check.value, "passed": True, "manual": item.manual}
        for item in screening_checklist(application)
    ]
    eligible = spec.final != S.INELIGIBLE
    if not eligible and spec.failed_check is not None:
        failed = spec.failed_check.value
        checklist = [{**row, "passed": row["check"] != failed} for row in checklist]
    db.session.add(
        Screening(
            application_id=application.id,
            outcome=ScreeningOutcome.ELIGIBLE if eligible else ScreeningOutcome.INELIGIBLE,
            checklist=checklist,
            reason=spec.ineligible_reason,
            screened_by_id=manager.id,
            screened_at=when,
        )
    )
    if application.submitted_at is not None:
        owner = application.organisation.memberships[0].user
        _event(
            application.submitted_at,
            owner,
            "application.submitted",
            application,
            "application: draft → submitted",
            status=["draft", "submitted"],
        )
    _event(
        when - timedelta(hours=1),
        manager,
        "application.screening",
        application,
        "application: submitted → screening",
        status=["submitted", "screening"],
    )
    target = "in_review" if eligible else "ineligible"
    _event(
        when,
        manager,
        f"application.{target}",
        application,
        f"application: screening → {target}",
        status=["screening", target],
    )
    if not eligible:
        _notify(
            organisation_staff(application.organisation_id),
            NotificationKind.SCREENING_OUTCOME,
            link_to("applications.show", application_id=application.id),
            application.reference,
            when,
        )


def _assign(
    application: Application, reviewer: User, manager: User, when: datetime, due: date
) -> ReviewAssignment:
    assignment = ReviewAssignment(
        application_id=application.id,
        reviewer_id=reviewer.id,
        status=AssignmentStatus.AWAITING_DECLARATION,
        due_on=due,
        assigned_by_id=manager.id,
        assigned_at=when,
        created_at=when,
        updated_at=when,
    )
    db.session.add(assignment)
    db.session.flush()
    _event(
        when,
        manager,
        "review_assignment.assigned",
        assignment,
        f"{application.reference}: reviewer {reviewer.email} assigned, due {due}",
    )
    return assignment


def _closed_call(call: Call, manager: User, members: list[User]) -> None:
    today = utcnow().date()
    screened = today - timedelta(days=110)
    assigned = today - timedelta(days=105)
    reviewed = today - timedelta(days=85)
    recommended_on = today - timedelta(days=70)
    held_on = today - timedelta(days=60)
    criteria = list(call.criteria)

    meeting = BoardMeeting(
        call_id=call.id,
        held_on=held_on,
        quorum=selection.board_quorum(),
        status=MeetingStatus.CLOSED,
        notes=MEETING_NOTES,
        created_by_id=manager.id,
        created_at=_at(held_on, 16),
        closed_at=_at(held_on, 18),
    )
    meeting.members = members
    db.session.add(meeting)
    db.session.flush()
    _event(
        _at(held_on, 16),
        manager,
        "board_meeting.recorded",
        meeting,
        f"Board meeting of {held_on}: {len(members)} member(s) present, quorum {meeting.quorum}",
    )

    for number, spec in enumerate(CLOSED):
        application = _application(call, spec.title)
        if application is None:
            continue
        _screen(application, manager, _at(screened, 9 + number % 8), spec)
        if spec.final == S.INELIGIBLE:
            application.status = S.INELIGIBLE
            continue
        if spec.conflict:
            email, description = spec.conflict
            reviewer = _user(email)
            if reviewer is not None:
                assignment = _assign(
                    application, reviewer, manager, _at(assigned), reviewed + timedelta(days=5)
                )
                assignment.status = AssignmentStatus.RECUSED
                assignment.has_conflict = True
                assignment.conflict_description = description
                assignment.declared_at = _at(assigned + timedelta(days=1))
                _event(
                    assignment.declared_at,
                    reviewer,
                    "review_assignment.recused",
                    assignment,
                    "review_assignment: awaiting_declaration → recused "
                    "(conflict of interest declared)",
                    status=["awaiting_declaration", "recused"],
                    conflict=[None, description],
                )
        for index, demo in enumerate(spec.reviews):
            reviewer = _user(demo.reviewer)
            if reviewer is None:
                continue
            start = _at(assigned + timedelta(days=2 if demo.reviewer == LENA else 0))
            assignment = _assign(
                application, reviewer, manager, start, reviewed + timedelta(days=5)
            )
            assignment.status = AssignmentStatus.ACTIVE
            assignment.has_conflict = False
            assignment.declared_at = start + timedelta(hours=20)
            _event(
                assignment.declared_at,
                reviewer,
                "review_assignment.active",
                assignment,
                "review_assignment: awaiting_declaration → active (no conflict of interest "
                "declared)",
                status=["awaiting_declaration", "active"],
            )
            submitted = _at(reviewed - timedelta(days=index * 3), 15)
            review = Review(
                assignment=assignment,
                application_id=application.id,
                reviewer_id=reviewer.id,
                status=ReviewStatus.SUBMITTED,
                recommendation=demo.recommendation,
                comments=demo.comments,
                submitted_at=submitted,
                created_at=submitted - timedelta(days=2),
                updated_at=submitted,
            )
            review.scores = [
                ReviewScore(criterion_id=c.id, score=s, justification=JUSTIFICATIONS[s])
                for c, s in zip(criteria, demo.scores, strict=False)
            ]
            db.session.add(review)
            db.session.flush()
            _event(
                submitted,
                reviewer,
                "review.submitted",
                review,
                "review: draft → submitted",
                status=["draft", "submitted"],
            )
        db.session.flush()
        score = application_score(application)
        recommended = spec.decision in (DecisionOutcome.APPROVED, DecisionOutcome.RESERVE)
        outcome = PanelOutcome.RECOMMENDED if recommended else PanelOutcome.NOT_RECOMMENDED
        when = _at(recommended_on, 11)
        db.session.add(
            PanelRecommendation(
                application_id=application.id,
                outcome=outcome,
                weighted_score=score.weighted,
                key_risks=spec.key_risks,
                feedback=spec.feedback,
                recorded_by_id=manager.id,
                recorded_at=when,
            )
        )
        _event(
            when,
            manager,
            f"application.{outcome.value}",
            application,
            f"application: in_review → {outcome.value}",
            status=["in_review", outcome.value],
        )
        assert spec.decision is not None
        amount = (
            application.requested_amount * spec.amount_percent // 100
            if spec.decision == DecisionOutcome.APPROVED
            else None
        )
        decided = _at(held_on, 17)
        decision = BoardDecision(
            application_id=application.id,
            meeting_id=meeting.id,
            outcome=spec.decision,
            approved_amount=amount,
            conditions=spec.conditions,
            rationale=spec.rationale,
            decided_at=decided,
            recorded_by_id=manager.id,
        )
        decision.votes = [
            BoardVote(member_id=member.id, vote=vote)
            for member, vote in zip(members, spec.votes, strict=False)
        ]
        db.session.add(decision)
        db.session.flush()
        application.status = spec.final
        _event(
            decided,
            manager,
            f"application.{spec.final.value}",
            application,
            f"application: {outcome.value} → {spec.final.value} (Board meeting "
            f"{meeting.reference})",
            status=[outcome.value, spec.final.value],
            board_decision_id=[None, decision.id],
            approved_amount=[None, amount],
        )
        _notify(
            organisation_staff(application.organisation_id),
            NotificationKind.BOARD_DECISION,
            link_to("reviews.decision_letter", application_id=application.id),
            application.reference,
            decided,
        )
    db.session.flush()
    if call.status == CallStatus.CLOSED and undecided_count(call) == 0:
        selection.decide_call(actor=manager, call=call)


def _open_call(call: Call, manager: User) -> None:
    """Through the real services: screened eligible today, two reviewers at different steps."""
    application = _application(call, "Shelter and legal aid in Mindanao")
    rosa, ravi = _user(ROSA), _user(RAVI)
    if application is None or rosa is None or ravi is None:
        return
    if application.status == S.SUBMITTED:
        selection.record_screening(
            actor=manager,
            application=application,
            outcome=ScreeningOutcome.ELIGIBLE,
            confirmed=[c.value for c in Check],
        )
    if application.status != S.IN_REVIEW:
        return
    due = utcnow().date() + timedelta(days=14)
    first = selection.assign_reviewer(
        actor=manager, application=application, reviewer=rosa, due_on=due
    )
    second = selection.assign_reviewer(
        actor=manager, application=application, reviewer=ravi, due_on=due
    )
    selection.declare_interest(actor=ravi, assignment=second, has_conflict=False)
    criteria = list(call.criteria)
    selection.save_review(
        actor=ravi,
        assignment=second,
        scores={
            criteria[0].id: ScoreInput(4, JUSTIFICATIONS[4]),
            criteria[1].id: ScoreInput(3, JUSTIFICATIONS[3]),
        },
        recommendation=None,
        comments="",
    )
    del first
    # The information request of the demo NGO data came out of a screening too.
    waiting = _application(call, "Casa Esperanza emergency shelter")
    if waiting is not None and waiting.status == S.INFO_REQUESTED:
        checklist = [
            {
                "check": item.check.value,
                "passed": bool(item.passed) or item.manual,
                "manual": item.manual,
            }
            for item in screening_checklist(waiting)
        ]
        db.session.add(
            Screening(
                application_id=waiting.id,
                outcome=ScreeningOutcome.INFO_REQUESTED,
                checklist=checklist,
                screened_by_id=manager.id,
                screened_at=utcnow() - timedelta(days=2),
            )
        )


def load_demo_reviews() -> int:
    """Load what is missing; returns how many Board decisions exist afterwards."""
    manager = _user("fund_manager@demo.test")
    board = _user("board@demo.test")
    closed = db.session.execute(
        select(Call).where(Call.reference == CLOSED_CALL)
    ).scalar_one_or_none()
    opened = db.session.execute(
        select(Call).where(Call.reference == OPEN_CALL)
    ).scalar_one_or_none()
    if manager is None or board is None or closed is None or opened is None:
        return 0
    trustees = [_extra_user(email, name, Role.BOARD) for email, name in EXTRA_BOARD]
    _extra_user(*EXTRA_REVIEWER, Role.REVIEWER)
    done = db.session.execute(
        select(BoardMeeting.id).where(BoardMeeting.notes == MEETING_NOTES)
    ).first()
    if done is None:
        # Four of the five trustees present; Mei Tanaka sent her apologies.
        _closed_call(closed, manager, [board, *trustees[:3]])
    screened = db.session.execute(
        select(Screening.id)
        .join(Application, Application.id == Screening.application_id)
        .where(Application.call_id == opened.id)
    ).first()
    if screened is None:
        _open_call(opened, manager)
    db.session.flush()
    return len(db.session.execute(select(BoardDecision.id)).all())
