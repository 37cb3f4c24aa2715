"""Demo grants at every stage, from a fresh award to a grant closed with a refund.

Loaded by ``flask demo`` after the NGO (and review) demo data: it needs the demo NGOs, the
closed call, the fund manager and two finance officers, and money in the fund; whatever is
missing, it skips quietly. Each demo grant implements its own Board-approved application (made
here, so the reviews demo keeps its own), and goes through the real services with the dates of
its story, so the ledger, the audit log and the pages tell the same history. Safe to run again:
an application that already has its grant is left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from app.accounts.models import Organisation, User
from app.applications.models import Application, ApplicationStatus
from app.applications.services import profile_of
from app.calls.models import Call
from app.grants import services as grants
from app.grants.models import (
    Grant,
    GrantReport,
    ReportKind,
    Tranche,
)
from app.grants.services import reports as grant_reports
from app.grants.services.reports import ReportData
from app.platform.categories import AgeGroup, Sex
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.money import apply_rate
from app.reviews.models import (
    BoardDecision,
    BoardMeeting,
    BoardVote,
    DecisionOutcome,
    MeetingStatus,
    Vote,
)
from devtools.seed.calls_and_applications import _fill  # believable content, reused
from devtools.seed.reviews import MEETING_NOTES as SELECTION_MEETING

CLOSED_CALL = "SGP2-2025-MT"
MEETING_NOTES = "Demo: decisions behind the demo grants."
USD = 100


@dataclass(frozen=True)
class DemoGrant:
    title: str
    organisation: str
    amount: int  # minor units
    stage: str
    started_months_ago: int
    months: int = 12


DEMO_GRANTS = [
    DemoGrant(
        "Emergency shelter for women in Benin City",
        "Safe Haven Initiative",
        9_000 * USD,
        "awarded",
        0,
    ),
    DemoGrant(
        "Legal aid clinics in Cebu", "Freedom Path Association", 8_500 * USD, "agreement_sent", 0
    ),
    DemoGrant(
        "Medical care for rescued fishers", "Freedom Path Association", 7_000 * USD, "requested", 1
    ),
    DemoGrant("Safe houses on the Moldovan border", "Casa Nova", 9_500 * USD, "sent", 2),
    DemoGrant("Psychosocial care in Chiapas", "Esperanza Libre A.C.", 8_000 * USD, "reviewing", 6),
    DemoGrant("Court accompaniment in Lagos", "Safe Haven Initiative", 10_000 * USD, "overdue", 7),
    DemoGrant("Reintegration kits in Chiapas", "Esperanza Libre A.C.", 6_000 * USD, "suspended", 4),
    DemoGrant("Hotline for domestic workers", "Casa Nova", 7_500 * USD, "closing", 15),
    DemoGrant(
        "Vocational training for survivors in Mindanao",
        "Freedom Path Association",
        8_000 * USD,
        "closed_refund",
        16,
    ),
]


@dataclass
class Cast:
    manager: User
    maker: User
    checker: User


def _user(email: str) -> User | None:
    return db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()


def _at(day: date) -> datetime:
    """Ten in the morning UTC on ``day``: when the demo story says something happened."""
    return datetime.combine(day, time(10), tzinfo=UTC)


def _meeting(call: Call, manager: User) -> BoardMeeting:
    # The selection demo's Board meeting for this call, with its members present and quorate,
    # when it was loaded; a meeting of its own otherwise.
    meeting = (
        db.session.execute(
            select(BoardMeeting)
            .where(BoardMeeting.call_id == call.id)
            .where(BoardMeeting.notes.in_([SELECTION_MEETING, MEETING_NOTES]))
            .order_by(BoardMeeting.id)
        )
        .scalars()
        .first()
    )
    if meeting is None:
        held = (call.closes_at + timedelta(days=21)).date()
        meeting = BoardMeeting(
            call_id=call.id,
            held_on=min(held, utcnow().date()),
            quorum=1,
            status=MeetingStatus.CLOSED,
            notes=MEETING_NOTES,
            created_by_id=manager.id,
            closed_at=_at(min(held, utcnow().date())),
        )
        db.session.add(meeting)
        db.session.flush()
    return meeting


def _application(spec: DemoGrant, call: Call, organisation: Organisation) -> Application:
    """The Board-approved application behind a demo grant (made once)."""
    application = db.session.execute(
        select(Application).where(
            Application.call_id == call.id,
            Application.organisation_id == organisation.id,
            Application.title == spec.title,
        )
    ).scalar_one_or_none()
    if application is not None:
        return application
    owner = organisation.memberships[0].user
    application = Application(
        call=call,
        organisation=organisation,
        status=ApplicationStatus.APPROVED,
        currency=call.currency,
        title=spec.title,
        created_by_id=owner.id,
        updated_by_id=owner.id,
        submitted_at=call.closes_at - timedelta(days=3),
    )
    db.session.add(application)
    _fill(application, 20, spec.months)
    db.session.flush()
    return application


def _decision(application: Application, meeting: BoardMeeting, amount: int) -> None:
    exists = db.session.execute(
        select(BoardDecision.id).where(
            BoardDecision.application_id == application.id,
            BoardDecision.outcome == DecisionOutcome.APPROVED,
        )
    ).first()
    if exists is None:
        decision = BoardDecision(
            application_id=application.id,
            meeting_id=meeting.id,
            outcome=DecisionOutcome.APPROVED,
            approved_amount=amount,
            conditions="Monitoring visit after the first tranche; audited accounts at the end.",
            rationale="Strong direct-assistance plan, credible partner, costs in line with the "
            "call's guidance.",
            decided_at=_at(meeting.held_on),
            recorded_by_id=meeting.created_by_id,
        )
        # Every trustee present approved: an auditor sees who decided, as for real decisions.
        decision.votes = [
            BoardVote(member_id=member.id, vote=Vote.APPROVE) for member in meeting.members
        ]
        db.session.add(decision)
        db.session.flush()


def _report_data(report: GrantReport, spent_total: int | None) -> ReportData:
    lines = report.grant.current_budget
    spending: dict[int, int] = {}
    if spent_total is not None:
        shares = grants.scale_amounts([line.amount for line in lines], spent_total)
        spending = {line.id: share for line, share in zip(lines, shares, strict=True)}
    scale = report.number if report.kind == ReportKind.PROGRESS else 3
    return ReportData(
        results=(
            "Survivors were identified with the police and partner NGOs, housed, and given "
            "medical, psychological and legal support. Several started vocational training."
        ),
        challenges="Long court delays; rents rose faster than planned.",
        lessons="Early legal accompaniment keeps survivors engaged with their cases.",
        safeguarding_incidents=1 if report.kind == ReportKind.FINAL else 0,
        safeguarding_details=(
            "A staff member breached the confidentiality policy; retrained and the partner "
            "informed. No harm to the person assisted."
            if report.kind == ReportKind.FINAL
            else ""
        ),
        people=_people(report, scale),
        assistance={"shelter": 8 * scale, "medical": 12 * scale, "legal_aid": 6 * scale},
        expenditures=spending,
    )


def _people(report: GrantReport, scale: int) -> dict[tuple[str, Sex, AgeGroup], tuple[int, int]]:
    """The cross table of a demo report: new people by exploitation, sex and age, and a third
    of those the grant's earlier reports counted, still assisted (continuing)."""
    earlier = sum(
        other.people_table.new
        for other in report.grant.reports
        if other.has_narrative and other.saved_at and other.due_date < report.due_date
    )
    sexual, labour = "sexual_exploitation", "forced_labour"
    return {
        (sexual, Sex.FEMALE, AgeGroup.ADULT): (6 * scale, earlier // 3),
        (sexual, Sex.FEMALE, AgeGroup.CHILD): (3 * scale, 0),
        (sexual, Sex.OTHER_OR_UNKNOWN, AgeGroup.ADULT): (1, 0),
        (labour, Sex.FEMALE, AgeGroup.ADULT): (3 * scale, 0),
        (labour, Sex.FEMALE, AgeGroup.CHILD): (1 * scale, 0),
        (labour, Sex.MALE, AgeGroup.ADULT): (2 * scale, 0),
    }


def _submit(report: GrantReport, spent_total: int | None = None) -> None:
    author = report.grant.organisation.memberships[0].user
    grant_reports.save_report(actor=author, report=report, data=_report_data(report, spent_total))
    grant_reports.submit_report(actor=author, report=report)


def _accept(report: GrantReport, cast: Cast, spent_total: int | None = None) -> None:
    _submit(report, spent_total)
    grant_reports.accept_report(
        actor=cast.manager, report=report, comment="Thank you: clear and complete."
    )


def _pay(tranche: Tranche, cast: Cast, *, fail_first: bool = False, stop: str = "paid") -> None:
    """Move a tranche through the maker-checker steps on its planned date, up to ``stop``."""
    when = _at(max(tranche.planned_date, tranche.grant.start_date))
    grants.request_disbursement(actor=cast.maker, tranche=tranche, now=when)
    if stop == "requested":
        return
    grants.approve_disbursement(actor=cast.checker, tranche=tranche, now=when)
    grants.send_disbursement(actor=cast.maker, tranche=tranche, now=when)
    if fail_first:
        grants.record_disbursement_failure(
            actor=cast.checker,
            tranche=tranche,
            reason="Returned by the beneficiary's bank: account name does not match.",
            now=when + timedelta(days=2),
        )
        later = when + timedelta(days=3)
        grants.request_disbursement(actor=cast.maker, tranche=tranche, now=later)
        grants.approve_disbursement(actor=cast.checker, tranche=tranche, now=later)
        grants.send_disbursement(actor=cast.maker, tranche=tranche, now=later)
    if stop == "sent":
        return
    grants.confirm_disbursement(
        actor=cast.checker,
        tranche=tranche,
        bank_reference=f"FT{tranche.grant.year}{tranche.grant.number:03d}{tranche.number}",
        now=when + timedelta(days=4),
    )


def _activate(grant: Grant, cast: Cast) -> None:
    start = _at(grant.start_date) - timedelta(days=10)
    grants.send_agreement(actor=cast.manager, grant=grant, now=start)
    signatory = grant.organisation.memberships[0].user
    grants.accept_agreement(
        actor=signatory,
        grant=grant,
        signatory_name=signatory.full_name,
        signatory_title="Executive director",
        confirmed=True,
        ip="198.51.100.23",
        now=start + timedelta(days=2),
    )


def _all_paid(grant: Grant, cast: Cast) -> None:
    for tranche in grant.tranches:
        for report in grant.reports:
            if report.gates_tranche_id == tranche.id:
                _accept(report, cast)
        _pay(tranche, cast)


def _run_to_closing(grant: Grant, cast: Cast, *, unspent: int) -> None:
    _all_paid(grant, cast)
    for report in grant.reports:
        if report.kind == ReportKind.FINAL:
            _accept(report, cast)
        elif report.kind == ReportKind.FINANCIAL:
            _accept(report, cast, spent_total=grant.paid_amount - unspent)
    grants.start_closure(actor=cast.manager, grant=grant)


def _agreement_sent(grant: Grant, cast: Cast) -> None:
    grants.send_agreement(actor=cast.manager, grant=grant)


def _requested(grant: Grant, cast: Cast) -> None:
    _activate(grant, cast)
    _pay(grant.tranches[0], cast, stop="requested")


def _sent_after_a_failure(grant: Grant, cast: Cast) -> None:
    _activate(grant, cast)
    _pay(grant.tranches[0], cast, fail_first=True, stop="sent")


def _report_under_review(grant: Grant, cast: Cast) -> None:
    _activate(grant, cast)
    _pay(grant.tranches[0], cast)
    _submit(grant.reports[0], spent_total=grant.tranches[0].amount * 9 // 10)


def _first_tranche_paid(grant: Grant, cast: Cast) -> None:
    # Started long enough ago that the progress report is now overdue.
    _activate(grant, cast)
    _pay(grant.tranches[0], cast)


def _suspended(grant: Grant, cast: Cast) -> None:
    _first_tranche_paid(grant, cast)
    grants.suspend_grant(
        actor=cast.manager,
        grant=grant,
        reason="The monitoring visit found the shelter closed; waiting for an explanation.",
    )


def _closing(grant: Grant, cast: Cast) -> None:
    _activate(grant, cast)
    _run_to_closing(grant, cast, unspent=420 * USD)


def _closed_with_refund(grant: Grant, cast: Cast) -> None:
    _activate(grant, cast)
    _run_to_closing(grant, cast, unspent=650 * USD)
    grants.record_grantee_refund(
        actor=cast.maker,
        grant=grant,
        amount=650 * USD,
        bank_reference=f"RF{grant.year}{grant.number:03d}",
        received_on=utcnow().date() - timedelta(days=5),
    )
    grants.close_grant(actor=cast.manager, grant=grant)


STAGES: dict[str, Callable[[Grant, Cast], None]] = {
    "awarded": lambda grant, cast: None,
    "agreement_sent": _agreement_sent,
    "requested": _requested,
    "sent": _sent_after_a_failure,
    "reviewing": _report_under_review,
    "overdue": _first_tranche_paid,
    "suspended": _suspended,
    "closing": _closing,
    "closed_refund": _closed_with_refund,
}


def load_demo_grants() -> int:
    """Create the demo grants that are missing; returns how many were created."""
    cast_users = [_user(f"{login}@demo.test") for login in ("fund_manager", "finance", "finance2")]
    call = db.session.execute(
        select(Call).where(Call.reference == CLOSED_CALL)
    ).scalar_one_or_none()
    if call is None or any(user is None for user in cast_users):
        return 0
    manager, maker, checker = cast_users
    assert manager is not None and maker is not None and checker is not None
    cast = Cast(manager, maker, checker)
    if call.currency != current_app.config["FUNCTIONAL_CURRENCY"]:
        return 0
    meeting = _meeting(call, manager)
    created = 0
    today = utcnow().date()
    for spec in DEMO_GRANTS:
        organisation = db.session.execute(
            select(Organisation).where(Organisation.name == spec.organisation)
        ).scalar_one_or_none()
        if organisation is None or not organisation.memberships:
            continue
        profile = profile_of(organisation)
        if profile is None or not profile.is_verified or profile.risk_rating is None:
            continue
        application = _application(spec, call, organisation)
        if grants.grant_for_application(application) is not None:
            continue
        _decision(application, meeting, spec.amount)
        needed = spec.amount + apply_rate(spec.amount, Decimal(str(current_app.config["PSC_RATE"])))
        if grants.fund_available() < needed:
            current_app.logger.info("demo grants: not enough in the fund for %s", spec.title)
            continue
        start = grants.add_months(today.replace(day=1), -spec.started_months_ago)
        if spec.stage in ("awarded", "agreement_sent"):
            start = grants.default_start_date(today)
        awarded_at = _at(start) - timedelta(days=20)
        grant = grants.award_grant(
            actor=manager,
            application=application,
            start_date=start,
            now=min(awarded_at, utcnow()),
        )
        STAGES[spec.stage](grant, cast)
        db.session.flush()
        created += 1
    return created
