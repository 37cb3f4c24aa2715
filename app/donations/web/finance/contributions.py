"""The finance list of contributions, with its filters and totals, and its CSV export."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Response, current_app, render_template, request

from app.accounts.permissions import Permission
from app.donations.models import DonorKind, GiftStatus, PledgeStatus
from app.donations.reports.banking import unapplied_receipts
from app.donations.reports.contributions import (
    ContributionFilter,
    ContributionKind,
    contribution_page,
    iter_contributions,
)
from app.donations.reports.totals import contribution_totals
from app.donations.web.blueprint import bp
from app.donations.web.finance.common import all_donors
from app.platform.db import utcnow
from app.platform.money import to_major
from app.reporting.web.export import csv_lines, file_chunks, spooled
from app.web.access import requires
from app.web.forms import NumberedPage, page_number, whole_number_arg

FILTER_STATUSES = [s.value for s in GiftStatus] + [s.value for s in PledgeStatus]


def abandoned_before() -> date:
    """Card attempts still processing from before this day are shown as abandoned.

    Display only: Stripe never confirmed them, so nothing is on the ledger and there is nothing
    to undo; should Stripe confirm one after all, the webhook records it as any other gift. A whole
    day is counted, so an attempt is at least DONATION_ABANDONED_AFTER_HOURS old.
    """
    hours = int(current_app.config["DONATION_ABANDONED_AFTER_HOURS"])
    return (utcnow() - timedelta(hours=hours)).date()


def _filters() -> ContributionFilter:
    """The list's filters from the query string; junk is ignored, never a 500."""
    args = request.args
    kind = args.get("kind", "")
    donor_kind = args.get("donor_kind", "")
    status = args.get("status", "")
    currency = args.get("currency", "").strip().upper()
    return ContributionFilter(
        donor_id=whole_number_arg("donor"),
        kind=ContributionKind(kind) if kind in set(ContributionKind) else None,
        year=whole_number_arg("year"),
        status=status if status in FILTER_STATUSES else None,
        currency=currency if len(currency) == 3 and currency.isalpha() else None,
        donor_kind=DonorKind(donor_kind) if donor_kind in set(DonorKind) else None,
    )


@bp.get("/donations/contributions")
@requires(Permission.VIEW_ALL_CONTRIBUTIONS)
def contributions() -> Any:
    filters = _filters()
    per_page = current_app.config["PAGE_SIZE"]
    number = page_number()
    rows, matching = contribution_page(filters, page=number, per_page=per_page)
    return render_template(
        "donations/finance/contributions.html",
        rows=rows,
        totals=contribution_totals(filters),
        filters=filters,
        page=NumberedPage(rows, total=matching, page=number, per_page=per_page),
        donors=all_donors(),
        kinds=list(ContributionKind),
        statuses=FILTER_STATUSES,
        donor_kinds=list(DonorKind),
        unapplied=unapplied_receipts(),
        functional=current_app.config["FUNCTIONAL_CURRENCY"],
        abandoned_before=abandoned_before(),
    )


@bp.get("/donations/contributions.csv")
@requires(Permission.VIEW_ALL_CONTRIBUTIONS, Permission.EXPORT_DATA)
def contributions_csv() -> Any:
    filters = _filters()
    functional = current_app.config["FUNCTIONAL_CURRENCY"]
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
    rows = (
        [
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
        for row in iter_contributions(filters)
    )
    # Written during the request to a file that spills to disk when large (the list may hold
    # hundreds of thousands of gifts), then sent in chunks.
    target = spooled()
    for chunk in csv_lines(columns, rows):
        target.write(chunk.encode())
    return Response(
        file_chunks(target),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=contributions.csv"},
    )
