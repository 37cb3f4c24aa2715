"""How screening's statuses and names read on its pages."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.screening.models import EntryKind, HitStatus, ScreenedName

LABELS: dict[object, LazyString] = {
    HitStatus.OPEN: _l("To decide"),
    HitStatus.CLEARED: _l("Cleared"),
    HitStatus.CONFIRMED: _l("Confirmed match"),
    ScreenedName.ORGANISATION: _l("Organisation name"),
    ScreenedName.LEGAL_NAME: _l("Legal name"),
    ScreenedName.BANK_ACCOUNT_HOLDER: _l("Bank account holder"),
    ScreenedName.SIGNATORY: _l("Signatory (owner of the account)"),
    ScreenedName.DIRECTOR: _l("Director"),
    EntryKind.INDIVIDUAL: _l("Individual"),
    EntryKind.ENTITY: _l("Entity"),
}


def screening_label(value: object) -> str:
    text = LABELS.get(value)
    return str(text) if text is not None else str(value)
