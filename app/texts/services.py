"""Saving, restoring and using the versions of the texts staff edit.

A save is checked first (app/texts/rendering.py: placeholders, syntax, a trial rendering with
the sample values), then added as the next version, in force from then on, and audited. Nothing
is ever overwritten: restoring an old version adds a copy of it. Sending code asks
``render_in_force``: with no version in force for that language (or, should one fail when it
runs, with the error logged) it gets None and uses the built-in wording.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from jinja2.exceptions import TemplateError
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.accounts.permissions import Actor, Permission, ensure_permission
from app.audit.services import record_event
from app.outbox.models import OutboxMessage
from app.outbox.services import queue_email
from app.platform.errors import N_, Conflict, NotFound, ValidationFailed
from app.platform.extensions import db
from app.texts.models import TextVersion
from app.texts.registry import EditableText, editable
from app.texts.rendering import Problem, check, render

log = logging.getLogger(__name__)

MAX_SUBJECT_LENGTH = 500  # text_versions.subject, outbox_messages.subject


class TextRefused(ValidationFailed):
    """A text that may not be saved; ``problems`` says why, per field (subject, body)."""

    def __init__(self, problems: dict[str, list[Problem]]) -> None:
        super().__init__(N_("The text was not saved: correct what is shown."))
        self.problems = problems


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    version_id: int


def text_or_404(key: str) -> EditableText:
    text = editable(key)
    if text is None:
        raise NotFound(N_("There is no such text."))
    return text


def in_force(key: str, locale: str) -> TextVersion | None:
    return db.session.execute(
        sa.select(TextVersion)
        .where(
            TextVersion.key == key,
            TextVersion.locale == locale,
            TextVersion.is_active.is_(True),
        )
        .order_by(TextVersion.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def all_in_force() -> dict[tuple[str, str], TextVersion]:
    """(key, locale) -> the version in force, for the list of texts (one query)."""
    rows = db.session.execute(
        sa.select(TextVersion).where(TextVersion.is_active.is_(True))
    ).scalars()
    return {(row.key, row.locale): row for row in rows}


def history(key: str, locale: str) -> list[TextVersion]:
    return list(
        db.session.execute(
            sa.select(TextVersion)
            .where(TextVersion.key == key, TextVersion.locale == locale)
            .order_by(TextVersion.version.desc())
        ).scalars()
    )


def emails_written_from(version_ids: list[int]) -> dict[int, int]:
    """version id -> how many e-mails of the outbox were written from it (one query)."""
    if not version_ids:
        return {}
    rows = db.session.execute(
        sa.select(OutboxMessage.text_version_id, sa.func.count())
        .where(OutboxMessage.text_version_id.in_(version_ids))
        .group_by(OutboxMessage.text_version_id)
    )
    return {int(version_id): int(count) for version_id, count in rows if version_id is not None}


def problems_of(text: EditableText, *, subject: str, body: str) -> dict[str, list[Problem]]:
    """What is wrong with a draft, per field (empty when it may be saved)."""
    found: dict[str, list[Problem]] = {}
    if text.has_subject:
        if not subject.strip():
            found["subject"] = [Problem(N_("This field is required."), {})]
        elif "\n" in subject or "\r" in subject:
            found["subject"] = [Problem(N_("A subject is one line."), {})]
        elif len(subject) > MAX_SUBJECT_LENGTH:
            found["subject"] = [
                Problem(N_("At most %(count)d characters."), {"count": MAX_SUBJECT_LENGTH})
            ]
        else:
            refused = check(subject, allowed=text.placeholders, sample=text.sample)
            if refused:
                found["subject"] = refused
    if not body.strip():
        found["body"] = [Problem(N_("This field is required."), {})]
    else:
        refused = check(body, allowed=text.placeholders, sample=text.sample, required=text.required)
        if refused:
            found["body"] = refused
    return found


def preview(text: EditableText, *, subject: str, body: str) -> Rendered:
    """The draft filled in with the sample values; raises TextRefused when it is wrong."""
    refused = problems_of(text, subject=subject, body=body)
    if refused:
        raise TextRefused(refused)
    return Rendered(
        subject=render(subject, text.sample) if text.has_subject else "",
        body=render(body, text.sample),
        version_id=0,
    )


def save_version(
    *,
    actor: Actor,
    key: str,
    locale: str,
    subject: str,
    body: str,
    restored_from: TextVersion | None = None,
) -> TextVersion:
    """Add the next version of a text in a language and put it in force (flushes)."""
    ensure_permission(actor, Permission.EDIT_TEXTS)
    text = text_or_404(key)
    subject = subject.strip() if text.has_subject else ""
    body = body.replace("\r\n", "\n")
    refused = problems_of(text, subject=subject, body=body)
    if refused:
        raise TextRefused(refused)
    previous = history(key, locale)
    number = previous[0].version + 1 if previous else 1
    for old in previous:
        if old.is_active:
            old.is_active = False
    version = TextVersion(
        key=key,
        locale=locale,
        version=number,
        subject=subject,
        body=body,
        is_active=True,
        restored_from=restored_from.version if restored_from is not None else None,
        created_by_id=actor.id if isinstance(actor, User) else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(version)
            db.session.flush()
    except IntegrityError as error:
        raise Conflict(
            N_("Someone saved this text at the same moment: open it again and retry.")
        ) from error
    record_event(
        actor=actor,
        action="text.restored" if restored_from is not None else "text.saved",
        summary=f"Text {key} ({locale}) version {number} put in force"
        + (f", a copy of version {restored_from.version}" if restored_from is not None else ""),
        subject=version,
        changes={"key": key, "locale": locale, "version": number, "subject": subject, "body": body},
    )
    return version


def restore(*, actor: Actor, version_id: int) -> TextVersion:
    """Put an old version back in force, as a new version copying it."""
    ensure_permission(actor, Permission.EDIT_TEXTS)
    old = db.session.get(TextVersion, version_id)
    if old is None or editable(old.key) is None:
        raise NotFound(N_("There is no such version."))
    return save_version(
        actor=actor,
        key=old.key,
        locale=old.locale,
        subject=old.subject,
        body=old.body,
        restored_from=old,
    )


def versions_at(key: str, at: datetime | None) -> dict[str, TextVersion]:
    """locale -> the version of ``key`` in force at ``at`` (now when None). Saves always put the
    new version in force, so the one in force at a moment is the newest made by then."""
    query = sa.select(TextVersion).where(TextVersion.key == key)
    if at is not None:
        query = query.where(TextVersion.created_at <= at)
    found: dict[str, TextVersion] = {}
    for version in db.session.execute(query.order_by(TextVersion.version)).scalars():
        if at is not None or version.is_active:
            found[version.locale] = version
    return found


def render_version(version: TextVersion, values: dict[str, Any]) -> Rendered | None:
    """A given version filled in, or None (logged) if it cannot be: use the built-in wording."""
    strings = {name: "" if value is None else str(value) for name, value in values.items()}
    try:
        return Rendered(
            subject=render(version.subject, strings) if version.subject else "",
            body=render(version.body, strings),
            version_id=version.id,
        )
    except TemplateError:
        log.exception("text %s (%s) version %s failed", version.key, version.locale, version.id)
        return None


def render_in_force(key: str, locale: str, values: dict[str, Any]) -> Rendered | None:
    """The version in force for this language filled in, or None: use the built-in wording."""
    version = in_force(key, locale)
    if version is None:
        return None
    # Checked when saved, so only a value the sample did not foresee fails here: the built-in
    # wording is sent rather than nothing.
    return render_version(version, values)


def queue_text_email(
    *, key: str, to: str, locale: str, values: dict[str, Any], subject: str, body: str
) -> None:
    """Queue the e-mail ``key`` to ``to`` (sent once the caller commits): in the wording staff
    put in force for ``locale``, the version recorded on the message, else the built-in
    ``subject`` and ``body`` the caller wrote."""
    staff = render_in_force(key, locale, values)
    if staff is not None:
        queue_email(to=to, subject=staff.subject, body=staff.body, text_version_id=staff.version_id)
        return
    queue_email(to=to, subject=subject, body=body)
