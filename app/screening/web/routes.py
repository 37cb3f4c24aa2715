"""The fund manager's due-diligence queue of possible sanctions matches, each match with the
listed entry and its score, an organisation's screening history, and the decisions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import Organisation
from app.accounts.permissions import Permission
from app.copies.reading import recent_flags
from app.organisations.services.bank_accounts import mask_account
from app.organisations.services.destinations import bank_watch
from app.platform.extensions import db
from app.screening.models import HitStatus, ScreeningHit
from app.screening.services.decisions import clear_hit, confirm_hit, hits_of, open_hits
from app.screening.services.list_import import current_list
from app.screening.services.matching import match_threshold
from app.screening.web.forms import ClearHitForm, ConfirmHitForm
from app.screening.web.labels import screening_label
from app.web.access import requires

bp = Blueprint("screening", __name__, template_folder="../templates", url_prefix="/screening")


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"screening_label": screening_label}


@bp.get("/")
@requires(Permission.DECIDE_SCREENING_HIT)
def queue() -> Any:
    return render_template(
        "screening/queue.html",
        hits=open_hits(),
        listed=current_list(),
        threshold=match_threshold(),
        bank_watch=bank_watch(),
        mask_account=mask_account,
        copy_flags=recent_flags(current_user),
    )


def _hit_page(
    hit: ScreeningHit,
    clear_form: ClearHitForm | None = None,
    confirm_form: ConfirmHitForm | None = None,
    status: int = 200,
) -> Any:
    return (
        render_template(
            "screening/hit.html",
            hit=hit,
            clear_form=clear_form or ClearHitForm(formdata=None),
            confirm_form=confirm_form or ConfirmHitForm(formdata=None),
            can_decide=hit.status == HitStatus.OPEN,
            threshold=match_threshold(),
        ),
        status,
    )


@bp.get("/hits/<int:hit_id>")
@requires(Permission.DECIDE_SCREENING_HIT)
def hit(hit_id: int) -> Any:
    return _hit_page(db.get_or_404(ScreeningHit, hit_id))


@bp.post("/hits/<int:hit_id>/clear")
@requires(Permission.DECIDE_SCREENING_HIT)
def clear(hit_id: int) -> Any:
    found = db.get_or_404(ScreeningHit, hit_id)
    form = ClearHitForm()
    if not form.validate_on_submit():
        return _hit_page(found, clear_form=form, status=422)
    clear_hit(actor=current_user, hit=found, reason=form.reason.data or "")
    db.session.commit()
    flash(_("The match is cleared: %(name)s is not held by it.", name=found.organisation.name))
    return redirect(url_for("screening.queue"))


@bp.post("/hits/<int:hit_id>/confirm")
@requires(Permission.DECIDE_SCREENING_HIT)
def confirm(hit_id: int) -> Any:
    found = db.get_or_404(ScreeningHit, hit_id)
    form = ConfirmHitForm()
    if not form.validate_on_submit():
        return _hit_page(found, confirm_form=form, status=422)
    confirm_hit(actor=current_user, hit=found, reason=form.reason.data or "")
    db.session.commit()
    flash(
        _(
            "The match is confirmed: %(name)s cannot be verified, awarded or paid.",
            name=found.organisation.name,
        ),
        "warning",
    )
    return redirect(url_for("screening.queue"))


@bp.get("/organisations/<int:organisation_id>")
@requires(Permission.DECIDE_SCREENING_HIT)
def organisation(organisation_id: int) -> Any:
    found = db.get_or_404(Organisation, organisation_id)
    return render_template(
        "screening/organisation.html",
        organisation=found,
        hits=hits_of(found.id),
        listed=current_list(),
    )
