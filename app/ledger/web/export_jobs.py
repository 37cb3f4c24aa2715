"""The ledger's CSV export of transfers as one function that writes the file: made during the
request for a small period, by a worker (a job, app/jobs) for more than
EXPORT_JOB_THRESHOLD_ROWS transfers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from app.accounts.permissions import Permission
from app.jobs.kinds import BuiltFile, JobKind, Progress, register_kind
from app.ledger.chart import find_account
from app.ledger.models import Account, TransferCode
from app.ledger.web.export import csv_lines
from app.ledger.web.forms import end_of, start_of
from app.ledger.web.queries.export import count_transfers_for_export, transfers_for_export
from app.platform.errors import N_

LEDGER_EXPORT_JOB = "ledger.export"


@dataclass(frozen=True)
class LedgerExport:
    """Transfers of whole UTC days, of one code and one account when given."""

    since: date
    until: date  # included
    code: TransferCode | None = None
    account_key: str | None = None

    @property
    def file_name(self) -> str:
        return f"ledger-transfers-{self.since}-to-{self.until}.csv"

    def parameters(self) -> dict[str, str | None]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "code": self.code.value if self.code else None,
            "account": self.account_key,
        }

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, Any]) -> LedgerExport:
        code = parameters.get("code")
        return cls(
            since=date.fromisoformat(str(parameters["since"])),
            until=date.fromisoformat(str(parameters["until"])),
            code=TransferCode(code) if code else None,
            account_key=parameters.get("account") or None,
        )

    def _account(self) -> Account | None:
        if not self.account_key:
            return None
        account = find_account(self.account_key)
        if account is None:
            raise ValueError(f"no ledger account {self.account_key!r}")
        return account

    def size(self) -> int:
        return count_transfers_for_export(
            since=start_of(self.since),
            until=end_of(self.until),
            code=self.code,
            account=self._account(),
        )


def _counted(rows: Iterator[Any], progress: Progress) -> Iterator[Any]:
    for done, row in enumerate(rows, start=1):
        yield row
        progress(done)


def build_ledger_export(
    parameters: Mapping[str, Any], target: IO[bytes], progress: Progress
) -> BuiltFile:
    wanted = LedgerExport.from_parameters(parameters)
    rows = transfers_for_export(
        since=start_of(wanted.since),
        until=end_of(wanted.until),
        code=wanted.code,
        account=wanted._account(),
    )
    for chunk in csv_lines(_counted(rows, progress)):
        target.write(chunk.encode())
    return BuiltFile(file_name=wanted.file_name, content_type="text/csv")


def register_ledger_export_job() -> None:
    """At start-up (app/bootstrap.py): the requester must still see the ledger and export."""
    register_kind(
        JobKind(
            name=LEDGER_EXPORT_JOB,
            label=N_("Ledger transfers export"),
            build=build_ledger_export,
            permissions=(Permission.VIEW_LEDGER, Permission.EXPORT_DATA),
            overseen_with=Permission.VIEW_AUDIT_LOG,
        )
    )
