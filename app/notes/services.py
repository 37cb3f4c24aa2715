"""Writing and reading internal notes, and telling the colleagues a note mentions.

Only the fund's staff who may see the record read its notes (VIEW_INTERNAL_NOTES) or add one
(WRITE_INTERNAL_NOTE); the NGO or donor the record belongs to never holds either permission,
so no page, export or API they reach can show a note.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.accounts.models import Organisation, User, UserRole
from app.accounts.permissions import (
    ROLE_PERMISSIONS,
    Actor,
    Permission,
    can_view_application,
    can_view_grant,
    can_view_organisation,
    can_view_pledge,
    ensure_permission,
    has_permission,
)
from app.applications.models import Application
from app.audit.services import record_event
from app.donations.models import Pledge
from app.grants.models import Grant
from app.notes.models import InternalNote, NoteSubject
from app.notifications.models import NotificationKind
from app.notifications.services import link_to, notify
from app.platform.errors import N_, NotFound, ValidationFailed
from app.platform.extensions import db

MAX_NOTE_LENGTH = 5000

# Each kind of subject: its table, who may see it, and its page (the note section's anchor).
_MODELS: dict[NoteSubject, type[Any]] = {
    NoteSubject.ORGANISATION: Organisation,
    NoteSubject.APPLICATION: Application,
    NoteSubject.GRANT: Grant,
    NoteSubject.PLEDGE: Pledge,
}
_MAY_SEE: dict[NoteSubject, Callable[[Actor | None, Any], bool]] = {
    NoteSubject.ORGANISATION: can_view_organisation,
    NoteSubject.APPLICATION: can_view_application,
    NoteSubject.GRANT: can_view_grant,
    NoteSubject.PLEDGE: can_view_pledge,
}
_PAGES: dict[NoteSubject, tuple[str, str]] = {
    NoteSubject.ORGANISATION: ("organisations.show", "organisation_id"),
    NoteSubject.APPLICATION: ("applications.show", "application_id"),
    NoteSubject.GRANT: ("grants.show", "grant_id"),
    NoteSubject.PLEDGE: ("donations.pledge", "pledge_id"),
}
NOTES_ANCHOR = "internal-notes"


def subject_kind(record: Any) -> NoteSubject:
    for kind, model in _MODELS.items():
        if isinstance(record, model):
            return kind
    raise TypeError(f"internal notes are not kept on {type(record).__name__}")


def reference_of(record: Any) -> str:
    """What a notice may name: the record's reference, or its number when it has none."""
    return str(getattr(record, "reference", None) or record.id)


def model_of(kind: NoteSubject) -> type[Any]:
    return _MODELS[kind]


def page_of(kind: NoteSubject) -> tuple[str, str]:
    """The record's page: its endpoint and the name of its id there."""
    return _PAGES[kind]


def may_read_notes(actor: Actor | None, record: Any) -> bool:
    return has_permission(actor, Permission.VIEW_INTERNAL_NOTES) and _MAY_SEE[subject_kind(record)](
        actor, record
    )


def may_write_notes(actor: Actor | None, record: Any) -> bool:
    return has_permission(actor, Permission.WRITE_INTERNAL_NOTE) and may_read_notes(actor, record)


def notes_on(record: Any) -> list[InternalNote]:
    """The record's notes, oldest first: a thread read from the top."""
    return list(
        db.session.execute(
            sa.select(InternalNote)
            .where(
                InternalNote.subject_type == subject_kind(record),
                InternalNote.subject_id == record.id,
            )
            .options(selectinload(InternalNote.author))
            .order_by(InternalNote.created_at, InternalNote.id)
        ).scalars()
    )


def mentionable_staff(record: Any) -> list[User]:
    """The colleagues a note on ``record`` may mention: active staff who may read its notes."""
    roles = [
        role
        for role, granted in ROLE_PERMISSIONS.items()
        if Permission.VIEW_INTERNAL_NOTES in granted
    ]
    users = db.session.execute(
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_(roles), User.is_active.is_(True))
        .options(selectinload(User.role_grants))
        .distinct()
        .order_by(User.full_name, User.id)
    ).scalars()
    return [user for user in users if may_read_notes(user, record)]


def names_of(user_ids: Iterable[int]) -> dict[int, str]:
    """The full names of the people notes mention, by id."""
    ids = set(user_ids)
    if not ids:
        return {}
    rows = db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(ids)))
    return {row.id: row.full_name for row in rows}


def mentions_in(body: str, staff: Iterable[User]) -> list[User]:
    """The staff named in ``body`` by "@" and their e-mail address or full name, in the order
    they appear. A longer name wins where two overlap ("@Ann Lee" is not "@Ann")."""
    found: list[tuple[int, int, User]] = []
    for user in staff:
        for handle in {user.email, user.full_name}:
            if not handle:
                continue
            pattern = re.compile("@" + re.escape(handle) + r"(?![\w@.-]*\w)", re.IGNORECASE)
            for match in pattern.finditer(body):
                found.append((match.start(), -len(handle), user))
    found.sort(key=lambda item: (item[0], item[1]))
    mentioned: list[User] = []
    taken_until = -1
    for start, negative_length, user in found:
        if start < taken_until:
            continue
        taken_until = start + 1 - negative_length
        if user not in mentioned:
            mentioned.append(user)
    return mentioned


def add_note(
    *, actor: User, record: Any, body: str, mention_ids: Iterable[int] = ()
) -> InternalNote:
    """Append a note to ``record`` and tell each colleague it mentions (by "@" in the text or
    picked from the list). There is no edit or delete: a correction is a new note."""
    ensure_permission(actor, Permission.WRITE_INTERNAL_NOTE)
    if not may_write_notes(actor, record):
        raise NotFound(N_("We could not find that record."))
    text = body.strip()
    if not text:
        raise ValidationFailed(N_("Write the note first."))
    if len(text) > MAX_NOTE_LENGTH:
        raise ValidationFailed(
            N_("A note holds at most %(count)s characters; split it in two."),
            count=MAX_NOTE_LENGTH,
        )
    staff = mentionable_staff(record)
    by_id = {user.id: user for user in staff}
    picked = list(dict.fromkeys(mention_ids))
    if any(user_id not in by_id for user_id in picked):
        raise ValidationFailed(N_("Only colleagues who may read this record can be mentioned."))
    mentioned = mentions_in(text, staff)
    mentioned += [by_id[user_id] for user_id in picked if by_id[user_id] not in mentioned]
    mentioned = [user for user in mentioned if user.id != actor.id]
    kind = subject_kind(record)
    note = InternalNote(
        subject_type=kind,
        subject_id=record.id,
        author_id=actor.id,
        body=text,
        mentioned_ids=[user.id for user in mentioned],
    )
    db.session.add(note)
    db.session.flush()
    # The audit log says a note was added and whom it told, never what it says: people who read
    # the log (administrators) are not all allowed to read the notes.
    record_event(
        actor=actor,
        action="note.added",
        subject_type=_MODELS[kind].__tablename__,
        subject_id=record.id,
        summary=f"Internal note {note.id} added on {kind.value} {reference_of(record)}",
        changes={"mentioned": [None, note.mentioned_ids]},
    )
    endpoint, argument = _PAGES[kind]
    link = f"{link_to(endpoint, **{argument: record.id})}#{NOTES_ANCHOR}"
    for user in mentioned:
        notify(
            user=user,
            kind=NotificationKind.NOTE_MENTION,
            link=link,
            params={"subject": kind.value, "reference": reference_of(record)},
        )
    return note
