"""The IATI files published, not only downloadable: made by a job, kept, served as they are.

Both files (activities, app/reporting/iati.py; organisation, app/reporting/iati_organisation.py)
are made again when the data they are made from changes, and once a day whatever happens. What
they are made from is summed up in a cheap fingerprint: for each table that goes into them, how
many rows and the newest change (the ledger's head for money), with the publisher's settings
and the files' format version. A tick (``publish_if_changed``) reads the fingerprint, a handful
of aggregate queries, and makes the files only when it differs from the one they were made
from. The tick runs in the periodic loops the app already has: ``flask outbox send --loop``
(what ``make run`` runs) and the Celery beat (app/tasks.py, every minute, and a daily
republish); ``flask iati publish`` runs it by hand (decision record 0080).

The fingerprint is read before the files are made: a change committed while they are being made
gives the next tick a different fingerprint, so it is published then, never lost.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.applications.models import Application, OrganisationProfile
from app.calls.models import Call
from app.donations.models import BankReceipt, Donor, Gift, Pledge
from app.grants.models import Grant, GrantRefund, Tranche, TrancheStatus
from app.ledger.models import Transfer
from app.platform.db import utcnow
from app.platform.extensions import db
from app.reporting.iati import iati_activities
from app.reporting.iati_organisation import iati_organisations
from app.reporting.iati_xml import IatiPublisher
from app.reporting.models import PublishedFile

logger = logging.getLogger(__name__)

ACTIVITIES = "iati-activities"
ORGANISATION = "iati-organisation"
CONTENT_TYPE = "application/xml; charset=utf-8"
# Raised whenever what the files say changes for the same data (a new element, a new rule
# met), so that the next tick publishes them again.
FORMAT_VERSION = "2026-12-07.3"


@dataclass(frozen=True)
class FileKind:
    name: str
    make: Callable[[IatiPublisher, datetime], Iterable[str]]


FILES = (
    FileKind(ACTIVITIES, lambda publisher, moment: iati_activities(publisher, generated=moment)),
    FileKind(
        ORGANISATION, lambda publisher, moment: iati_organisations(publisher, generated=moment)
    ),
)


def _summary(
    model: type[
        Grant | Application | Call | OrganisationProfile | Donor | Pledge | Gift | BankReceipt
    ],
) -> list[sa.ScalarSelect[object]]:
    """How many rows a table has, and its newest change."""
    return [
        sa.select(sa.func.count()).select_from(model).scalar_subquery(),
        sa.select(sa.func.max(model.updated_at)).scalar_subquery(),
    ]


def fingerprint(publisher: IatiPublisher) -> str:
    """What the two files are made from, summed up (a SHA-256 in hex)."""
    row = db.session.execute(
        sa.select(
            *_summary(Grant),
            *_summary(Application),
            *_summary(Call),
            *_summary(OrganisationProfile),
            *_summary(Donor),
            *_summary(Pledge),
            *_summary(Gift),
            *_summary(BankReceipt),
            # Tranches and refunds keep no time of change; what changes them moves money.
            sa.select(sa.func.count())
            .select_from(Tranche)
            .where(Tranche.status == TrancheStatus.PAID)
            .scalar_subquery(),
            sa.select(sa.func.count()).select_from(GrantRefund).scalar_subquery(),
            sa.select(sa.func.max(Transfer.sequence)).scalar_subquery(),
        )
    ).one()
    parts = [FORMAT_VERSION, repr(publisher), *(str(value) for value in row)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def published(name: str) -> PublishedFile | None:
    return db.session.execute(
        sa.select(PublishedFile).where(PublishedFile.name == name)
    ).scalar_one_or_none()


def _store(name: str, content: bytes, mark: str, moment: datetime) -> None:
    digest = hashlib.sha256(content).hexdigest()
    stored = published(name)
    if stored is None:
        db.session.add(
            PublishedFile(
                name=name,
                content=content,
                content_type=CONTENT_TYPE,
                sha256=digest,
                fingerprint=mark,
                generated_at=moment,
            )
        )
        return
    stored.content = content
    stored.content_type = CONTENT_TYPE
    stored.sha256 = digest
    stored.fingerprint = mark
    stored.generated_at = moment


def publish(publisher: IatiPublisher, *, force: bool = False) -> list[str]:
    """Make and store each file whose data changed since it was made (every file when
    ``force``); the names of those made. Commits; a concurrent publisher that stored the same
    file first wins, and this one stores nothing."""
    mark = fingerprint(publisher)
    due = [
        kind
        for kind in FILES
        if force or (stored := published(kind.name)) is None or stored.fingerprint != mark
    ]
    if not due:
        db.session.rollback()  # ends the read transaction
        return []
    moment = utcnow().replace(microsecond=0)
    made = {kind.name: "".join(kind.make(publisher, moment)).encode() for kind in due}
    try:
        for name, content in made.items():
            _store(name, content, mark, moment)
        db.session.commit()
    except IntegrityError:
        # Another tick inserted the first version of a file at the same moment: it is published.
        db.session.rollback()
        return []
    logger.info("IATI files published: %s", ", ".join(made))
    return list(made)


def publish_if_changed(publisher: IatiPublisher) -> list[str]:
    """One tick of the periodic loops: publish what changed; a failure is logged, not raised,
    so the loop it runs in (the outbox's) carries on."""
    try:
        return publish(publisher)
    except Exception:
        db.session.rollback()
        logger.exception("IATI publication: this tick failed; the next one tries again")
        return []
