"""How the bank files' states read on the page."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.bankfiles.models import BatchStatus, EntryOutcome

LABELS: dict[StrEnum, tuple[object, str]] = {
    BatchStatus.OPEN: (_l("Waiting for the bank"), "text-bg-warning"),
    BatchStatus.DONE: (_l("Done"), "text-bg-success"),
    BatchStatus.CANCELLED: (_l("Cancelled"), "text-bg-secondary"),
    EntryOutcome.TRANCHE_PAID: (_l("Tranche recorded paid"), "text-bg-success"),
    EntryOutcome.ALREADY_PAID: (_l("Tranche already paid"), "text-bg-light"),
    EntryOutcome.PROPOSED: (_l("Pledge proposed"), "text-bg-info"),
    EntryOutcome.CONFIRMED: (_l("Recorded"), "text-bg-success"),
    EntryOutcome.DISMISSED: (_l("Proposal dismissed"), "text-bg-secondary"),
    EntryOutcome.UNMATCHED: (_l("To look into"), "text-bg-danger"),
}


def bankfile_label(value: StrEnum) -> str:
    return str(LABELS[value][0])


def bankfile_badge(value: StrEnum) -> str:
    return LABELS[value][1]


def bankfile_note(note: str | None) -> str:
    """A statement line's note in the reader's language (a refusal kept from a service is
    already a sentence and is shown as it was written)."""
    return _(note) if note else ""
