"""Writing exports: CSV streamed line by line, XLSX with openpyxl's write-only workbook.

CSV rows are sent as they are read (the database cursor is server-side), so an export of any
size streams. An XLSX file is a zip archive that cannot be sent before it is complete: the
write-only workbook keeps memory flat while it is written to a temporary file during the
request; the file is then sent in chunks (the database is no longer needed by then).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell

_CHUNK_CHARS = 64 * 1024
_FILE_CHUNK = 64 * 1024
_SPOOL_IN_MEMORY = 1024 * 1024
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_REPLACEMENT = "\N{REPLACEMENT CHARACTER}"


def cell(value: Any) -> Any:
    """A value as a spreadsheet should hold it: text defused, times in ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return value


def csv_lines(columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The header, then one CSV line per row (RFC 4180: CRLF line ends), in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(list(columns))
    for row in rows:
        writer.writerow([cell(value) for value in row])
        if buffer.tell() >= _CHUNK_CHARS:
            yield flush()
    yield flush()


def xlsx_text(text: str) -> str:
    """``text`` as a cell can hold it: XML 1.0 has no place for most control characters
    (openpyxl refuses them), and stored text may hold any, so each becomes U+FFFD, visibly."""
    return ILLEGAL_CHARACTERS_RE.sub(_REPLACEMENT, text)


# Every moment in UTC (a spreadsheet has no time zones), every day as a day: one format each.
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"


def _xlsx_cell(value: Any, sheet: Any = None) -> Any:
    """A value as the sheet holds it: amounts and counts as numbers (never text), moments as
    date-times in UTC and days as dates (real spreadsheet dates, that sort and subtract), text
    defused and cleaned."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Decimal | int):
        return value  # a number in the sheet, exact as written
    if isinstance(value, datetime | date) and sheet is not None:
        if isinstance(value, datetime):
            moment = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
            written = WriteOnlyCell(sheet, value=moment)
            written.number_format = DATETIME_FORMAT
        else:
            written = WriteOnlyCell(sheet, value=value)
            written.number_format = DATE_FORMAT
        return written
    shown = cell(value)
    return xlsx_text(shown if isinstance(shown, str) else str(shown))  # UUIDs and the like


def write_xlsx(
    target: IO[bytes], title: str, columns: Iterable[str], rows: Iterable[Iterable[Any]]
) -> None:
    """Write the workbook to ``target`` with constant memory per row (write-only mode).
    Every cell goes through ``_xlsx_cell``: no stored text can make the export fail."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=xlsx_text(title)[:31])
    sheet.append([_xlsx_cell(column) for column in columns])
    for row in rows:
        sheet.append([_xlsx_cell(value, sheet) for value in row])
    workbook.save(target)


def spooled() -> IO[bytes]:
    """A temporary file that stays in memory while small and moves to disk when it grows."""
    return tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)


def file_chunks(source: IO[bytes]) -> Iterator[bytes]:
    """The file's bytes from the start, in chunks; the file is closed at the end."""
    try:
        source.seek(0)
        while chunk := source.read(_FILE_CHUNK):
            yield chunk
    finally:
        source.close()
