"""Translated labels for the donation codes (statuses, kinds), shown by ``donation_label``."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flask_babel import LazyString, lazy_pgettext
from flask_babel import lazy_gettext as _l

from app.donations.models import (
    GiftKind,
    GiftStatus,
    PledgeStatus,
    SubscriptionStatus,
)
from app.donations.reports.contributions import ContributionKind
from app.donations.web.forms import DONOR_KIND_LABELS
from app.web.labels import label

LABELS: dict[StrEnum, LazyString] = {
    GiftKind.ONE_OFF: _l("One-off gift"),
    GiftKind.MONTHLY: _l("Monthly gift"),
    GiftStatus.PENDING: _l("Processing"),
    GiftStatus.SUCCEEDED: _l("Received"),
    GiftStatus.FAILED: _l("Failed"),
    PledgeStatus.PLEDGED: _l("Pledged, awaiting confirmation"),
    PledgeStatus.CONFIRMED: _l("Confirmed"),
    PledgeStatus.PARTIALLY_PAID: _l("Partly paid"),
    # A pledge's own word: "paid" agrees with it in French and Spanish ("payée", "pagada").
    PledgeStatus.PAID: lazy_pgettext("pledge", "Paid"),
    PledgeStatus.CANCELLED: _l("Cancelled"),
    PledgeStatus.WRITTEN_OFF: _l("Written off"),
    SubscriptionStatus.INCOMPLETE: _l("Starting"),
    SubscriptionStatus.INCOMPLETE_EXPIRED: _l("Did not start"),
    SubscriptionStatus.TRIALING: _l("Starting"),
    SubscriptionStatus.ACTIVE: _l("Active"),
    SubscriptionStatus.PAST_DUE: _l("Payment overdue"),
    SubscriptionStatus.UNPAID: _l("Unpaid"),
    SubscriptionStatus.PAUSED: _l("Paused"),
    SubscriptionStatus.CANCELED: _l("Stopped"),
    ContributionKind.ONE_OFF_GIFT: _l("One-off gift"),
    ContributionKind.MONTHLY_GIFT: _l("Monthly gift"),
    ContributionKind.PLEDGE: _l("Pledge"),
}
LABELS.update(DONOR_KIND_LABELS)
_BY_TYPE = {(type(member), member.value): text for member, text in LABELS.items()}
_BY_VALUE = {member.value: text for member, text in LABELS.items()}


def donation_label(value: Any, vocabulary: type[StrEnum] | None = None) -> str:
    """The label of a donation code; themes and other shared codes fall back to app labels."""
    if isinstance(value, StrEnum):
        text = _BY_TYPE.get((type(value), value.value))
    elif vocabulary is not None:
        text = _BY_TYPE.get((vocabulary, str(value)))
    else:
        text = _BY_VALUE.get(str(value))
    return str(text) if text is not None else label(value, vocabulary)
