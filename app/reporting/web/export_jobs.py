"""The data exports as one function that writes the file, used by the page for a small export
(at once) and by a worker for a large one (a job, app/jobs): one way to make each file.

An export of more rows than EXPORT_JOB_THRESHOLD_ROWS (app/platform/settings.py) is queued as a
job of kind ``reporting.export``; its page shows the progress, then the download link.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from app.accounts.permissions import Permission
from app.jobs.kinds import BuiltFile, JobKind, Progress, register_kind
from app.ledger.web.export import COLUMNS as TRANSFER_COLUMNS
from app.ledger.web.export import csv_row as transfer_row
from app.ledger.web.export import xlsx_row as transfer_xlsx_row
from app.ledger.web.queries import export as ledger_queries
from app.platform.errors import N_
from app.reporting.exports import TABLES
from app.reporting.statement import Period
from app.reporting.web.export import csv_lines, write_xlsx
from app.reporting.web.forms import TRANSFERS

EXPORT_JOB = "reporting.export"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"


@dataclass(frozen=True)
class ExportRequest:
    """What to export: a table (or the ledger's transfers), a format and whole UTC days."""

    table: str
    format: str  # csv or xlsx
    start: date
    end: date

    @property
    def period(self) -> Period:
        return Period(self.start, self.end)

    @property
    def file_name(self) -> str:
        return f"{self.table}-{self.start}-to-{self.end}.{self.format}"

    def parameters(self) -> dict[str, str]:
        return {
            "table": self.table,
            "format": self.format,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, Any]) -> ExportRequest:
        table, format_ = str(parameters["table"]), str(parameters["format"])
        if (table not in TABLES and table != TRANSFERS) or format_ not in ("csv", "xlsx"):
            raise ValueError(f"not an export: {table}.{format_}")
        return cls(
            table=table,
            format=format_,
            start=date.fromisoformat(str(parameters["start"])),
            end=date.fromisoformat(str(parameters["end"])),
        )


def export_size(request: ExportRequest) -> int:
    """How many rows the export will have (one COUNT per query)."""
    period = request.period
    if request.table == TRANSFERS:
        return ledger_queries.count_transfers_for_export(since=period.since, until=period.until)
    return TABLES[request.table].count(period.since, period.until)


def _counted(rows: Iterable[Any], progress: Progress) -> Iterator[Any]:
    for done, row in enumerate(rows, start=1):
        yield row
        progress(done)


def build_export(parameters: Mapping[str, Any], target: IO[bytes], progress: Progress) -> BuiltFile:
    """Write the export ``parameters`` name to ``target``: CSV (UTF-8, RFC 4180) or XLSX."""
    request = ExportRequest.from_parameters(parameters)
    period = request.period
    columns: tuple[str, ...]
    if request.table == TRANSFERS:
        title, columns = "transfers", TRANSFER_COLUMNS
        to_row = transfer_xlsx_row if request.format == "xlsx" else transfer_row
        rows: Iterable[Any] = (
            to_row(row)
            for row in ledger_queries.transfers_for_export(since=period.since, until=period.until)
        )
    else:
        table = TABLES[request.table]
        title, columns, rows = table.name, table.columns, table.rows(period.since, period.until)
    rows = _counted(rows, progress)
    if request.format == "xlsx":
        write_xlsx(target, title, columns, rows)
        return BuiltFile(file_name=request.file_name, content_type=XLSX)
    for chunk in csv_lines(columns, rows):
        target.write(chunk.encode())
    return BuiltFile(file_name=request.file_name, content_type=CSV)


def register_export_job() -> None:
    """The export as a job kind (app/bootstrap.py, at start-up): the requester must still hold
    EXPORT_DATA to fetch the file; an auditor may fetch anyone's."""
    register_kind(
        JobKind(
            name=EXPORT_JOB,
            label=N_("Data export"),
            build=build_export,
            permissions=(Permission.EXPORT_DATA,),
            overseen_with=Permission.VIEW_AUDIT_LOG,
        )
    )
