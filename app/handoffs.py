"""Who is told at each hand-off: one row for every move of every workflow, event and recipient.

A move hands a record to someone else (an organisation asks for verification: the fund managers
who may verify; a tranche is requested: the finance officers who may check it). Each move of
every ``Workflow`` has a row here: the people to tell, resolved by permission (who may act
next) and never the person who made the move, or ``Silent`` with the reason nobody is told.
``tell`` is subscribed to every workflow by app/bootstrap.py; a test walks every declared move
and fails when one has no row. The notification says what happened and links to the page,
never case details (DESIGN.md §6); the e-mail leaves with
the commit (app/notifications/web/mail.py).

This module sits above the features (it reads the grants', applications' and reviews' records),
so it is not in app/notifications/, which those features use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.accounts.models import User
from app.accounts.permissions import Permission
from app.applications.models import (
    WITHDRAWABLE_STATUSES,
    ApplicationStatus,
    ConceptStatus,
    DueDiligenceStatus,
)
from app.applications.workflow import (
    APPLICATION_WORKFLOW,
    BOARD_OUTCOMES,
    CONCEPT_WORKFLOW,
    ORGANISATION_WORKFLOW,
)
from app.calls.models import CallStatus
from app.calls.workflow import CALL_WORKFLOW
from app.donations.models import GiftStatus, PledgeStatus
from app.donations.workflow import GIFT_WORKFLOW, PLEDGE_WORKFLOW
from app.grants.models import AmendmentStatus, GrantStatus, ReportStatus, TrancheStatus
from app.grants.services.common import report_title
from app.grants.workflow import (
    AMENDMENT_WORKFLOW,
    CLOSURE_TRANCHE_WORKFLOW,
    GRANT_WORKFLOW,
    REPORT_WORKFLOW,
    TRANCHE_WORKFLOW,
)
from app.monitoring.models import RecommendationStatus
from app.monitoring.workflow import RECOMMENDATION_WORKFLOW
from app.notifications.models import NotificationKind as K
from app.notifications.services import fund_staff_with, link_to, notify_all, organisation_staff
from app.reviews.models import AssignmentStatus, MeetingStatus, ReviewStatus
from app.reviews.workflow import ASSIGNMENT_WORKFLOW, MEETING_WORKFLOW, REVIEW_WORKFLOW
from app.workflow import Workflow

# Every workflow whose moves are told from here (the test checks none is missing).
WORKFLOWS: tuple[Workflow, ...] = (
    ORGANISATION_WORKFLOW,
    APPLICATION_WORKFLOW,
    CONCEPT_WORKFLOW,
    CALL_WORKFLOW,
    ASSIGNMENT_WORKFLOW,
    REVIEW_WORKFLOW,
    MEETING_WORKFLOW,
    GRANT_WORKFLOW,
    TRANCHE_WORKFLOW,
    CLOSURE_TRANCHE_WORKFLOW,
    REPORT_WORKFLOW,
    AMENDMENT_WORKFLOW,
    GIFT_WORKFLOW,
    PLEDGE_WORKFLOW,
    RECOMMENDATION_WORKFLOW,
)

Recipients = Callable[[Any], Iterable[User]]


@dataclass(frozen=True)
class Tell:
    """Tell ``who`` (people resolved from the record) a ``kind`` of news, with a link."""

    who: Recipients
    kind: K
    link: Callable[[Any], str]
    reference: Callable[[Any], str]


@dataclass(frozen=True)
class Silent:
    """Nobody is told from here, and why (someone else tells them, or nobody has a step)."""

    reason: str


Row = tuple[Tell, ...] | Silent


# --- recipients -----------------------------------------------------------------------------


def _fund(permission: Permission, organisation_id: Callable[[Any], int]) -> Recipients:
    """The fund's people who may make the next move (never the organisation's own members)."""
    return lambda obj: fund_staff_with(permission, organisation_id=organisation_id(obj))


def _members(organisation_id: Callable[[Any], int]) -> Recipients:
    """The organisation's own people."""
    return lambda obj: organisation_staff(organisation_id(obj))


def _org(obj: Any) -> int:
    return int(obj.organisation_id)


def _grantee(obj: Any) -> int:
    return int(obj.grant.organisation_id)


def _assigner(assignment: Any) -> list[User]:
    return [] if assignment.assigned_by is None else [assignment.assigned_by]


def _maker_and_senders(tranche: Any) -> list[User]:
    makers = [] if tranche.requested_by is None else [tranche.requested_by]
    return makers + fund_staff_with(
        Permission.CONFIRM_DISBURSEMENT, organisation_id=tranche.grant.organisation_id
    )


# --- links and references -------------------------------------------------------------------


def _organisation_page(profile: Any) -> str:
    return link_to("organisations.show", organisation_id=profile.organisation_id)


def _application_page(application: Any) -> str:
    return link_to("applications.show", application_id=application.id)


def _grant_page(grant: Any) -> str:
    return link_to("grants.show", grant_id=grant.id)


def _tranche_page(tranche: Any) -> str:
    return link_to("grants.tranche", tranche_id=tranche.id)


def _report_page(report: Any) -> str:
    return link_to("grants.report", report_id=report.id)


def _recommendation_page(recommendation: Any) -> str:
    return link_to("monitoring.recommendation", recommendation_id=recommendation.id)


def _own_reference(obj: Any) -> str:
    return str(obj.reference)


def _grant_reference(obj: Any) -> str:
    return str(obj.grant.reference)


def _organisation_number(profile: Any) -> str:
    return str(profile.organisation_id)


# --- the table ------------------------------------------------------------------------------

A = ApplicationStatus
D = DueDiligenceStatus
G = GrantStatus
T = TrancheStatus
R = ReportStatus

TO_GRANTEE_NEWS = Tell(_members(_org), K.GRANT_UPDATED, _grant_page, _own_reference)

_ROWS: list[tuple[str, Iterable[StrEnum], StrEnum, Row]] = [
    # An organisation's due diligence.
    (
        "organisation_due_diligence",
        [D.REGISTERED, D.REJECTED, D.VERIFIED],
        D.DOCUMENTS_SUBMITTED,
        (
            Tell(
                _fund(Permission.VERIFY_ORGANISATION, _org),
                K.VERIFICATION_REQUESTED,
                _organisation_page,
                _organisation_number,
            ),
        ),
    ),
    *(
        (
            "organisation_due_diligence",
            sources,
            target,
            (
                Tell(
                    _members(_org),
                    K.VERIFICATION_OUTCOME,
                    _organisation_page,
                    _organisation_number,
                ),
            ),
        )
        for sources, target in (
            ([D.DOCUMENTS_SUBMITTED], D.VERIFIED),
            ([D.DOCUMENTS_SUBMITTED, D.VERIFIED], D.REJECTED),
        )
    ),
    # An application, from submission to the Board's decision.
    (
        "application",
        [A.DRAFT, A.INFO_REQUESTED],
        A.SUBMITTED,
        (
            Tell(
                _fund(Permission.SCREEN_APPLICATION, _org),
                K.APPLICATION_SUBMITTED,
                _application_page,
                _own_reference,
            ),
            Tell(_members(_org), K.APPLICATION_RECEIVED, _application_page, _own_reference),
        ),
    ),
    (
        "application",
        [A.SUBMITTED, A.SCREENING, A.IN_REVIEW],
        A.INFO_REQUESTED,
        (
            Tell(
                _members(_org),
                K.INFORMATION_REQUESTED,
                lambda application: _application_page(application) + "#messages",
                _own_reference,
            ),
        ),
    ),
    # A two-stage call's concept note (decision 0115): those who screen have one to read; the
    # organisation hears the answer, with the fund's reason, from the screening service.
    (
        "concept_note",
        [ConceptStatus.DRAFT],
        ConceptStatus.SUBMITTED,
        (
            Tell(
                _fund(Permission.SCREEN_APPLICATION, _org),
                K.ATTENTION_NEEDED,
                _application_page,
                _own_reference,
            ),
        ),
    ),
    *(
        (
            "concept_note",
            [ConceptStatus.SUBMITTED],
            outcome,
            Silent(
                "the organisation is told with the fund's reason by "
                "app/applications/services/concepts.py (concept_note_outcome)"
            ),
        )
        for outcome in (ConceptStatus.INVITED, ConceptStatus.DECLINED)
    ),
    (
        "application",
        [A.DRAFT],
        A.WITHDRAWN,
        Silent("a draft the fund never saw: nobody there has a step to stop"),
    ),
    (
        # The fund was working on it: those who screen stop (and free its reviewers).
        "application",
        WITHDRAWABLE_STATUSES - {A.DRAFT},
        A.WITHDRAWN,
        (
            Tell(
                _fund(Permission.SCREEN_APPLICATION, _org),
                K.ATTENTION_NEEDED,
                _application_page,
                _own_reference,
            ),
        ),
    ),
    (
        "application",
        [A.SUBMITTED],
        A.SCREENING,
        Silent("the screener takes it up; the applicant hears the screening's outcome"),
    ),
    *(
        (
            "application",
            [A.SCREENING],
            outcome,
            (Tell(_members(_org), K.SCREENING_OUTCOME, _application_page, _own_reference),),
        )
        for outcome in (A.INELIGIBLE, A.IN_REVIEW)
    ),
    *(
        (
            "application",
            [A.IN_REVIEW, other],
            target,
            Silent(
                "the Board hears when the call's pack is ready (reviews' recommendation "
                "service); the applicant hears the Board's decision"
            ),
        )
        for target, other in (
            (A.RECOMMENDED, A.NOT_RECOMMENDED),
            (A.NOT_RECOMMENDED, A.RECOMMENDED),
        )
    ),
    *(
        (
            "application",
            # A reserve-list application is later approved or turned down.
            [A.RECOMMENDED, A.NOT_RECOMMENDED, *([A.RESERVE] if outcome != A.RESERVE else [])],
            outcome,
            (
                Tell(
                    _members(_org),
                    K.BOARD_DECISION,
                    lambda application: link_to(
                        "reviews.decision_letter", application_id=application.id
                    ),
                    _own_reference,
                ),
            ),
        )
        for outcome in BOARD_OUTCOMES
    ),
    # A call: public once published; its applicants hear about their own applications.
    (
        "call",
        [CallStatus.DRAFT],
        CallStatus.PUBLISHED,
        Silent("a published call is listed for everyone; nobody is waiting on it"),
    ),
    (
        "call",
        [CallStatus.PUBLISHED],
        CallStatus.CLOSED,
        Silent("bookkeeping: submissions close at the deadline whatever the status"),
    ),
    (
        "call",
        [CallStatus.CLOSED],
        CallStatus.DECIDED,
        Silent("each applicant was told of their own decision when it was recorded"),
    ),
    # Reviewers.
    (
        "review_assignment",
        [AssignmentStatus.AWAITING_DECLARATION],
        AssignmentStatus.ACTIVE,
        Silent("the reviewer carries on; the fund manager hears when every review is in"),
    ),
    (
        "review_assignment",
        [AssignmentStatus.AWAITING_DECLARATION],
        AssignmentStatus.RECUSED,
        (
            Tell(
                _assigner,
                K.REVIEWER_RECUSED,
                lambda a: link_to("reviews.assign", application_id=a.application_id),
                lambda a: str(a.application.reference),
            ),
        ),
    ),
    (
        "review_assignment",
        [AssignmentStatus.AWAITING_DECLARATION, AssignmentStatus.ACTIVE],
        AssignmentStatus.REMOVED,
        Silent("the reviewer has nothing left to do: the review leaves their list"),
    ),
    (
        "review_assignment",
        [AssignmentStatus.REMOVED],
        AssignmentStatus.AWAITING_DECLARATION,
        Silent(
            "assign_reviewer tells the reviewer itself, with the due date it sets after the move"
        ),
    ),
    (
        "review",
        [ReviewStatus.DRAFT],
        ReviewStatus.SUBMITTED,
        Silent("scoring tells the fund manager once every review of the application is in"),
    ),
    (
        "board_meeting",
        [MeetingStatus.OPEN],
        MeetingStatus.CLOSED,
        Silent("each applicant is told of their decision as it is recorded"),
    ),
    # A grant.
    (
        "grant",
        [G.AWARDED],
        G.AGREEMENT_SENT,
        (
            Tell(
                _members(_org),
                K.AGREEMENT_SENT,
                lambda grant: link_to("grants.agreement", grant_id=grant.id),
                _own_reference,
            ),
        ),
    ),
    (
        "grant",
        [G.AGREEMENT_SENT],
        G.ACTIVE,
        (
            Tell(
                _fund(Permission.AWARD_GRANT, _org),
                K.AGREEMENT_ACCEPTED,
                _grant_page,
                _own_reference,
            ),
        ),
    ),
    ("grant", [G.ACTIVE], G.SUSPENDED, (TO_GRANTEE_NEWS,)),
    ("grant", [G.SUSPENDED], G.ACTIVE, (TO_GRANTEE_NEWS,)),
    ("grant", [G.ACTIVE, G.SUSPENDED], G.CLOSING, (TO_GRANTEE_NEWS,)),
    ("grant", [G.CLOSING], G.CLOSED, (TO_GRANTEE_NEWS,)),
    # Its tranches: maker, checker, sender, then the grantee.
    (
        "tranche",
        [T.SCHEDULED, T.FAILED],
        T.REQUESTED,
        (
            Tell(
                _fund(Permission.APPROVE_DISBURSEMENT, _grantee),
                K.ATTENTION_NEEDED,
                _tranche_page,
                lambda tranche: f"{tranche.reference}: approval needed",
            ),
        ),
    ),
    (
        "tranche",
        # Approved again when the grantee's bank account changed since: ready to send again.
        [T.REQUESTED, T.APPROVED],
        T.APPROVED,
        (
            Tell(
                _maker_and_senders,
                K.ATTENTION_NEEDED,
                _tranche_page,
                lambda tranche: f"{tranche.reference}: approved, ready to send",
            ),
        ),
    ),
    (
        "tranche",
        [T.APPROVED],
        T.SENT,
        Silent("finance confirms it from the bank; the grantee is told once it is paid"),
    ),
    (
        "tranche",
        [T.SENT],
        T.PAID,
        (
            Tell(
                _members(_grantee),
                K.TRANCHE_PAID,
                lambda tranche: _grant_page(tranche.grant),
                _grant_reference,
            ),
        ),
    ),
    (
        "tranche",
        [T.SENT],
        T.FAILED,
        (
            Tell(
                _fund(Permission.REQUEST_DISBURSEMENT, _grantee),
                K.ATTENTION_NEEDED,
                _tranche_page,
                _own_reference,
            ),
        ),
    ),
    (
        "tranche",
        [T.SCHEDULED, T.REQUESTED, T.APPROVED, T.FAILED],
        T.CANCELLED,
        Silent(
            "finance's decision on the schedule, or part of closing the grant (which the grantee "
            "is told about): nobody has a step left on it"
        ),
    ),
    # Its reports.
    (
        "grant_report",
        [R.DUE, R.CHANGES_REQUESTED],
        R.SUBMITTED,
        (
            Tell(
                _fund(Permission.ACCEPT_GRANT_REPORT, _grantee),
                K.ATTENTION_NEEDED,
                _report_page,
                lambda report: f"{report.grant.reference}, {report_title(report)}: review needed",
            ),
        ),
    ),
    (
        "grant_report",
        [R.SUBMITTED],
        R.ACCEPTED,
        (Tell(_members(_grantee), K.GRANT_UPDATED, _report_page, _grant_reference),),
    ),
    (
        "grant_report",
        [R.SUBMITTED],
        R.CHANGES_REQUESTED,
        (
            Tell(
                _members(_grantee),
                K.ATTENTION_NEEDED,
                _report_page,
                lambda report: (
                    f"{report.grant.reference}, {report_title(report)}: changes requested"
                ),
            ),
        ),
    ),
    *(
        (
            "grant_amendment",
            [AmendmentStatus.REQUESTED],
            outcome,
            (
                Tell(
                    _members(_grantee),
                    K.GRANT_UPDATED,
                    lambda amendment: _grant_page(amendment.grant),
                    _grant_reference,
                ),
            ),
        )
        for outcome in (AmendmentStatus.APPROVED, AmendmentStatus.REJECTED)
    ),
    # A monitoring recommendation (a new one is told by app/monitoring/notices.py: no move).
    (
        "monitoring_recommendation",
        [RecommendationStatus.OPEN],
        RecommendationStatus.RESPONDED,
        (
            Tell(
                _fund(Permission.MANAGE_MONITORING, _grantee),
                K.MONITORING_ANSWER,
                _recommendation_page,
                _grant_reference,
            ),
        ),
    ),
    (
        "monitoring_recommendation",
        [RecommendationStatus.RESPONDED, RecommendationStatus.CLOSED],
        RecommendationStatus.OPEN,
        (
            Tell(
                _members(_grantee),
                K.MONITORING_RECOMMENDATION,
                _recommendation_page,
                _grant_reference,
            ),
        ),
    ),
    (
        "monitoring_recommendation",
        [RecommendationStatus.RESPONDED],
        RecommendationStatus.CLOSED,
        (Tell(_members(_grantee), K.GRANT_UPDATED, _recommendation_page, _grant_reference),),
    ),
    # Money from donors: Stripe's word and finance's own bookkeeping.
    *(
        (
            "gift",
            sources,
            target,
            Silent("Stripe's word, not a person's step: the donor gets a receipt"),
        )
        for sources, target in (
            ([GiftStatus.PENDING, GiftStatus.FAILED], GiftStatus.SUCCEEDED),
            ([GiftStatus.PENDING], GiftStatus.FAILED),
        )
    ),
    *(
        (
            "pledge",
            sources,
            target,
            Silent("finance's own bookkeeping of a pledge; donors deal with finance directly"),
        )
        for sources, target in (
            ([PledgeStatus.PLEDGED], PledgeStatus.CONFIRMED),
            ([PledgeStatus.CONFIRMED], PledgeStatus.PARTIALLY_PAID),
            ([PledgeStatus.CONFIRMED, PledgeStatus.PARTIALLY_PAID], PledgeStatus.PAID),
            ([PledgeStatus.PLEDGED, PledgeStatus.CONFIRMED], PledgeStatus.CANCELLED),
            ([PledgeStatus.CONFIRMED, PledgeStatus.PARTIALLY_PAID], PledgeStatus.WRITTEN_OFF),
        )
    ),
]


# (workflow name, from, to) → who is told.
Key = tuple[str, str, str]


def _table(rows: Iterable[tuple[str, Iterable[StrEnum], StrEnum, Row]]) -> dict[Key, Row]:
    table: dict[Key, Row] = {}
    for workflow, sources, target, row in rows:
        for source in sources:
            key = (workflow, str(source), str(target))
            if key in table and table[key] != row:
                raise ValueError(f"two rows for the move {key}")
            table.setdefault(key, row)
    return table


HANDOFFS: dict[Key, Row] = _table(_ROWS)


def tell(name: str, obj: Any, source: StrEnum, target: StrEnum, actor: Any) -> None:
    """A listener of every workflow: tell the row's people, never the one who moved it."""
    row = HANDOFFS.get((name, str(source), str(target)))
    if row is None or isinstance(row, Silent):
        return
    actor_id = actor.id if isinstance(actor, User) else None
    for told in row:
        notify_all(
            [user for user in told.who(obj) if user.id != actor_id],
            kind=told.kind,
            link=told.link(obj),
            params={"reference": told.reference(obj)},
        )


def subscribe_all() -> None:
    """Start-up: every workflow tells its hand-offs (safe to run more than once)."""
    for workflow in WORKFLOWS:
        workflow.subscribe(tell)
