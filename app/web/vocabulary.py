"""Every area's labels for its codes in one lookup, so a domain error's statuses read in the
user's language ("Sent, awaiting bank confirmation", not "sent")."""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import Any


@cache
def _labels() -> dict[tuple[type, str], Any]:
    # Imported on first use: the area label modules import the web layer themselves.
    from app.donations.web.labels import LABELS as DONATIONS
    from app.grants.web.labels import LABELS as GRANTS
    from app.ledger.web.labels import (
        ACCOUNT_TYPES,
        TRANSFER_CODES,
        TRANSFER_KINDS,
        TRANSFER_STATUSES,
    )
    from app.monitoring.web.labels import LABELS as MONITORING
    from app.reviews.web.labels import LABELS as REVIEWS
    from app.web.labels import _BY_TYPE as SHARED

    merged: dict[tuple[type, str], Any] = dict(SHARED)
    merged.update(REVIEWS)
    for area in (
        DONATIONS,
        GRANTS,
        MONITORING,
        ACCOUNT_TYPES,
        TRANSFER_CODES,
        TRANSFER_KINDS,
        TRANSFER_STATUSES,
    ):
        merged.update({(type(member), member.value): text for member, text in area.items()})
    return merged


def describe(value: StrEnum) -> str:
    """The translated label of any area's code; the code itself if no area names it."""
    text = _labels().get((type(value), value.value))
    return str(text) if text is not None else str(value)
