"""Restricted contributions as finance sees them: restricting a pledge before it is paid, and
every restricted balance with what it holds, flagged when its period ends soon."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from app.accounts.permissions import Permission
from app.calls.models import Call
from app.donations.models import Pledge
from app.donations.services.restriction_warnings import WARNING_MONTHS
from app.donations.services.restrictions import (
    RestrictionTerms,
    TermRefused,
    change_restriction,
    lift_restriction,
    money_moved,
    restrict_pledge,
)
from app.donations.web.blueprint import bp
from app.funding.services import restriction_of_pledge
from app.grants.services.common import add_months
from app.platform.categories import Theme
from app.platform.db import utcnow
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.platform.regions import Region
from app.reporting.money_went import restricted_overview
from app.reporting.web.labels import region_label
from app.web.access import requires
from app.web.display import country_choices
from app.web.labels import choices

# Restricted money still unspent this many months before its period ends is flagged (and
# finance told: app/donations/services/restriction_warnings.py).
RESTRICTED_WARNING_MONTHS = max(WARNING_MONTHS)


class RestrictionForm(FlaskForm):
    theme = SelectField(_l("Theme"), validators=[Optional()])
    region = SelectField(_l("Region"), validators=[Optional()])
    country = SelectField(_l("Country"), validators=[Optional()])
    call_id = SelectField(_l("Call for proposals"), validators=[Optional()])
    starts_on = DateField(_l("For grants awarded from"), validators=[Optional()])
    ends_on = DateField(
        _l("For grants awarded until"),
        validators=[Optional()],
        description=_l("Finance is warned when money is still unspent six months before."),
    )


def region_name(code: str) -> str:
    try:
        return region_label(Region(code))
    except ValueError:
        return code


def _form() -> RestrictionForm:
    form = RestrictionForm()
    anything = ("", _("Any"))
    form.theme.choices = [anything, *choices(Theme)]
    form.region.choices = [anything] + [
        (r.value, region_label(r)) for r in Region if r != Region.UNKNOWN
    ]
    form.country.choices = [anything, *country_choices()]
    calls = db.session.execute(sa.select(Call).order_by(Call.id.desc()).limit(200)).scalars()
    locale = str(get_locale())
    form.call_id.choices = [anything] + [
        (str(c.id), f"{c.reference} — {c.title_in(locale)}") for c in calls
    ]
    return form


def _terms(form: RestrictionForm) -> RestrictionTerms:
    return RestrictionTerms(
        theme=form.theme.data or None,
        region=form.region.data or None,
        country=form.country.data or None,
        call_id=int(form.call_id.data) if form.call_id.data else None,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
    )


def _show(error: DomainError, form: RestrictionForm) -> None:
    """The refusal next to its field when it has one, else at the top of the form."""
    message = error.translated(_)
    target = getattr(form, error.field, None) if isinstance(error, TermRefused) else None
    if target is not None:
        target.errors = [*target.errors, message]
    else:
        form.form_errors.append(message)


@bp.route("/donations/pledges/<int:pledge_id>/restriction", methods=["GET", "POST"])
@requires(Permission.CONFIRM_PLEDGE)
def restrict(pledge_id: int) -> Any:
    pledge = db.get_or_404(Pledge, pledge_id)
    existing = restriction_of_pledge(pledge.id)
    locked = existing is not None and money_moved(pledge, existing)
    form = _form()
    if existing is not None and not form.is_submitted():
        form.theme.data = existing.theme or ""
        form.region.data = existing.region or ""
        form.country.data = existing.country or ""
        form.call_id.data = str(existing.call_id) if existing.call_id else ""
        form.starts_on.data = existing.starts_on
        form.ends_on.data = existing.ends_on
    if not locked and form.validate_on_submit():
        try:
            if existing is None:
                restrict_pledge(actor=current_user, pledge=pledge, terms=_terms(form))
            else:
                change_restriction(actor=current_user, pledge=pledge, terms=_terms(form))
        except DomainError as error:
            db.session.rollback()
            _show(error, form)
        else:
            db.session.commit()
            flash(
                _("The pledge is restricted: its payments go to its own balance.")
                if existing is None
                else _("The restriction is changed."),
                "success",
            )
            return redirect(url_for("donations.pledge", pledge_id=pledge.id))
    status = 422 if form.errors or form.form_errors else 200
    return (
        render_template(
            "donations/finance/restriction.html",
            pledge=pledge,
            form=form,
            existing=existing,
            locked=locked,
            region_name=region_name,
        ),
        status,
    )


@bp.post("/donations/pledges/<int:pledge_id>/restriction/lift")
@requires(Permission.CONFIRM_PLEDGE)
def lift(pledge_id: int) -> Any:
    pledge = db.get_or_404(Pledge, pledge_id)
    try:
        lift_restriction(actor=current_user, pledge=pledge)
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(_), "danger")
        return redirect(url_for("donations.restrict", pledge_id=pledge.id))
    db.session.commit()
    flash(
        _("The restriction is lifted: the pledge's payments go to unrestricted money."), "success"
    )
    return redirect(url_for("donations.pledge", pledge_id=pledge.id))


@bp.get("/donations/restricted")
@requires(Permission.VIEW_ALL_CONTRIBUTIONS)
def restricted_balances() -> Any:
    today = utcnow().date()
    warn_before: date = add_months(today, RESTRICTED_WARNING_MONTHS)
    rows = restricted_overview()
    return render_template(
        "donations/finance/restricted.html",
        rows=rows,
        today=today,
        warn_before=warn_before,
        months=RESTRICTED_WARNING_MONTHS,
        region_name=region_name,
        flagged=[r for r in rows if r.ends_on and r.available > 0 and r.ends_on <= warn_before],
    )
