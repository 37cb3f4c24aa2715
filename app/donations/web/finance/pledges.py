"""Pledges as finance sees them: the list, recording one for a donor, confirming it, writing
off what will not come."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.permissions import Permission, has_permission
from app.donations import services
from app.donations.models import PAYABLE_PLEDGE_STATUSES, Donor, DonorKind, Pledge, PledgeStatus
from app.donations.web.blueprint import bp
from app.donations.web.finance.common import all_donors
from app.donations.web.finance.restrictions import region_name
from app.donations.web.forms import (
    DONOR_KIND_LABELS,
    ConfirmPledgeForm,
    FinancePledgeForm,
    ReasonForm,
)
from app.donations.web.portal import currency_choices, earmark_choices, pledge_page
from app.funding.services import restriction_of_pledge
from app.platform.db import utcnow
from app.platform.extensions import db
from app.web.access import requires
from app.web.display import money
from app.web.forms import page_number


def finance_context(pledge: Pledge) -> dict[str, Any]:
    """What the pledge page shows finance: the confirmation form and close-out actions."""
    restriction = restriction_of_pledge(pledge.id)
    return {
        "restriction": restriction,
        "region_name": region_name,
        "can_restrict": restriction is None
        and not pledge.allocations
        and pledge.status not in (PledgeStatus.CANCELLED, PledgeStatus.WRITTEN_OFF)
        and has_permission(current_user, Permission.CONFIRM_PLEDGE),
        # Finance may change or lift it until money arrives (the page says why not after).
        "can_change_restriction": restriction is not None
        and has_permission(current_user, Permission.CONFIRM_PLEDGE),
        "confirm_form": ConfirmPledgeForm(),
        "can_confirm": pledge.status == PledgeStatus.PLEDGED
        and has_permission(current_user, Permission.CONFIRM_PLEDGE),
        "can_write_off": pledge.status in PAYABLE_PLEDGE_STATUSES
        and has_permission(current_user, Permission.CONFIRM_PLEDGE),
        "can_cancel_confirmed": pledge.status == PledgeStatus.CONFIRMED
        and not pledge.allocations
        and has_permission(current_user, Permission.CONFIRM_PLEDGE),
    }


@bp.get("/donations/pledges")
@requires(Permission.VIEW_ALL_CONTRIBUTIONS)
def pledges() -> Any:
    status = request.args.get("status", "")
    # Allocations in one query for the page (the outstanding amount sums them).
    query = (
        select(Pledge)
        .options(selectinload(Pledge.allocations))
        .order_by(Pledge.year.desc(), Pledge.id.desc())
    )
    if status in {s.value for s in PledgeStatus}:
        query = query.where(Pledge.status == status)
    page = db.paginate(
        query, page=page_number(), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )
    return render_template(
        "donations/finance/pledges.html",
        pledges=page.items,
        page=page,
        status=status,
        statuses=list(PledgeStatus),
        can_record=has_permission(current_user, Permission.CONFIRM_PLEDGE),
    )


def _finance_pledge_form() -> FinancePledgeForm:
    form = FinancePledgeForm()
    form.on_behalf_of.choices = [("new", _("A donor not listed (give its name below)"))] + [
        (f"donor:{d.id}", f"{d.name} ({label_kind(d.kind)})") for d in all_donors()
    ]
    form.organisation_kind.choices = [
        (kind.value, label_kind(kind)) for kind in DonorKind if kind != DonorKind.INDIVIDUAL
    ]
    form.currency.choices = currency_choices()
    form.earmark.choices = earmark_choices()
    if request.method == "GET":
        form.year.data = utcnow().year
    return form


def label_kind(kind: DonorKind) -> str:
    return str(DONOR_KIND_LABELS[kind])


def _pledging_donor(form: FinancePledgeForm) -> Donor:
    """The donor chosen in the list, or a new one made from the name typed; ValueError (the
    form then says why) when neither was given."""
    choice = form.on_behalf_of.data or ""
    if choice.startswith("donor:") and choice[6:].isdigit():
        return db.get_or_404(Donor, int(choice[6:]))
    name = (form.organisation_name.data or "").strip()
    if not name:
        form.organisation_name.errors = [_("Please give the donor's name.")]
        raise ValueError("no donor name")
    return services.create_donor(
        actor=current_user,
        kind=DonorKind(form.organisation_kind.data or DonorKind.MEMBER_STATE),
        name=name,
        country=(form.donor_country.data or "").upper() or None,
        email=form.donor_email.data or None,
    )


@bp.route("/donations/pledges/new", methods=["GET", "POST"])
@requires(Permission.CONFIRM_PLEDGE)
def record_pledge() -> Any:
    form = _finance_pledge_form()
    return pledge_page(
        form,
        donor=lambda: _pledging_donor(form),
        said=lambda pledge: _(
            "Pledge of %(amount)s recorded.", amount=money(pledge.amount, pledge.currency)
        ),
        finance=True,
    )


@bp.post("/donations/pledges/<int:pledge_id>/confirm")
@requires(Permission.CONFIRM_PLEDGE)
def confirm_pledge(pledge_id: int) -> Any:
    pledge = db.get_or_404(Pledge, pledge_id)
    form = ConfirmPledgeForm()
    if not form.validate_on_submit() or form.confirmed_on.data is None:
        flash(_("Please give the date the letter or agreement was received."), "warning")
        return redirect(url_for("donations.pledge", pledge_id=pledge.id))
    services.confirm_pledge(actor=current_user, pledge=pledge, on=form.confirmed_on.data)
    db.session.commit()
    flash(_("The pledge is confirmed and booked as receivable."), "success")
    return redirect(url_for("donations.pledge", pledge_id=pledge.id))


@bp.post("/donations/pledges/<int:pledge_id>/write-off")
@requires(Permission.CONFIRM_PLEDGE)
def write_off_pledge(pledge_id: int) -> Any:
    pledge = db.get_or_404(Pledge, pledge_id)
    form = ReasonForm()
    services.write_off_pledge(actor=current_user, pledge=pledge, reason=form.reason.data or "")
    db.session.commit()
    flash(_("The rest of the pledge is written off."), "success")
    return redirect(url_for("donations.pledge", pledge_id=pledge.id))
