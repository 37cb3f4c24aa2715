"""A person's copy of what the fund holds about them ("Download my data"), as plain JSON."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from app.accounts.models import User
from app.applications.models import Application, ApplicationMessage
from app.audit.models import AuditEvent
from app.audit.services import record_event
from app.donations.models import (
    BankReceipt,
    DonationReceipt,
    Donor,
    Gift,
    GiftSubscription,
    Pledge,
)
from app.notifications.models import Notification
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.money import to_major
from app.privacy.services.closure import personal_donors

FORMAT_VERSION = 1


def export_personal_data(*, actor: User) -> dict[str, Any]:
    """Everything held about ``actor``, for ``actor`` alone; the export is audited."""
    data = personal_data_of(actor)
    record_event(
        actor=actor,
        action="user.data_exported",
        subject=actor,
        summary="downloaded their personal data",
    )
    db.session.flush()
    return data


def personal_data_of(user: User) -> dict[str, Any]:
    """The account, its roles and organisations, sign-ins and other account events,
    notifications, what they gave as a donor, and references to the applications they wrote.
    Secrets (password hash, authenticator secret, recovery codes) are never included."""
    donors = personal_donors(user)
    return {
        "format_version": FORMAT_VERSION,
        "exported_at": _when(utcnow()),
        "account": {
            "id": user.id,
            "email": user.email,
            "full_name": user.full_name,
            "active": user.is_active,
            "created_at": _when(user.created_at),
            "email_confirmed_at": _when(user.email_confirmed_at),
            "last_login_at": _when(user.last_login_at),
            "language": user.locale,
            "time_zone": user.timezone,
            "two_factor_enabled_at": _when(user.totp_enabled_at),
        },
        "roles": [
            {"role": str(grant.role), "granted_at": _when(grant.granted_at)}
            for grant in sorted(user.role_grants, key=lambda g: g.role)
        ],
        "organisations": [
            {
                "id": membership.organisation_id,
                "name": membership.organisation.name,
                "membership": str(membership.role),
                "since": _when(membership.created_at),
            }
            for membership in user.memberships
        ],
        "notifications": _notifications(user),
        "donor_records": [_donor(donor) for donor in donors],
        "applications": _applications(user),
        "account_events": _events(user),
    }


def _when(moment: datetime | date | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _money(minor: int | None, currency: str) -> dict[str, str] | None:
    if minor is None:
        return None
    return {"amount": str(to_major(minor, currency)), "currency": currency}


def _notifications(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(
        sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).scalars()
    return [
        {
            "kind": str(n.kind),
            "params": n.params,
            "link": n.link,
            "created_at": _when(n.created_at),
            "read_at": _when(n.read_at),
        }
        for n in rows
    ]


def _donor(donor: Donor) -> dict[str, Any]:
    return {
        "id": donor.id,
        "name": donor.name,
        "email": donor.email,
        "country": donor.country,
        "public_recognition": donor.public_recognition,
        "gifts": _gifts(donor),
        "monthly_gifts": _monthly_gifts(donor),
        "pledges": _pledges(donor),
        "bank_transfers": _bank_transfers(donor),
    }


def _gifts(donor: Donor) -> list[dict[str, Any]]:
    receipts = {
        receipt.gift_id: receipt
        for receipt in db.session.execute(
            sa.select(DonationReceipt)
            .join(Gift, Gift.id == DonationReceipt.gift_id)
            .where(Gift.donor_id == donor.id)
        ).scalars()
    }
    gifts = db.session.execute(
        sa.select(Gift).where(Gift.donor_id == donor.id).order_by(Gift.id)
    ).scalars()
    return [
        {
            "date": _when(gift.succeeded_at or gift.created_at),
            "name_given": gift.donor_name,
            "kind": str(gift.kind),
            "status": str(gift.status),
            "amount": _money(gift.amount, gift.currency),
            "refunded": _money(gift.refunded_amount, gift.currency) if gift.refunds else None,
            "public_recognition": gift.public_recognition,
            "receipt": receipts[gift.id].reference if gift.id in receipts else None,
        }
        for gift in gifts
    ]


def _monthly_gifts(donor: Donor) -> list[dict[str, Any]]:
    subscriptions = db.session.execute(
        sa.select(GiftSubscription)
        .where(GiftSubscription.donor_id == donor.id)
        .order_by(GiftSubscription.id)
    ).scalars()
    return [
        {
            "started": _when(s.created_at),
            "name_given": s.donor_name,
            "status": str(s.status),
            "amount": _money(s.amount, s.currency),
        }
        for s in subscriptions
    ]


def _pledges(donor: Donor) -> list[dict[str, Any]]:
    pledges = db.session.execute(
        sa.select(Pledge).where(Pledge.donor_id == donor.id).order_by(Pledge.id)
    ).scalars()
    return [
        {
            "year": p.year,
            "status": str(p.status),
            "amount": _money(p.amount, p.currency),
            "note": p.note,
        }
        for p in pledges
    ]


def _bank_transfers(donor: Donor) -> list[dict[str, Any]]:
    bank_receipts = db.session.execute(
        sa.select(BankReceipt).where(BankReceipt.donor_id == donor.id).order_by(BankReceipt.id)
    ).scalars()
    return [
        {
            "value_date": _when(b.value_date),
            "amount": _money(b.amount, b.currency),
            "bank_reference": b.bank_reference,
        }
        for b in bank_receipts
    ]


def _applications(user: User) -> list[dict[str, Any]]:
    """References only: an application belongs to its organisation, not to whoever typed it."""
    written = (
        sa.select(Application.id)
        .where(sa.or_(Application.created_by_id == user.id, Application.updated_by_id == user.id))
        .union(
            sa.select(ApplicationMessage.application_id).where(
                ApplicationMessage.author_id == user.id
            )
        )
    )
    rows = db.session.execute(
        sa.select(Application).where(Application.id.in_(written)).order_by(Application.id)
    ).scalars()
    return [
        {
            "reference": application.reference,
            "organisation_id": application.organisation_id,
            "status": str(application.status),
            "created_by_you": application.created_by_id == user.id,
        }
        for application in rows
    ]


def _events(user: User) -> list[dict[str, Any]]:
    """What the audit log says this person did, and what was done to their account (their
    sign-ins and failed sign-ins among them)."""
    rows = db.session.execute(
        sa.select(AuditEvent)
        .where(
            sa.or_(
                AuditEvent.actor_id == user.id,
                sa.and_(
                    AuditEvent.subject_type == User.__tablename__,
                    AuditEvent.subject_id == str(user.id),
                ),
            )
        )
        .order_by(AuditEvent.id)
    ).scalars()
    return [
        {
            "at": _when(event.occurred_at),
            "action": event.action,
            "summary": event.summary,
            "by_you": event.actor_id == user.id,
            "ip": event.ip if event.actor_id == user.id else None,
        }
        for event in rows
    ]
