"""The shared bulk-action runner (app/web/bulk.py): each record in its own savepoint; a refused
record's changes and queued e-mails are undone, never the others'; the dry run keeps nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.notifications.models import Notification, NotificationKind
from app.notifications.services import PENDING_EMAILS, notify
from app.outbox.models import OutboxMessage
from app.platform.errors import N_, Conflict
from app.platform.extensions import db
from app.web.bulk import BulkAction, run_each
from tests.factories import user_with


def _action() -> BulkAction[User]:
    def load(ids: Sequence[int]) -> dict[int, User]:
        return {
            u.id: u for u in db.session.execute(sa.select(User).where(User.id.in_(ids))).scalars()
        }

    def do(user: User, _form: Any) -> None:
        notify(user=user, kind=NotificationKind.REVIEW_ASSIGNED, link="/x")
        if user.full_name.startswith("Refused"):
            raise Conflict(N_("%(name)s is refused."), name=user.full_name)

    return BulkAction(
        title="Test",
        choose_endpoint="main.index",
        confirm_endpoint="main.index",
        back=lambda: "/",
        form=lambda: None,  # type: ignore[arg-type,return-value]
        load=load,
        label=lambda u: u.full_name,
        link=lambda u: f"/users/{u.id}",
        do=do,
        will=lambda _form: "Told.",
    )


def _notified(users: list[User]) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id.in_([u.id for u in users]))
    )


def test_a_refused_record_is_undone_alone_with_its_e_mails(app):
    kept = [user_with(Role.REVIEWER, full_name=f"Kept {n}") for n in range(3)]
    refused = user_with(Role.REVIEWER, full_name="Refused one")
    db.session.info.pop(PENDING_EMAILS, None)
    with app.test_request_context("/"):
        outcomes = run_each(
            _action(), [kept[0].id, refused.id, kept[1].id, 999_999, kept[2].id], None, keep=True
        )
        # Queued until the outermost commit writes them to the outbox.
        queued = [e.to for e in db.session.info.get(PENDING_EMAILS, [])] + list(
            db.session.execute(sa.select(OutboxMessage.recipient)).scalars()
        )
    assert [o.done for o in outcomes] == [True, False, True, False, True]
    assert outcomes[1].why == "Refused one is refused."
    assert outcomes[3].why.startswith("Not found")
    assert _notified(kept) == 3 and _notified([refused]) == 0
    assert sorted(queued) == sorted(u.email for u in kept)


def test_the_dry_run_keeps_nothing(app):
    users = [user_with(Role.REVIEWER, full_name=f"Kept {n}") for n in range(2)]
    db.session.info.pop(PENDING_EMAILS, None)
    with app.test_request_context("/"):
        outcomes = run_each(_action(), [u.id for u in users], None, keep=False)
        queued = list(db.session.info.get(PENDING_EMAILS, [])) + list(
            db.session.execute(sa.select(OutboxMessage.recipient)).scalars()
        )
    assert all(o.done for o in outcomes)
    assert _notified(users) == 0
    assert queued == []
