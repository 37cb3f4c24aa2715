"""Screening many applications at once (app/web/bulk.py): ticked on the fund's list of
applications, one outcome for all, previewed, confirmed once; each application screened by
``record_screening`` in its own savepoint, audited as when screened alone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.permissions import Permission
from app.accounts.web.admin.forms import CheckboxListField
from app.applications.models import Application
from app.platform.extensions import db
from app.reviews.models import ScreeningOutcome
from app.reviews.queries.screening import MANUAL_CHECKS
from app.reviews.services import screening as screening_rules
from app.reviews.web.blueprint import bp
from app.reviews.web.forms import ScreeningForm
from app.reviews.web.labels import LABELS
from app.web.access import requires
from app.web.bulk import BulkAction, bulk_confirm, bulk_page


class BulkScreeningForm(ScreeningForm):
    """The single screening's form; its choices apply to every application selected."""

    confirmed = CheckboxListField(
        _l("Checks you confirmed from the documents of every selected application"),
        choices=[(c.value, LABELS[(type(c), c.value)]) for c in MANUAL_CHECKS],
    )


def _applications(ids: Sequence[int]) -> Mapping[int, Application]:
    """The applications by id (every one is visible to a fund-side screener; whether they may
    screen it is the service's to say, item by item)."""
    found = db.session.execute(sa.select(Application).where(Application.id.in_(ids))).scalars()
    return {a.id: a for a in found}


def _label(application: Application) -> str:
    title = application.title or _("Untitled application")
    return f"{application.reference} — {application.organisation.name}: {title}"


def _screen(application: Application, form: Any) -> None:
    screening_rules.record_screening(
        actor=current_user,
        application=application,
        outcome=ScreeningOutcome(form.outcome.data),
        confirmed=form.confirmed.data or [],
        reason=form.reason.data or "",
        question=form.question.data or "",
    )


def _will(form: Any) -> str:
    outcome = form.outcome.data
    if outcome == ScreeningOutcome.ELIGIBLE:
        return _("Eligible: each application goes into review.")
    if outcome == ScreeningOutcome.INELIGIBLE:
        return _(
            "Screened out: each organisation sees this reason: %(reason)s", reason=form.reason.data
        )
    return _("Each organisation is asked: %(question)s", question=form.question.data)


SCREEN_MANY: BulkAction[Application] = BulkAction(
    title=_l("Screen several applications"),
    choose_endpoint="reviews.bulk_screen",
    confirm_endpoint="reviews.bulk_screen_confirm",
    back=lambda: url_for("applications.all"),
    form=BulkScreeningForm,
    load=_applications,
    label=_label,
    link=lambda a: url_for("reviews.screen", application_id=a.id),
    do=_screen,
    will=_will,
)


@bp.post("/bulk/screen")
@requires(Permission.SCREEN_APPLICATION)
def bulk_screen() -> Any:
    return bulk_page(SCREEN_MANY)


@bp.post("/bulk/screen/confirm")
@requires(Permission.SCREEN_APPLICATION)
def bulk_screen_confirm() -> Any:
    return bulk_confirm(SCREEN_MANY)
