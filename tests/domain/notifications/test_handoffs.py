"""Every move of every workflow is declared in the hand-off table, and the people who act next
hear of it (never the person who made the move, never with case details)."""

from __future__ import annotations

import importlib
import pkgutil

import sqlalchemy as sa

import app as app_package
from app import handoffs
from app.accounts.models import Membership, MembershipRole, Organisation, Role, User
from app.applications import services as applications
from app.applications.models import DueDiligenceStatus, RiskRating
from app.grants import services as grants
from app.notifications.models import Notification, NotificationKind
from app.notifications.services import PENDING_EMAILS
from app.notifications.web.mail import compose
from app.platform.categories import DocumentKind
from app.platform.extensions import db
from app.workflow import Workflow
from tests.applications_support import (
    PDF,
    applicant_of,
    complete,
    fund_manager,
    ngo_organisation,
    started_application,
)
from tests.factories import user_with
from tests.grants_support import USD, active_grant, fund, manager, officers, pay, signatory


def _declared_workflows() -> list[Workflow]:
    """Every Workflow object in a feature's workflow module (a new one is found here too)."""
    found: list[Workflow] = []
    for feature in pkgutil.iter_modules(app_package.__path__):
        if not feature.ispkg:
            continue
        try:
            module = importlib.import_module(f"app.{feature.name}.workflow")
        except ModuleNotFoundError as error:
            if error.name != f"app.{feature.name}.workflow":
                raise
            continue
        found.extend(value for value in vars(module).values() if isinstance(value, Workflow))
    return found


def _received(user: User, kind: NotificationKind | None = None) -> list[Notification]:
    db.session.flush()
    query = sa.select(Notification).where(Notification.user_id == user.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return list(db.session.execute(query).scalars())


def _colleague(organisation: Organisation) -> User:
    colleague = user_with(Role.APPLICANT)
    organisation.memberships.append(Membership(user=colleague, role=MembershipRole.MEMBER))
    db.session.flush()
    db.session.refresh(colleague)
    return colleague


def test_every_move_of_every_workflow_has_a_row():
    workflows = _declared_workflows()
    assert len(workflows) >= 13
    missing = [
        (workflow.name, str(source), str(move.target))
        for workflow in workflows
        for move in workflow.transitions
        for source in move.sources
        if (workflow.name, str(source), str(move.target)) not in handoffs.HANDOFFS
    ]
    assert missing == []


def test_every_row_is_a_declared_move_and_every_workflow_tells():
    workflows = _declared_workflows()
    declared = {
        (workflow.name, str(source), str(move.target))
        for workflow in workflows
        for move in workflow.transitions
        for source in move.sources
    }
    assert set(handoffs.HANDOFFS) - declared == set()
    for workflow in workflows:
        assert handoffs.tell in workflow.listeners, workflow.name


def test_a_silent_move_says_why():
    for key, row in handoffs.HANDOFFS.items():
        if isinstance(row, handoffs.Silent):
            assert len(row.reason) > 20, key
        else:
            assert row, key


def test_verification_asked_and_decided(app, storage):
    verifier = fund_manager()
    organisation = ngo_organisation(
        status=DueDiligenceStatus.REGISTERED, contact_email="office@example.org"
    )
    owner = applicant_of(organisation)
    colleague = _colleague(organisation)
    for kind in (DocumentKind.REGISTRATION_CERTIFICATE, DocumentKind.AUDITED_FINANCIAL_STATEMENTS):
        applications.upload_document(
            actor=owner,
            organisation=organisation,
            kind=kind,
            filename="x.pdf",
            data=PDF,
            storage=storage,
        )
    applications.submit_for_verification(actor=owner, organisation=organisation)
    (asked,) = _received(verifier, NotificationKind.VERIFICATION_REQUESTED)
    assert asked.link == f"/organisations/{organisation.id}"
    assert _received(owner) == []  # the one who asked is not told
    applications.verify_organisation(
        actor=verifier, organisation=organisation, risk_rating=RiskRating.LOW
    )
    (checked,) = _received(owner, NotificationKind.VERIFICATION_OUTCOME)
    assert checked.params == {"reference": str(organisation.id)}
    assert _received(colleague, NotificationKind.VERIFICATION_OUTCOME)
    assert _received(verifier, NotificationKind.VERIFICATION_OUTCOME) == []


def test_a_submission_reaches_the_screeners_and_a_receipt_the_colleagues(app, storage):
    screener = fund_manager()
    application = started_application()
    submitter = applicant_of(application.organisation)
    colleague = _colleague(application.organisation)
    complete(application, submitter, storage)
    applications.submit_application(actor=submitter, application=application)
    (waiting,) = _received(screener, NotificationKind.APPLICATION_SUBMITTED)
    assert waiting.link == f"/applications/{application.id}"
    assert waiting.params == {"reference": application.reference}
    (receipt,) = _received(colleague, NotificationKind.APPLICATION_RECEIVED)
    assert receipt.params == {"reference": application.reference}
    # The submitter sees the confirmation page; nobody is told of their own move.
    assert _received(submitter) == []
    # The e-mail says what happened and links to it; it names neither the NGO nor the project.
    emails = [m for m in db.session.info[PENDING_EMAILS] if m.to == screener.email]
    subject, body = compose(emails[0])
    assert application.reference in body
    assert application.organisation.name not in subject + body
    assert "Shelter" not in body
    # Withdrawn once the fund has it: those who screen are told to stop.
    applications.withdraw_application(actor=submitter, application=application)
    (stop,) = _received(screener, NotificationKind.ATTENTION_NEEDED)
    assert stop.params == {"reference": application.reference}


def test_grant_hand_offs_from_agreement_to_payment(app):
    fund(50_000 * USD)
    fm = manager()
    other_fm = manager()
    grant = active_grant(fm=fm)
    grantee = signatory(grant)
    assert [n.link for n in _received(grantee, NotificationKind.AGREEMENT_SENT)] == [
        f"/grants/{grant.id}/agreement"
    ]
    # Accepted: the fund managers who award hear of it; the grantee who accepted does not.
    assert _received(other_fm, NotificationKind.AGREEMENT_ACCEPTED)
    assert _received(grantee, NotificationKind.AGREEMENT_ACCEPTED) == []
    people = officers()
    tranche = grant.tranches[0]
    pay(tranche, people)
    (paid,) = _received(grantee, NotificationKind.TRANCHE_PAID)
    assert paid.params == {"reference": grant.reference}
    grants.suspend_grant(actor=fm, grant=grant, reason="Audit finding.")
    (news,) = _received(grantee, NotificationKind.GRANT_UPDATED)
    assert "Audit" not in str(news.params)
