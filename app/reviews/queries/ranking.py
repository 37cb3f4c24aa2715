"""A call's ranking: its applications in review and after, best score first, with the running
total against the call's envelope and the fund's available balance."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.applications.models import Application, ApplicationStatus
from app.calls.models import Call
from app.platform.extensions import db
from app.reviews.models import PanelRecommendation
from app.reviews.queries.assignments import OPEN_ASSIGNMENT, assignments_of
from app.reviews.queries.scores import Score, application_score

S = ApplicationStatus


# Application states that have been through screening into review, shown in the ranking.
RANKED_STATUSES = (
    S.IN_REVIEW,
    S.RECOMMENDED,
    S.NOT_RECOMMENDED,
    S.APPROVED,
    S.RESERVE,
    S.REJECTED,
)


# States that still wait for someone at the fund or the Board.
UNDECIDED_STATUSES = (
    S.SUBMITTED,
    S.SCREENING,
    S.IN_REVIEW,
    S.INFO_REQUESTED,
    S.RECOMMENDED,
    S.NOT_RECOMMENDED,
)


@dataclass(frozen=True)
class RankedApplication:
    rank: int
    application: Application
    score: Score
    assigned: int
    running_total: int
    over_envelope: bool
    over_available: bool
    recommendation: PanelRecommendation | None


@dataclass(frozen=True)
class Ranking:
    call: Call
    rows: list[RankedApplication]
    envelope: int
    available: int | None  # the fund's available balance (ledger), None when not comparable
    available_currency: str | None
    requested_total: int
    recommended_total: int
    approved_total: int

    @property
    def envelope_left(self) -> int:
        return self.envelope - self.approved_total


def latest_recommendation(application: Application) -> PanelRecommendation | None:
    return db.session.execute(
        sa.select(PanelRecommendation)
        .where(PanelRecommendation.application_id == application.id)
        .order_by(PanelRecommendation.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def fund_available_balance() -> tuple[int, str] | None:
    """The fund's available balance from the ledger (FUND_AVAILABLE), in its currency."""
    from app.ledger import chart
    from app.ledger.services.balances import account_balance

    account = chart.find_account(chart.FUND_AVAILABLE)
    if account is None:
        return None
    return account_balance(account=account).available, account.currency


def approved_amount(application: Application) -> int:
    from app.reviews.services.board import approved_decision_for

    decision = approved_decision_for(application)
    return decision.approved_amount or 0 if decision is not None else 0


def call_ranking(call: Call) -> Ranking:
    applications = list(
        db.session.execute(
            sa.select(Application).where(
                Application.call_id == call.id, Application.status.in_(RANKED_STATUSES)
            )
        ).scalars()
    )
    scored = []
    for application in applications:
        assigned = sum(1 for a in assignments_of(application) if a.status in OPEN_ASSIGNMENT)
        scored.append((application, application_score(application), assigned))
    scored.sort(
        key=lambda row: (
            row[1].weighted is None,
            -(row[1].weighted or 0),
            row[0].requested_amount,
            row[0].id,
        )
    )
    balance = fund_available_balance()
    available = balance[0] if balance and balance[1] == call.currency else None
    rows = []
    running = 0
    for rank, (application, score, assigned) in enumerate(scored, start=1):
        running += application.requested_amount
        rows.append(
            RankedApplication(
                rank=rank,
                application=application,
                score=score,
                assigned=assigned,
                running_total=running,
                over_envelope=running > call.envelope,
                over_available=available is not None and running > available,
                recommendation=latest_recommendation(application),
            )
        )
    return Ranking(
        call=call,
        rows=rows,
        envelope=call.envelope,
        available=available,
        available_currency=balance[1] if balance else None,
        requested_total=running,
        recommended_total=sum(
            r.application.requested_amount for r in rows if r.application.status == S.RECOMMENDED
        ),
        approved_total=sum(approved_amount(r.application) for r in rows),
    )


def undecided_count(call: Call) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Application)
            .where(Application.call_id == call.id, Application.status.in_(UNDECIDED_STATUSES))
        )
        or 0
    )
