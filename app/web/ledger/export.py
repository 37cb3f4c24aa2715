"""The transfers of a period as CSV, written row by row while the database is read."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC
from typing import Any

from app.domain.money import to_major

COLUMNS = (
    "sequence",
    "id",
    "created_at",
    "code",
    "kind",
    "debit_account",
    "credit_account",
    "amount_minor",
    "amount",
    "currency",
    "pending_id",
    "batch_id",
    "document_type",
    "document_id",
    "actor_id",
    "actor",
    "memo",
)

_CHUNK_CHARS = 64 * 1024  # sent to the client in pieces of about this size

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str | None) -> str:
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _enum(value: Any) -> str:
    return str(getattr(value, "value", value))


def csv_row(row: Any) -> list[object]:
    return [
        row.sequence,
        row.id,
        row.created_at.astimezone(UTC).isoformat(),
        _enum(row.code),
        _enum(row.kind),
        row.debit_key,
        row.credit_key,
        row.amount,
        # Exact: integer minor units scaled by the currency's exponent, never a float.
        f"{to_major(row.amount, row.currency):f}",
        row.currency,
        row.pending_id or "",
        row.batch_id or "",
        _text(row.document_type),
        _text(row.document_id),
        "" if row.actor_id is None else row.actor_id,
        row.actor_email or "",
        _text(row.memo),
    ]


def csv_lines(rows: Iterable[Any]) -> Iterator[str]:
    """The header, then one CSV line per row (RFC 4180: CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(csv_row(row))
        if buffer.tell() >= _CHUNK_CHARS:
            yield flush()
    yield flush()
