"""Screening test helpers: the small list in the UN Consolidated List's shape, and importing it."""

from __future__ import annotations

from pathlib import Path

from app.screening.models import HitStatus, ScreeningHit
from app.screening.services.decisions import hits_of
from app.screening.services.list_import import ImportResult, import_list

LIST_PATH = Path(__file__).parent / "domain" / "screening" / "consolidated_list.xml"


def list_bytes(*, replace: tuple[str, str] | None = None) -> bytes:
    """The test list, with one piece of text changed when ``replace`` is given."""
    text = LIST_PATH.read_text(encoding="utf-8")
    if replace is not None:
        assert replace[0] in text
        text = text.replace(*replace)
    return text.encode()


def import_test_list(data: bytes | None = None) -> ImportResult:
    return import_list(actor=None, data=data or list_bytes(), source=str(LIST_PATH))


def open_hits_of(organisation_id: int) -> list[ScreeningHit]:
    return [hit for hit in hits_of(organisation_id) if hit.status == HitStatus.OPEN]
