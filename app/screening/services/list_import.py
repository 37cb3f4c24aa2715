"""Importing the UN Security Council Consolidated List (its published XML) from a file or URL.

An import is all or nothing: a file that is not well-formed XML (a truncated download is not),
is not a CONSOLIDATED_LIST, or lists nobody is refused whole, the list in force stays, and the
administrators are told (``tell_refused_import``, in a transaction of its own). Each imported
version is kept with the SHA-256 of its file; each entry is kept by its DATAID with the hash of
its content, so a hit cleared on an entry is raised again only when that entry changes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from lxml import etree

from app.accounts.models import Role, User, UserRole
from app.audit.services import record_event
from app.notifications.models import NotificationKind
from app.notifications.services import link_to, notify_all
from app.platform.db import utcnow
from app.platform.errors import N_, ValidationFailed
from app.platform.extensions import db
from app.screening.models import EntryKind, SanctionEntry, SanctionsList, ScreeningHit
from app.screening.services.matching import screen_all_organisations, tell_deciders

logger = logging.getLogger(__name__)

# The published list is a few megabytes; anything far larger is not it.
MAX_LIST_BYTES = 100 * 1024 * 1024
FETCH_TIMEOUT_SECONDS = 60
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


class ImportRefused(ValidationFailed):
    """The file is not a usable list; nothing of it was stored."""


@dataclass
class ParsedEntry:
    data_id: str
    kind: EntryKind
    reference_number: str
    name: str
    names: list[list[str]]
    details: dict[str, Any]

    @property
    def content_hash(self) -> str:
        content = {
            "kind": self.kind.value,
            "reference_number": self.reference_number,
            "names": self.names,
            "details": self.details,
        }
        encoded = json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(encoded).hexdigest()


@dataclass
class ImportResult:
    version: SanctionsList | None  # None: the same file as the list in force
    added: int = 0
    changed: int = 0
    removed: int = 0
    hits: list[ScreeningHit] = field(default_factory=list)


def read_source(path_or_url: str) -> bytes:
    """The bytes of a local file or an http(s) URL, refused when unreadable or too large."""
    try:
        if path_or_url.startswith(("https://", "http://")):
            # http(s) only, checked above: never file:// or another scheme.
            request = urllib.request.Request(path_or_url, headers={"Accept": "application/xml"})  # noqa: S310
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as answer:  # noqa: S310
                data: bytes = answer.read(MAX_LIST_BYTES + 1)
        else:
            with Path(path_or_url).open("rb") as file:
                data = file.read(MAX_LIST_BYTES + 1)
    except OSError as error:
        raise ImportRefused(
            N_("The sanctions list could not be read from %(source)s: %(error)s"),
            source=path_or_url,
            error=str(error),
        ) from error
    if len(data) > MAX_LIST_BYTES:
        raise ImportRefused(N_("The sanctions list file is too large to be the list."))
    return data


def _text(element: Any, tag: str) -> str:
    found = element.find(tag)
    return " ".join((found.text or "").split()) if found is not None else ""


def _values(element: Any, path: str) -> list[str]:
    return [" ".join(v.text.split()) for v in element.findall(path) if v.text and v.text.strip()]


def _dates_of_birth(element: Any) -> list[str]:
    dates = []
    for birth in element.findall("INDIVIDUAL_DATE_OF_BIRTH"):
        value = _text(birth, "DATE") or _text(birth, "YEAR")
        if not value and _text(birth, "FROM_YEAR"):
            value = f"{_text(birth, 'FROM_YEAR')}-{_text(birth, 'TO_YEAR')}"
        if value:
            dates.append(value)
    return dates


def _parse_entry(element: Any, kind: EntryKind) -> ParsedEntry:
    data_id = _text(element, "DATAID")
    name = " ".join(part for part in (_text(element, tag) for tag in _NAME_PARTS) if part)
    if not data_id or not name:
        raise ImportRefused(
            N_("An entry of the sanctions list has no DATAID or no name (line %(line)s)."),
            line=element.sourceline or "?",
        )
    names = [[name, ""]]
    original = _text(element, "NAME_ORIGINAL_SCRIPT")
    if original:
        names.append([original, "original script"])
    alias_tag = "INDIVIDUAL_ALIAS" if kind == EntryKind.INDIVIDUAL else "ENTITY_ALIAS"
    for alias in element.findall(alias_tag):
        alias_name = _text(alias, "ALIAS_NAME")
        if alias_name:
            names.append([alias_name, _text(alias, "QUALITY") or "alias"])
    details = {
        "list_type": _text(element, "UN_LIST_TYPE"),
        "listed_on": _text(element, "LISTED_ON"),
        "nationality": _values(element, "NATIONALITY/VALUE"),
        "date_of_birth": _dates_of_birth(element),
        "comments": _text(element, "COMMENTS1"),
        "last_updated": _values(element, "LAST_DAY_UPDATED/VALUE"),
    }
    return ParsedEntry(
        data_id=data_id,
        kind=kind,
        reference_number=_text(element, "REFERENCE_NUMBER"),
        name=name,
        names=names,
        details=details,
    )


def parse_list(data: bytes) -> tuple[str, list[ParsedEntry]]:
    """The list's dateGenerated and its entries; ImportRefused when the file is not a whole,
    non-empty CONSOLIDATED_LIST."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise ImportRefused(
            N_("The sanctions list is not well-formed XML (cut short?): %(error)s"),
            error=str(error),
        ) from error
    if root.tag != "CONSOLIDATED_LIST":
        raise ImportRefused(
            N_("The file is not a consolidated sanctions list (its root is %(tag)s)."),
            tag=str(root.tag),
        )
    if root.find("INDIVIDUALS") is None or root.find("ENTITIES") is None:
        raise ImportRefused(N_("The sanctions list lacks its INDIVIDUALS or ENTITIES section."))
    entries = [
        *(_parse_entry(e, EntryKind.INDIVIDUAL) for e in root.iterfind("INDIVIDUALS/INDIVIDUAL")),
        *(_parse_entry(e, EntryKind.ENTITY) for e in root.iterfind("ENTITIES/ENTITY")),
    ]
    if not entries:
        raise ImportRefused(N_("The sanctions list is empty: the list in force is kept."))
    seen: set[str] = set()
    for entry in entries:
        if entry.data_id in seen:
            raise ImportRefused(
                N_("The sanctions list has DATAID %(data_id)s twice."), data_id=entry.data_id
            )
        seen.add(entry.data_id)
    return str(root.get("dateGenerated") or ""), entries


def current_list() -> SanctionsList | None:
    return db.session.execute(
        sa.select(SanctionsList).order_by(SanctionsList.id.desc()).limit(1)
    ).scalar_one_or_none()


def import_list(*, actor: User | None, data: bytes, source: str) -> ImportResult:
    """Store ``data`` as the list in force and screen every organisation against it.

    The same file as the list in force changes nothing. Flushes; the caller commits.
    """
    digest = hashlib.sha256(data).hexdigest()
    in_force = current_list()
    if in_force is not None and in_force.sha256 == digest:
        return ImportResult(version=None)
    generated, parsed = parse_list(data)
    version = SanctionsList(
        source=source[:500],
        sha256=digest,
        generated=generated[:40],
        entry_count=len(parsed),
        imported_by_id=actor.id if actor is not None else None,
    )
    db.session.add(version)
    db.session.flush()
    result = ImportResult(version=version)
    existing = {e.data_id: e for e in db.session.execute(sa.select(SanctionEntry)).scalars()}
    for item in parsed:
        entry = existing.pop(item.data_id, None)
        content_hash = item.content_hash
        if entry is None:
            entry = SanctionEntry(data_id=item.data_id)
            db.session.add(entry)
            result.added += 1
        elif entry.content_hash != content_hash or entry.removed_at is not None:
            result.changed += 1
        entry.kind = item.kind
        entry.reference_number = item.reference_number[:40]
        entry.name = item.name[:500]
        entry.names = item.names
        entry.details = item.details
        entry.content_hash = content_hash
        entry.list_id = version.id
        entry.removed_at = None
    now = utcnow()
    for entry in existing.values():
        if entry.removed_at is None:
            entry.removed_at = now
            result.removed += 1
    db.session.flush()
    result.hits = screen_all_organisations()
    db.session.flush()
    tell_deciders(result.hits)
    record_event(
        actor=actor,
        action="screening.list_imported",
        subject=version,
        summary=f"Sanctions list imported from {source}: {len(parsed)} entries "
        f"({result.added} new, {result.changed} changed, {result.removed} removed), "
        f"{len(result.hits)} possible matches",
        changes={"sha256": [in_force.sha256 if in_force else None, digest]},
    )
    return result


def tell_refused_import(*, source: str, reason: str) -> None:
    """Tell every active administrator that an import was refused, and audit it. Run in a
    transaction of its own, after the refused import was rolled back."""
    logger.error("sanctions list import refused (%s): %s", source, reason)
    record_event(
        actor=None,
        action="screening.list_import_refused",
        subject_type="sanctions_lists",
        summary=f"Sanctions list import from {source} refused: {reason}",
    )
    admins = db.session.execute(
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.ADMIN, User.is_active.is_(True))
        .order_by(User.id)
        .distinct()
    ).scalars()
    notify_all(
        admins,
        kind=NotificationKind.ATTENTION_NEEDED,
        link=link_to("audit.events"),
        params={"reference": "sanctions list import refused"},
    )
