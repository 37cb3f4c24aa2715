"""The donor portal: own gifts, pledges, receipts and monthly gifts; the pledge form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import Organisation, OrganisationKind
from app.accounts.permissions import (
    Permission,
    can_pledge_for,
    can_stop_monthly_gift,
    can_view_gift,
    can_view_pledge,
    can_view_receipt,
    has_permission,
)
from app.accounts.services.organisations import create_organisation
from app.donations import payments, services
from app.donations.models import (
    DonationReceipt,
    Donor,
    DonorKind,
    ExchangeRate,
    Gift,
    GiftSubscription,
    Pledge,
    PledgeStatus,
)
from app.donations.reports.portal import portal_for
from app.donations.web.blueprint import bp
from app.donations.web.forms import LetterForm, PledgeForm, ReasonForm
from app.donations.web.support import get_gateway
from app.platform.categories import Theme
from app.platform.db import utcnow
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.platform.storage import get_storage
from app.web.access import login_required, requires
from app.web.display import money
from app.web.downloads import send_private_file
from app.web.labels import label
from app.web.lookup import visible_or_404
from app.web.once import already_sent, earlier_record, remember_record


def currency_choices() -> list[tuple[str, str]]:
    """The functional currency, the Give page's, and every currency with a rate."""
    codes = [current_app.config["FUNCTIONAL_CURRENCY"], *current_app.config["DONATION_CURRENCIES"]]
    codes += list(db.session.execute(db.select(ExchangeRate.currency).distinct()).scalars())
    unique = list(dict.fromkeys(code.strip().upper() for code in codes if code.strip()))
    return [(code, code) for code in unique]


def earmark_choices() -> list[tuple[str, str]]:
    return [("", _("Unearmarked (preferred)"))] + [(theme.value, label(theme)) for theme in Theme]


def _donor_organisations() -> list[Organisation]:
    return [
        m.organisation
        for m in current_user.memberships
        if m.organisation.kind in services.DONOR_KIND_OF_ORGANISATION
        and m.organisation.kind != OrganisationKind.INDIVIDUAL
    ]


def _pledge_form() -> PledgeForm:
    form = PledgeForm()
    choices = [(f"org:{o.id}", o.name) for o in _donor_organisations()]
    choices += [("self", _("Myself (%(name)s)", name=current_user.full_name))]
    choices += [("new", _("Another organisation (give its name below)"))]
    form.on_behalf_of.choices = choices
    form.currency.choices = currency_choices()
    form.earmark.choices = earmark_choices()
    if request.method == "GET":
        form.year.data = utcnow().year
        form.on_behalf_of.data = choices[0][0]
    return form


def _donor_for_choice(form: PledgeForm) -> Donor:
    choice = form.on_behalf_of.data or ""
    if choice == "self":
        return services.find_or_create_individual_donor(
            actor=current_user, name=current_user.full_name, email=current_user.email
        )
    if choice.startswith("org:"):
        organisation = next((o for o in _donor_organisations() if f"org:{o.id}" == choice), None)
        if organisation is None:
            abort(404)
        return services.donor_for_organisation(actor=current_user, organisation=organisation)
    name = (form.organisation_name.data or "").strip()
    if not name:
        form.organisation_name.errors = [_("Please give the organisation's name.")]
        raise ValueError("no organisation name")
    kind = DonorKind(form.organisation_kind.data or DonorKind.GOVERNMENT)
    organisation = create_organisation(
        actor=current_user, name=name, kind=OrganisationKind(kind.value)
    )
    return services.donor_for_organisation(actor=current_user, organisation=organisation)


def letter_upload(field: Any) -> services.LetterUpload | None:
    upload = field.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return services.LetterUpload(
        filename=upload.filename or "",
        data=upload.read(current_app.config["UPLOAD_MAX_BYTES"] + 1),
    )


@bp.get("/my/giving")
@requires(Permission.VIEW_OWN_CONTRIBUTIONS)
def portal() -> Any:
    donors = services.donors_of(current_user)
    view = portal_for(donors)
    return render_template(
        "donations/portal.html",
        donors=donors,
        portal=view,
        can_pledge=has_permission(current_user, Permission.MAKE_PLEDGE),
    )


@bp.post("/my/giving/monthly/<int:subscription_id>/stop")
@requires(Permission.VIEW_OWN_CONTRIBUTIONS)
def stop_monthly(subscription_id: int) -> Any:
    subscription = visible_or_404(GiftSubscription, subscription_id, can_stop_monthly_gift)
    payments.stop_monthly_gift(actor=current_user, gateway=get_gateway(), subscription=subscription)
    db.session.commit()
    flash(_("Your monthly gift is stopped. Thank you for your support."), "success")
    return redirect(url_for("donations.portal"))


def pledge_page(
    form: PledgeForm,
    *,
    donor: Callable[[], Donor],
    said: Callable[[Pledge], str],
    finance: bool,
) -> Any:
    """The pledge form, a donor's or finance's: records the pledge for the ``donor`` chosen
    (ValueError when none was: the form says why) and says ``said`` of it."""
    if form.validate_on_submit():
        earlier = earlier_record(form, "pledge")
        if earlier is not None:
            return already_sent("donations.pledge", pledge_id=earlier)
        try:
            pledge = services.make_pledge(
                actor=current_user,
                donor=donor(),
                amount=form.amount_minor(),
                currency=form.currency.data or "",
                year=form.year.data or 0,
                earmark=form.earmark.data or None,
                instalments=form.instalment_list(),
                letter=letter_upload(form.letter),
                storage=get_storage(),
                note=form.note.data,
            )
            remember_record(form, pledge.id)
        except ValueError:
            db.session.rollback()
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.translated(_))
        else:
            db.session.commit()
            flash(said(pledge), "success")
            return redirect(url_for("donations.pledge", pledge_id=pledge.id))
    return render_template("donations/pledge_form.html", form=form, finance=finance)


@bp.route("/pledges/new", methods=["GET", "POST"])
@requires(Permission.MAKE_PLEDGE)
def new_pledge() -> Any:
    form = _pledge_form()
    return pledge_page(
        form,
        donor=lambda: _donor_for_choice(form),
        said=lambda pledge: _(
            "Thank you: your pledge of %(amount)s is recorded. The fund will confirm it.",
            amount=money(pledge.amount, pledge.currency),
        ),
        finance=False,
    )


@bp.get("/pledges/<int:pledge_id>")
@login_required
def pledge(pledge_id: int) -> Any:
    record = visible_or_404(Pledge, pledge_id, can_view_pledge)
    from app.donations.web.finance.pledges import finance_context  # which imports this module

    return render_template(
        "donations/pledge.html",
        pledge=record,
        letter_form=LetterForm(),
        reason_form=ReasonForm(),
        # A closed pledge's letter is history: the domain refuses a new one, so offer none.
        can_attach=record.status not in (PledgeStatus.CANCELLED, PledgeStatus.WRITTEN_OFF)
        and (
            can_pledge_for(current_user, record.donor)
            or has_permission(current_user, Permission.CONFIRM_PLEDGE)
        ),
        can_withdraw=record.status == PledgeStatus.PLEDGED
        and (
            can_pledge_for(current_user, record.donor)
            or has_permission(current_user, Permission.CONFIRM_PLEDGE)
        ),
        **finance_context(record),
    )


@bp.get("/pledges/<int:pledge_id>/letter")
@login_required
def pledge_letter(pledge_id: int) -> Any:
    record = visible_or_404(Pledge, pledge_id, can_view_pledge)
    return send_private_file(
        record.letter_key,
        filename=record.letter_filename or "letter",
        content_type=record.letter_content_type or "application/octet-stream",
        subject=record,
        what="pledge letter",
    )


@bp.post("/pledges/<int:pledge_id>/letter")
@login_required
def upload_pledge_letter(pledge_id: int) -> Any:
    record = visible_or_404(Pledge, pledge_id, can_view_pledge)
    form = LetterForm()
    upload = letter_upload(form.letter)
    if upload is None:
        flash(_("Choose the file to upload."), "warning")
        return redirect(url_for("donations.pledge", pledge_id=record.id))
    storage = get_storage()
    previous = services.attach_pledge_letter(
        actor=current_user, pledge=record, letter=upload, storage=storage
    )
    db.session.commit()
    if previous:
        storage.delete(previous)
    flash(_("The letter is attached."), "success")
    return redirect(url_for("donations.pledge", pledge_id=record.id))


@bp.post("/pledges/<int:pledge_id>/cancel")
@login_required
def cancel_pledge(pledge_id: int) -> Any:
    record = visible_or_404(Pledge, pledge_id, can_view_pledge)
    form = ReasonForm()
    reason = (form.reason.data or "").strip() or _("withdrawn")
    services.cancel_pledge(actor=current_user, pledge=record, reason=reason)
    db.session.commit()
    flash(_("The pledge is cancelled."), "success")
    return redirect(url_for("donations.pledge", pledge_id=record.id))


@bp.get("/receipts/<int:receipt_id>")
@login_required
def receipt(receipt_id: int) -> Any:
    record = visible_or_404(DonationReceipt, receipt_id, can_view_receipt)
    return render_template("donations/receipt.html", receipt=record)


@bp.get("/gifts/<int:gift_id>")
@login_required
def gift(gift_id: int) -> Any:
    record = visible_or_404(Gift, gift_id, can_view_gift)
    return render_template(
        "donations/gift.html", gift=record, receipt=services.receipt_for(gift=record)
    )
