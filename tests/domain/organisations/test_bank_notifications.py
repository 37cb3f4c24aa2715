"""Who is told of a change of bank details: the fund managers who may confirm it when it is
proposed, and the organisation's own people when it is confirmed or rejected (a change nobody
there asked for is noticed)."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.notifications.models import Notification, NotificationKind
from app.notifications.services import PENDING_EMAILS
from app.notifications.web import messages
from app.organisations.services import bank_accounts as bank
from app.platform.extensions import db
from tests.applications_support import ngo_organisation
from tests.bank_support import german_details, proposer_of
from tests.factories import user_with


def _kinds(user: User) -> list[NotificationKind]:
    return list(
        db.session.scalars(
            sa.select(Notification.kind)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def test_the_fund_managers_are_told_of_a_proposal_and_the_members_of_the_decision():
    organisation = ngo_organisation()
    member = proposer_of(organisation)
    first, second = user_with(Role.FUND_MANAGER), user_with(Role.FUND_MANAGER)
    finance = user_with(Role.FINANCE)

    account = bank.propose_bank_account(
        actor=member, organisation=organisation, details=german_details()
    )
    assert _kinds(first) == _kinds(second) == [NotificationKind.BANK_CHANGE_PROPOSED]
    # Finance may not confirm, and the organisation is not told its own proposal.
    assert _kinds(finance) == [] and _kinds(member) == []
    notice = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == first.id)
    ).one()
    assert notice.params == {"reference": str(organisation.id)}
    assert notice.link.endswith(f"/organisations/{organisation.id}#bank-account")
    # The e-mail says only the organisation's number, never the account.
    emails = [e for e in db.session.info[PENDING_EMAILS] if e.to == first.email]
    assert len(emails) == 1
    said = messages.sentence(emails[0].kind, emails[0].params)
    assert f"organisation no. {organisation.id}" in said
    assert account.iban is not None and account.iban[-4:] not in said

    bank.confirm_bank_account(actor=first, account=account)
    assert _kinds(member) == [NotificationKind.BANK_CHANGE_CONFIRMED]
    assert "tell the fund at once" in messages.sentence(
        NotificationKind.BANK_CHANGE_CONFIRMED, {"reference": str(organisation.id)}
    )

    again = bank.propose_bank_account(
        actor=member, organisation=organisation, details=german_details()
    )
    bank.reject_bank_account(actor=second, account=again, reason="Not the organisation's bank.")
    assert _kinds(member) == [
        NotificationKind.BANK_CHANGE_CONFIRMED,
        NotificationKind.BANK_CHANGE_REJECTED,
    ]


def test_a_fund_manager_who_proposes_is_not_asked_to_confirm_their_own_change():
    organisation = ngo_organisation()
    proposer, colleague = user_with(Role.FUND_MANAGER), user_with(Role.FUND_MANAGER)
    bank.propose_bank_account(actor=proposer, organisation=organisation, details=german_details())
    assert _kinds(proposer) == []
    assert _kinds(colleague) == [NotificationKind.BANK_CHANGE_PROPOSED]
