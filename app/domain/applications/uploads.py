"""Checking an uploaded file: its type from its content (never its name), its size, its name.

Accepted: PDF, PNG, JPEG, and Word/Excel documents (.docx/.xlsx, which are zip packages).
Everything else is refused with a sentence saying why, including a file whose content does not
match its extension (an executable renamed ``report.pdf``) and macro-enabled Office files.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from app.domain.errors import N_, ValidationFailed

PDF = ("application/pdf", "pdf")
PNG = ("image/png", "png")
JPEG = ("image/jpeg", "jpg")
DOCX = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
XLSX = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")

ACCEPTED_DESCRIPTION = "PDF, Word (.docx), Excel (.xlsx), PNG, JPEG"
_CONTENT_TYPES_LIMIT = 1024 * 1024  # a real [Content_Types].xml is a few kB
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
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
            info = package.getinfo("[Content_Types].xml")
            # Read only a small, declared-small member: a zip bomb is never inflated.
            if info.file_size > _CONTENT_TYPES_LIMIT:
                return None
            content_types = package.read(info).decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RuntimeError):
        return None
    if "macroEnabled" in content_types or "vbaProject.bin" in "".join(names):
        raise UploadRefused(
            N_("Documents with macros are not accepted. Save it without macros and try again.")
        )
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


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
