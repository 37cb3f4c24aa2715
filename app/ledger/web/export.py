"""The transfers of a period as CSV, written row by row while the database is read."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC
from typing import Any

from app.platform.money import to_major
from app.reporting.web import export

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


def _text(value: str | None) -> str:
    return str(export.cell(value or ""))  # defused if a spreadsheet would run it


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


def xlsx_row(row: Any) -> list[object]:
    """The CSV's row with real types for a spreadsheet: the moment as a date-time and the
    amount in major units as an exact number (the XLSX writer keeps both as they are)."""
    values = csv_row(row)
    values[2] = row.created_at
    values[8] = to_major(row.amount, row.currency)
    return values


def csv_lines(rows: Iterable[Any]) -> Iterator[str]:
    """The header, then one CSV line per transfer, in chunks (the shared export writer)."""
    return export.csv_lines(COLUMNS, (csv_row(row) for row in rows))
