"""Where a payment to an organisation would go, as the checker sees it, the check every
payment step makes (a confirmed account past its hold, no change waiting), and what the
due-diligence queue watches (changes waiting, accounts in their hold, accounts shared)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.accounts.models import Organisation
from app.organisations.models import BankAccount
from app.organisations.services.bank_accounts import (
    current_bank_account,
    current_clause,
    mask_account,
    pending_bank_account,
    pending_bank_changes,
    pending_clause,
    warning_days,
)
from app.platform.db import lock_rows, utcnow
from app.platform.errors import N_, Conflict
from app.platform.extensions import db


@dataclass
class Destination:
    """Where a payment to an organisation would go, as the checker sees it."""

    current: BankAccount | None = None
    pending: BankAccount | None = None
    # Other organisations whose current or proposed account is this one.
    shared_with: list[str] = field(default_factory=list)
    # When the current account was confirmed, if within BANK_CHANGE_WARNING_DAYS.
    changed_at: datetime | None = None
    held_until: datetime | None = None

    @property
    def masked(self) -> str | None:
        return mask_account(self.current) if self.current else None


def destinations(
    organisation_ids: Iterable[int], *, now: datetime | None = None
) -> dict[int, Destination]:
    """The destination of each organisation's payments, in two queries for any number."""
    now = now or utcnow()
    ids = set(organisation_ids)
    found: dict[int, Destination] = {oid: Destination() for oid in ids}
    if not ids:
        return found
    live = sa.or_(current_clause(), pending_clause())
    rows = db.session.scalars(
        sa.select(BankAccount).where(BankAccount.organisation_id.in_(ids), live)
    ).all()
    for row in rows:
        if row.is_pending:
            found[row.organisation_id].pending = row
        else:
            found[row.organisation_id].current = row
    keys = {row.account_key for row in rows}
    sharers: dict[str, set[tuple[int, str]]] = defaultdict(set)
    if keys:
        for key, oid, name in db.session.execute(
            sa.select(BankAccount.account_key, Organisation.id, Organisation.name)
            .join(Organisation, Organisation.id == BankAccount.organisation_id)
            .where(BankAccount.account_key.in_(keys), live)
        ):
            sharers[key].add((oid, name))
    since = now - timedelta(days=warning_days())
    for oid, destination in found.items():
        others = {
            name
            for row in (destination.current, destination.pending)
            if row is not None
            for other, name in sharers[row.account_key]
            if other != oid
        }
        destination.shared_with = sorted(others)
        current = destination.current
        if current is not None and current.confirmed_at and current.confirmed_at >= since:
            destination.changed_at = current.confirmed_at
        if current is not None and current.active_from and current.active_from > now:
            destination.held_until = current.active_from
    return found


def destination(organisation_id: int, *, now: datetime | None = None) -> Destination:
    return destinations([organisation_id], now=now)[organisation_id]


def ensure_payable(organisation: Organisation, *, now: datetime | None = None) -> BankAccount:
    """Lock the organisation's row (as a confirmation does), then refuse a payment step unless a
    confirmed account is past its hold and no change is waiting. Called after the tranche's
    locks, so the order is always grant, tranche, organisation."""
    lock_rows(organisation)
    now = now or utcnow()
    if pending_bank_account(organisation.id) is not None:
        raise Conflict(
            N_(
                "A change of %(organisation)s's bank details is waiting for confirmation: no "
                "payment step until it is confirmed or rejected."
            ),
            organisation=organisation.name,
        )
    current = current_bank_account(organisation.id)
    if current is None:
        raise Conflict(
            N_(
                "%(organisation)s has no confirmed bank account: no payment until the fund "
                "confirms one."
            ),
            organisation=organisation.name,
        )
    if current.active_from is not None and current.active_from > now:
        raise Conflict(
            N_(
                "%(organisation)s's bank account changed on %(changed)s: payments are held "
                "until %(until)s."
            ),
            organisation=organisation.name,
            changed=(current.confirmed_at or now).date().isoformat(),
            until=current.active_from.date().isoformat(),
        )
    return current


@dataclass
class SharedAccount:
    """One account (masked) that several organisations use or propose."""

    masked: str
    organisations: list[Organisation]


@dataclass
class BankWatch:
    """What the due-diligence queue shows of bank details."""

    pending: list[BankAccount]  # changes waiting for a second person, oldest first
    held: list[BankAccount]  # confirmed accounts payments still wait for, soonest free first
    shared: list[SharedAccount]


def bank_watch(*, now: datetime | None = None) -> BankWatch:
    """Changes waiting, accounts in their hold, and accounts used by more than one
    organisation, in three queries whatever their number."""
    now = now or utcnow()
    live = sa.or_(current_clause(), pending_clause())
    held = db.session.scalars(
        sa.select(BankAccount)
        .where(current_clause(), BankAccount.active_from > now)
        .options(joinedload(BankAccount.organisation))
        .order_by(BankAccount.active_from, BankAccount.id)
    ).all()
    shared_keys = (
        sa.select(BankAccount.account_key)
        .where(live)
        .group_by(BankAccount.account_key)
        .having(sa.func.count(sa.distinct(BankAccount.organisation_id)) > 1)
    )
    rows = db.session.scalars(
        sa.select(BankAccount)
        .where(live, BankAccount.account_key.in_(shared_keys))
        .options(joinedload(BankAccount.organisation))
        .order_by(BankAccount.account_key, BankAccount.organisation_id)
    ).all()
    groups: dict[str, SharedAccount] = {}
    for row in rows:
        group = groups.setdefault(row.account_key, SharedAccount(mask_account(row), []))
        if row.organisation not in group.organisations:
            group.organisations.append(row.organisation)
    return BankWatch(pending=pending_bank_changes(), held=list(held), shared=list(groups.values()))
