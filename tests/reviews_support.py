"""Helpers for the reviews tests: applications at each stage, reviewers, scores, meetings."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from app.accounts.models import Role, User
from app.applications import services as applications
from app.applications.models import Application, OrganisationProfile
from app.calls.models import Call
from app.calls.services import Criterion
from app.platform.db import utcnow
from app.platform.extensions import db
from app.reviews import services as reviews
from app.reviews.models import (
    BoardMeeting,
    DecisionOutcome,
    PanelOutcome,
    Recommendation,
    ReviewAssignment,
    ScreeningOutcome,
    Vote,
)
from app.reviews.queries.screening import Check
from app.reviews.services.scoring import ScoreInput
from tests.applications_support import applicant_of, complete, ngo_organisation, open_call
from tests.factories import MembershipFactory, user_with

_numbers = itertools.count(1)
ALL_CHECKS = [c.value for c in Check]


def manager() -> User:
    return user_with(Role.FUND_MANAGER)


def reviewer(**kwargs: Any) -> User:
    return user_with(Role.REVIEWER, **kwargs)


def board_member(**kwargs: Any) -> User:
    return user_with(Role.BOARD, **kwargs)


def a_call(fund_manager: User | None = None, **overrides: Any) -> Call:
    return open_call(fund_manager or manager(), reference=f"RV-{uuid.uuid4().hex[:8]}", **overrides)


def submitted_application(
    storage: Any,
    *,
    call: Call | None = None,
    amount: int = 10_000_00,
    name: str | None = None,
) -> Application:
    """A complete application from a verified NGO, submitted to an open call."""
    n = next(_numbers)
    call = call or a_call()
    organisation = ngo_organisation(name=name or f"Applicant {n}", registration_number=f"RV-{n}")
    profile = db.session.get(OrganisationProfile, organisation.id)
    assert profile is not None
    profile.psea_policy = True  # an eligibility rule (DOMAIN.md); the NGO helper leaves it off
    owner = applicant_of(organisation)
    application = applications.start_application(actor=owner, call=call, organisation=organisation)
    complete(application, owner, storage, amount=amount)
    applications.submit_application(actor=owner, application=application)
    return application


def in_review(storage: Any, *, fund_manager: User | None = None, **kwargs: Any) -> Application:
    application = submitted_application(storage, **kwargs)
    reviews.record_screening(
        actor=fund_manager or manager(),
        application=application,
        outcome=ScreeningOutcome.ELIGIBLE,
        confirmed=ALL_CHECKS,
    )
    return application


def cleared(
    application: Application, who: User | None = None, *, fund_manager: User | None = None
) -> ReviewAssignment:
    """``who`` assigned to the application and declared free of conflicts."""
    who = who or reviewer()
    assignment = reviews.assign_reviewer(
        actor=fund_manager or manager(), application=application, reviewer=who
    )
    reviews.declare_interest(actor=who, assignment=assignment, has_conflict=False)
    return assignment


def scores(
    call: Call, values: Sequence[int | None], why: str = "Because."
) -> dict[int, ScoreInput]:
    return {
        c.id: ScoreInput(v, why if v is not None else "")
        for c, v in zip(call.criteria, values, strict=True)
    }


def submit(
    assignment: ReviewAssignment,
    values: Sequence[int],
    recommendation: Recommendation = Recommendation.FUND,
    comments: str = "",
) -> Any:
    return reviews.submit_review(
        actor=assignment.reviewer,
        assignment=assignment,
        scores=scores(assignment.application.call, values),
        recommendation=recommendation,
        comments=comments,
    )


def reviewed(
    storage: Any,
    *scores: Sequence[int],
    fund_manager: User | None = None,
    **kwargs: Any,
) -> Application:
    """In review, with one submitted review per ``scores`` entry (scores per criterion)."""
    fund_manager = fund_manager or manager()
    application = in_review(storage, fund_manager=fund_manager, **kwargs)
    for values in scores or ((4, 3),):
        submit(cleared(application, fund_manager=fund_manager), values)
    return application


def before_board(
    storage: Any,
    *,
    outcome: PanelOutcome = PanelOutcome.RECOMMENDED,
    fund_manager: User | None = None,
    **kwargs: Any,
) -> Application:
    fund_manager = fund_manager or manager()
    application = reviewed(storage, fund_manager=fund_manager, **kwargs)
    reviews.recommend(
        actor=fund_manager,
        application=application,
        outcome=outcome,
        key_risks="New partner.",
        feedback="Clear plan.",
    )
    return application


def meeting(
    members: Sequence[User] | None = None,
    *,
    actor: User | None = None,
    call: Call | None = None,
) -> BoardMeeting:
    members = list(members) if members is not None else [board_member() for _ in range(3)]
    return reviews.create_meeting(
        actor=actor or manager(),
        held_on=utcnow().date() - timedelta(days=1),
        members=members,
        call=call,
    )


def votes(meeting_: BoardMeeting, vote: Vote = Vote.APPROVE) -> dict[int, Vote]:
    return {m.id: vote for m in meeting_.members}


def decide(
    application: Application,
    meeting_: BoardMeeting,
    outcome: DecisionOutcome = DecisionOutcome.APPROVED,
    *,
    actor: User | None = None,
    amount: int | None = None,
    vote: Vote | None = None,
) -> Any:
    default_vote = {
        DecisionOutcome.APPROVED: Vote.APPROVE,
        DecisionOutcome.RESERVE: Vote.RESERVE,
        DecisionOutcome.REJECTED: Vote.REJECT,
    }[outcome]
    return reviews.record_decision(
        actor=actor or manager(),
        meeting=meeting_,
        application=application,
        outcome=outcome,
        votes=votes(meeting_, vote or default_vote),
        rationale="Ranked high.",
        approved_amount=(amount or application.requested_amount)
        if outcome == DecisionOutcome.APPROVED
        else None,
    )


def link_to_organisation(user: User, application: Application) -> None:
    """Make ``user`` a member of the applicant organisation (a link that recuses them)."""
    MembershipFactory(user=user, organisation=application.organisation)


def three_criteria_call(weights: Sequence[str]) -> Call:
    return a_call(criteria=[Criterion(f"C{i}", Decimal(w)) for i, w in enumerate(weights)])
