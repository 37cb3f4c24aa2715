"""The contributions list as CSV, as one function that writes the file: during the request for a
short list, by a worker (a job, app/jobs) for more than EXPORT_JOB_THRESHOLD_ROWS gifts and
pledges."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import IO, Any

from app.accounts.permissions import Permission
from app.donations.models import DonorKind
from app.donations.reports.contributions import (
    ContributionFilter,
    ContributionKind,
    contribution_page,
    iter_contributions,
)
from app.jobs.kinds import BuiltFile, JobKind, Progress, register_kind
from app.platform.errors import N_
from app.platform.money import to_major
from app.platform.settings import settings
from app.reporting.web.export import csv_lines

CONTRIBUTIONS_EXPORT_JOB = "donations.contributions_csv"
FILE_NAME = "contributions.csv"


def filter_parameters(filters: ContributionFilter) -> dict[str, Any]:
    return {
        "donor": filters.donor_id,
        "kind": filters.kind.value if filters.kind else None,
        "year": filters.year,
        "status": filters.status,
        "currency": filters.currency,
        "donor_kind": filters.donor_kind.value if filters.donor_kind else None,
    }


def filter_from(parameters: Mapping[str, Any]) -> ContributionFilter:
    kind, donor_kind = parameters.get("kind"), parameters.get("donor_kind")
    return ContributionFilter(
        donor_id=parameters.get("donor"),
        kind=ContributionKind(kind) if kind else None,
        year=parameters.get("year"),
        status=parameters.get("status"),
        currency=parameters.get("currency"),
        donor_kind=DonorKind(donor_kind) if donor_kind else None,
    )


def contributions_size(filters: ContributionFilter) -> int:
    """How many gifts and pledges the list holds (what the list page counts)."""
    return contribution_page(filters, page=1, per_page=1)[1]


def _rows(filters: ContributionFilter, functional: str, progress: Progress) -> Iterator[list[Any]]:
    for done, row in enumerate(iter_contributions(filters), start=1):
        yield [
            row.kind.value,
            row.record_id,
            row.day,
            row.year,
            row.donor_name,  # defused by csv_lines if it looks like a formula
            row.donor.kind.value,
            row.status,
            row.currency,
            to_major(row.amount, row.currency),
            to_major(row.functional_amount, functional),
            to_major(row.received_functional, functional),
            to_major(row.fee_functional, functional),
            to_major(row.outstanding, row.currency),
            row.earmark,
        ]
        progress(done)


def build_contributions_csv(
    parameters: Mapping[str, Any], target: IO[bytes], progress: Progress
) -> BuiltFile:
    functional = settings().fund.currency
    columns = [
        "kind",
        "id",
        "date",
        "year",
        "donor",
        "donor_kind",
        "status",
        "currency",
        "amount",
        f"amount_{functional.lower()}",
        f"received_{functional.lower()}",
        f"fee_{functional.lower()}",
        "outstanding",
        "earmark",
    ]
    rows = _rows(filter_from(parameters), functional, progress)
    for chunk in csv_lines(columns, rows):
        target.write(chunk.encode())
    return BuiltFile(file_name=FILE_NAME, content_type="text/csv")


def register_contributions_export_job() -> None:
    """At start-up (app/bootstrap.py): the requester must still see every contribution."""
    register_kind(
        JobKind(
            name=CONTRIBUTIONS_EXPORT_JOB,
            label=N_("Contributions export"),
            build=build_contributions_csv,
            permissions=(Permission.VIEW_ALL_CONTRIBUTIONS, Permission.EXPORT_DATA),
            overseen_with=Permission.VIEW_AUDIT_LOG,
        )
    )
