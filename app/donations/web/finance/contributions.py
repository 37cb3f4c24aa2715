"""The finance list of contributions, with its filters and totals, and its CSV export."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.permissions import Permission
from app.donations.models import Donor, DonorKind
from app.donations.reports.banking import unapplied_receipts
from app.donations.reports.contributions import ContributionFilter, ContributionKind
from app.donations.reports.totals import contribution_totals
from app.donations.web.blueprint import bp
from app.donations.web.contributions_export import (
    CONTRIBUTIONS_EXPORT_JOB,
    build_contributions_csv,
    contributions_size,
    filter_parameters,
)
from app.donations.web.finance.contribution_listing import (
    CONTRIBUTIONS,
    FILTER_STATUSES,
    contribution_filter,
)
from app.jobs.services import enqueue
from app.jobs.web.wake import wake_worker
from app.platform.db import utcnow
from app.platform.extensions import db
from app.platform.settings import settings
from app.reporting.web.export import file_chunks, spooled
from app.web.access import requires
from app.web.forms import whole_number_arg
from app.web.lists import list_view


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
    """Every gift and pledge as a staff list (app/web/lists.py): sorted by any column shown
    (newest first by default), filters that combine, words of the donor's name, an earmark or
    a number, the count and totals of what matches, saved views and the CSV of what is shown."""
    lv = list_view(CONTRIBUTIONS, lambda state: CONTRIBUTIONS.query(state.filters))
    raw = lv.state.raw_filters
    return render_template(
        "donations/finance/contributions.html",
        lv=lv,
        rows=lv.page.items,
        totals=contribution_totals(contribution_filter(lv.state.filters)),
        chosen={key: lv.state.filters.get(key) for key in ("donor", "year")},
        chosen_donor=_chosen_donor(lv.state.filters.get("donor")),
        all_donors_url=url_for(
            "donations.contributions",
            **{key: value for key, value in lv.state.args().items() if key != "donor"},
        ),
        raw=raw,
        kinds=list(ContributionKind),
        statuses=FILTER_STATUSES,
        donor_kinds=list(DonorKind),
        # Follows the list's search words (a donor's or payer's name, a bank reference): a search
        # for one donor shows the money of that donor still to apply, not everyone's.
        unapplied=unapplied_receipts(words=lv.state.filters.get("q")),
        functional=current_app.config["FUNCTIONAL_CURRENCY"],
        abandoned_before=abandoned_before(),
    )


def _chosen_donor(donor_id: int | None) -> Donor | None:
    return db.session.get(Donor, donor_id) if donor_id is not None else None


@bp.get("/donations/contributions.csv")
@requires(Permission.VIEW_ALL_CONTRIBUTIONS, Permission.EXPORT_DATA)
def contributions_csv() -> Any:
    filters = _filters()
    size = contributions_size(filters)
    if size > settings().jobs.export_threshold_rows:
        # Too many for a request: a worker writes the file; its page shows how far.
        job = enqueue(
            actor=current_user,
            kind=CONTRIBUTIONS_EXPORT_JOB,
            parameters=filter_parameters(filters),
            total=size,
        )
        db.session.commit()
        wake_worker()
        return redirect(url_for("jobs.status", job_id=job.id), code=303)
    # Written now, by the workers' function, to a file that spills to disk when large.
    target = spooled()
    built = build_contributions_csv(filter_parameters(filters), target, lambda _done: None)
    return Response(
        file_chunks(target),
        mimetype=built.content_type,
        headers={"Content-Disposition": f"attachment; filename={built.file_name}"},
    )
