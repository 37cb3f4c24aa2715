"""Checking an uploaded file: its type from its content (never its name), its size, its name.

Accepted: PDF, PNG, JPEG, and Word/Excel documents (.docx/.xlsx, which are zip packages).
Everything else is refused with a sentence saying why, including a file whose content does not
match its extension (an executable renamed ``report.pdf``) and macro-enabled Office files.

A Word or Excel file is judged by its real structure, read from the zip's central directory and
one small part, ``[Content_Types].xml``; no other entry is ever inflated, so a zip bomb costs
nothing to refuse. Part names are compared in lower case, as Office does.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from xml.parsers import expat

from app.platform.errors import N_, ValidationFailed

PDF = ("application/pdf", "pdf")
PNG = ("image/png", "png")
JPEG = ("image/jpeg", "jpg")
DOCX = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
XLSX = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")

ACCEPTED_DESCRIPTION = "PDF, Word (.docx), Excel (.xlsx), PNG, JPEG"
_CONTENT_TYPES_LIMIT = 1024 * 1024  # a real [Content_Types].xml is a few kB
MAX_PARTS = 2_000  # a long report full of pictures has a few hundred
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_RATIO = 100  # Apache POI's limit: real document parts compress far less than this
_RATIO_GRACE_BYTES = 100 * 1024  # a small part may compress better, and costs nothing
_DIRECTORY_LIMIT = MAX_PARTS * 1024  # central directory bytes: generous names for MAX_PARTS
_END_RECORD = struct.Struct("<4s4H2LH")  # the zip's "end of central directory" record
_CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
# The main part's content type names the document's type and the folder it lives in.
_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        DOCX,
        "word",
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (XLSX, "xl"),
}
# Top-level folders any package may have besides its own (properties, custom XML, sensitivity
# labels written by Microsoft 365, signatures, parts Office 2007 set aside).
_PACKAGE_FOLDERS = frozenset(
    {"_rels", "docprops", "customxml", "docmetadata", "_xmlsignatures", "[trash]"}
)
_MACRO_TYPES = ("macroenabled", "vbaproject", "vbadata", "macrosheet")
_ACTIVE_CONTENT_TYPES = ("activex", "oleobject")
# By name only (nothing is extracted): programs, scripts, add-ins, macro-enabled documents
# embedded inside, and .bin parts (OLE objects, ActiveX controls), save Excel's printer settings.
_PROGRAM_EXTENSIONS = frozenset({
    "exe", "dll", "com", "scr", "pif", "cpl", "msi", "msp", "msc", "bat", "cmd", "ps1", "psm1",
    "vbs", "vbe", "js", "jse", "wsf", "wsh", "hta", "jar", "lnk", "reg", "inf", "sys", "ocx",
    "sh", "app", "apk", "dmg", "xll", "xla", "xlam", "xlsm", "xltm", "xlsb", "docm", "dotm",
    "pptm", "potm", "ppsm", "ppam", "sldm", "bin",
})  # fmt: skip
_PRINTER_SETTINGS = re.compile(r"(word|xl)/printersettings/printersettings\d+\.bin")
_MACROS = N_("Documents with macros are not accepted. Save it without macros and try again.")
_FOREIGN_PARTS = N_(
    "This document holds files a Word or Excel document does not (a program, an embedded "
    "object or a stray entry). Save it again from Word or Excel, without embedded objects, "
    "and try again."
)
_TOO_BIG = N_(
    "This document is too large once unpacked (too many parts or too much content for a Word "
    "or Excel file). Save it again from Word or Excel, or split it, and try again."
)
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{port}{n}" for port in ("COM", "LPT") for n in range(1, 10)
}
MAX_NAME_LENGTH = 120


class UploadRefused(ValidationFailed):
    """The file was not stored; the message says why."""


@dataclass(frozen=True)
class InspectedFile:
    filename: str
    content_type: str
    size_bytes: int
    sha256: str


def sniff(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the first bytes and, for zip packages, the contents."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _sniff_office(data)
    return None


def _sniff_office(data: bytes) -> tuple[str, str] | None:
    """DOCX or XLSX when ``data`` is a real package of one; refused when it hides something."""
    declared = _end_record(data)
    if declared is None:
        return None
    entries, directory_size = declared
    # Refused before zipfile reads a directory of a hundred thousand entries.
    if entries > MAX_PARTS or directory_size > _DIRECTORY_LIMIT:
        raise UploadRefused(_TOO_BIG)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = package.infolist()
            if _too_big(parts, len(data)):
                raise UploadRefused(_TOO_BIG)
            raw = _content_types_part(package, parts)
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        RuntimeError,  # an encrypted entry, or a compression method zipfile does not know
    ):
        return None
    declared_types = _declared_types(raw) if raw is not None else None
    if declared_types is None:
        return None
    names = [part.filename.lower() for part in parts]
    if any(mark in kind for kind in declared_types.values() for mark in _MACRO_TYPES) or any(
        _is_macro_part(name) for name in names
    ):
        raise UploadRefused(_MACROS)
    mains = {
        (name.lstrip("/"), _MAIN_PARTS[kind])
        for name, kind in declared_types.items()
        if name.startswith("/") and kind in _MAIN_PARTS
    }
    if len(mains) != 1:
        return None
    ((main, (sniffed, folder)),) = mains
    if main not in names or main.split("/")[0] != folder or "_rels/.rels" not in names:
        return None
    if (
        len(set(names)) != len(names)  # two readers may pick different ones of a pair
        or any(mark in kind for kind in declared_types.values() for mark in _ACTIVE_CONTENT_TYPES)
        or any(_is_foreign(name, folder) for name in names)
    ):
        raise UploadRefused(_FOREIGN_PARTS)
    return sniffed


def _end_record(data: bytes) -> tuple[int, int] | None:
    """(entries, central directory size) as the zip's last record declares them."""
    start = data.rfind(b"PK\x05\x06", max(0, len(data) - _END_RECORD.size - 0xFFFF))
    if start < 0 or start + _END_RECORD.size > len(data):
        return None
    _signature, _disk, _first_disk, _here, entries, size, _offset, _comment = (
        _END_RECORD.unpack_from(data, start)
    )
    return entries, size


def _too_big(parts: list[zipfile.ZipInfo], packed: int) -> bool:
    """Too many entries, or sizes (as declared: nothing is inflated) of a zip bomb."""
    if len(parts) > MAX_PARTS:  # the end record may have understated them
        return True
    unpacked = 0
    for part in parts:
        unpacked += part.file_size
        if part.file_size > _RATIO_GRACE_BYTES and part.file_size > MAX_RATIO * max(
            part.compress_size, 1
        ):
            return True
    return unpacked > MAX_UNPACKED_BYTES or (
        unpacked > _RATIO_GRACE_BYTES and unpacked > MAX_RATIO * packed
    )


def _content_types_part(package: zipfile.ZipFile, parts: list[zipfile.ZipInfo]) -> bytes | None:
    found = [part for part in parts if part.filename.lower() == "[content_types].xml"]
    if len(found) != 1 or found[0].file_size > _CONTENT_TYPES_LIMIT:
        return None
    with package.open(found[0]) as stream:
        return stream.read(_CONTENT_TYPES_LIMIT + 1)


class _NotAPackageList(Exception):
    pass


def _declared_types(raw: bytes) -> dict[str, str] | None:
    """Part name ("/word/document.xml") or default extension ("rels") -> content type.

    In lower case. None when it is not a package list: Office never writes a DTD there, and one
    is refused before any entity could be expanded.
    """
    declared: dict[str, str] = {}

    def element(name: str, attributes: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        if namespace != _CONTENT_TYPES_NS:
            raise _NotAPackageList
        kind = attributes.get("ContentType", "").lower()
        if local == "Override":
            declared[attributes.get("PartName", "").lower()] = kind
        elif local == "Default":
            declared[attributes.get("Extension", "").lower()] = kind

    def refuse(*_args: object) -> None:
        raise _NotAPackageList

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = element
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(raw, True)
    except (_NotAPackageList, expat.ExpatError, ValueError):
        return None
    return declared


def _is_macro_part(name: str) -> bool:
    folders, _, base = name.rpartition("/")
    return (
        base.startswith("vbaproject")
        or base == "vbadata.xml"
        or "macrosheets" in folders.split("/")
    )


def _is_foreign(name: str, folder: str) -> bool:
    """An entry no Word or Excel package of this type has: a program, an escape, a stray file."""
    segments = name.split("/")
    if "\\" in name or ".." in segments or "" in segments[:-1]:
        return True
    if len(segments) == 1:
        return name != "[content_types].xml"
    if segments[0] not in _PACKAGE_FOLDERS and segments[0] != folder:
        return True
    base = segments[-1]
    extension = base.rsplit(".", 1)[-1] if "." in base else ""
    return extension in _PROGRAM_EXTENSIONS and not _PRINTER_SETTINGS.fullmatch(name)


def neutral_filename(original: str, extension: str) -> str:
    """A name safe to show and to offer on download; the extension follows the real type.

    Paths, control and bidirectional-override characters, and shell or HTML punctuation are
    removed; letters of every script are kept (a French or Spanish name stays readable).
    """
    name = unicodedata.normalize("NFKC", original or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Categories C* are control, format (incl. U+202E right-to-left override), unassigned.
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = re.sub(r"[^\w.\- ()]+", "_", name)
    name = re.sub(r"\s+", " ", name)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" ._-")[: MAX_NAME_LENGTH - len(extension) - 1].strip(" ._-")
    if not stem:
        stem = "document"
    if stem.upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    return f"{stem}.{extension}"


def inspect_upload(data: bytes, filename: str, *, max_bytes: int) -> InspectedFile:
    """Refuse an empty, oversized or unaccepted file; describe an accepted one."""
    if not data:
        raise UploadRefused(N_("The file is empty. Choose the file again."))
    if len(data) > max_bytes:
        raise UploadRefused(
            N_("The file is too large: the limit is %(limit)s MB. Send a smaller file."),
            limit=_megabytes(max_bytes),
        )
    sniffed = sniff(data)
    if sniffed is None:
        raise UploadRefused(
            N_("This file is not one we accept (%(accepted)s): its content is of another type."),
            accepted=ACCEPTED_DESCRIPTION,
        )
    content_type, extension = sniffed
    return InspectedFile(
        filename=neutral_filename(filename, extension),
        content_type=content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"
