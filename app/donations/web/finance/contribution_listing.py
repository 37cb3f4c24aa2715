"""Finance's list of contributions (every gift and pledge) as a staff list
(app/platform/listing.py): each column shown sorts, filters (donor, kind, donor kind, year,
status, currency, words) combine, its count, saved views and the CSV of exactly what is shown.
The rows are ``ContributionEntry`` (gifts and pledges as one row shape, figures in SQL)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from app.accounts.permissions import Permission
from app.donations.models import DonorKind, GiftStatus, PledgeStatus
from app.donations.reports.contribution_entries import ContributionEntry
from app.donations.reports.contributions import ContributionFilter, ContributionKind
from app.donations.reports.totals import contribution_count
from app.platform.errors import N_
from app.platform.listing import Filter, ListSpec, Sort, contains_pattern, register_list
from app.platform.money import to_major
from app.platform.settings import settings

FILTER_STATUSES = [s.value for s in GiftStatus] + [s.value for s in PledgeStatus]


def _whole(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def _kind(text: str) -> str | None:
    return text if text in {k.value for k in ContributionKind} else None


def _donor_kind(text: str) -> str | None:
    return text if text in {k.value for k in DonorKind} else None


def _status(text: str) -> str | None:
    return text if text in FILTER_STATUSES else None


def _currency(text: str) -> str | None:
    code = text.strip().upper()
    return code if len(code) == 3 and code.isascii() and code.isalpha() else None


def _words(text: str) -> str | None:
    return text if text.strip() else None


def _filtered(filters: Mapping[str, Any]) -> sa.Select[Any]:
    entry = ContributionEntry
    query = sa.select(entry)
    if (donor := filters.get("donor")) is not None:
        query = query.where(entry.donor_id == donor)
    if (kind := filters.get("kind")) is not None:
        query = query.where(entry.kind == kind)
    if (donor_kind := filters.get("donor_kind")) is not None:
        query = query.where(entry.donor_kind == donor_kind)
    if (year := filters.get("year")) is not None:
        query = query.where(entry.year == year)
    if (status := filters.get("status")) is not None:
        query = query.where(entry.status == status)
    if (currency := filters.get("currency")) is not None:
        query = query.where(entry.currency == currency)
    if (text := filters.get("q")) is not None:
        words = text.strip().lstrip("#")
        pattern = contains_pattern(words)
        found: list[sa.ColumnElement[bool]] = [
            entry.donor_name.ilike(pattern, escape="\\"),
            entry.earmark.ilike(pattern, escape="\\"),
        ]
        if (number := _whole(words)) is not None:
            found.append(entry.record_id == number)
        query = query.where(sa.or_(*found))
    return query


def contribution_filter(filters: Mapping[str, Any]) -> ContributionFilter:
    """The list's filters as the totals read them (app/donations/reports/totals.py)."""
    kind, donor_kind = filters.get("kind"), filters.get("donor_kind")
    return ContributionFilter(
        donor_id=filters.get("donor"),
        kind=ContributionKind(kind) if kind else None,
        year=filters.get("year"),
        status=filters.get("status"),
        currency=filters.get("currency"),
        donor_kind=DonorKind(donor_kind) if donor_kind else None,
        words=filters.get("q"),
    )


def csv_columns() -> tuple[str, ...]:
    functional = settings().fund.currency.lower()
    return (
        "kind",
        "id",
        "date",
        "year",
        "donor",
        "donor_kind",
        "status",
        "currency",
        "amount",
        f"amount_{functional}",
        f"received_{functional}",
        f"fee_{functional}",
        "outstanding",
        "earmark",
    )


def _csv_row(row: ContributionEntry) -> list[Any]:
    functional = settings().fund.currency
    return [
        row.kind,
        row.record_id,
        row.day,
        row.year,
        row.donor_name,  # defused by csv_lines if it looks like a formula
        row.donor_kind,
        row.status,
        row.currency,
        to_major(row.amount, row.currency),
        to_major(row.functional_amount, functional),
        to_major(row.received_functional, functional),
        to_major(row.fee_functional, functional),
        to_major(row.outstanding, row.currency),
        row.earmark or "",
    ]


CONTRIBUTIONS = register_list(
    ListSpec(
        name="contributions",
        endpoint="donations.contributions",
        permissions=(Permission.VIEW_ALL_CONTRIBUTIONS,),
        sorts=(
            Sort("date", N_("Date"), lambda: ContributionEntry.day, True),
            Sort("kind", N_("Kind"), lambda: ContributionEntry.kind),
            Sort("donor", N_("Donor"), lambda: ContributionEntry.donor_name),
            Sort("status", N_("Status"), lambda: ContributionEntry.status),
            # By what it is worth, not by its number of minor units: 50,000 yen is less than
            # 1,000 dollars. Each row still shows the amount in its own currency.
            Sort("amount", N_("Amount"), lambda: ContributionEntry.functional_amount, True),
            Sort("value", N_("Value"), lambda: ContributionEntry.functional_amount, True),
            Sort("received", N_("Received"), lambda: ContributionEntry.received_functional, True),
            Sort("outstanding", N_("Outstanding"), lambda: ContributionEntry.outstanding, True),
        ),
        default_sort="date",
        filters=(
            Filter(
                "donor", _whole, N_("“%(value)s” is not a donor; the donor filter is left out.")
            ),
            Filter("kind", _kind, N_("“%(value)s” is not a kind; the kind filter is left out.")),
            Filter(
                "donor_kind",
                _donor_kind,
                N_("“%(value)s” is not a kind of donor; that filter is left out."),
            ),
            Filter("year", _whole, N_("“%(value)s” is not a year; the year filter is left out.")),
            Filter(
                "status", _status, N_("“%(value)s” is not a status; the status filter is left out.")
            ),
            Filter(
                "currency",
                _currency,
                N_("“%(value)s” is not a currency code; the currency filter is left out."),
            ),
            Filter("q", _words, N_("Nothing to search for.")),
        ),
        query=_filtered,
        id_column=lambda: ContributionEntry.key,
        csv_file="contributions.csv",
        csv_columns=(),
        csv_row=_csv_row,
        csv_header=csv_columns,  # read at export time: the functional currency is a setting
        count=lambda filters: contribution_count(contribution_filter(filters)),
    )
)
