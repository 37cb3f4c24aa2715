"""A message to many applicants at once (app/web/bulk.py): ticked on the fund's list of
applications, written once, previewed, confirmed once; each application's thread gets it through
``send_message`` in its own savepoint, audited and its organisation told, as when sent alone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from app.accounts.permissions import Permission
from app.applications.models import Application
from app.applications.services.messages import MAX_MESSAGE, send_message
from app.applications.web.blueprint import bp
from app.platform.extensions import db
from app.web.access import requires
from app.web.bulk import BulkAction, bulk_confirm, bulk_page


class BulkMessageForm(FlaskForm):
    body = TextAreaField(
        _l("Message to each applicant"),
        validators=[DataRequired(), Length(max=MAX_MESSAGE)],
        render_kw={"rows": 6},
        description=_l(
            "Each organisation reads it in its application's messages and is told by e-mail "
            "that there is something to read (the e-mail does not include it)."
        ),
    )


def _applications(ids: Sequence[int]) -> Mapping[int, Application]:
    found = db.session.execute(sa.select(Application).where(Application.id.in_(ids))).scalars()
    return {a.id: a for a in found}


def _label(application: Application) -> str:
    title = application.title or _("Untitled application")
    return f"{application.reference} — {application.organisation.name}: {title}"


def _send(application: Application, form: Any) -> None:
    send_message(actor=current_user, application=application, body=form.body.data or "")


MESSAGE_MANY: BulkAction[Application] = BulkAction(
    title=_l("Write to several applicants"),
    choose_endpoint="applications.bulk_message",
    confirm_endpoint="applications.bulk_message_confirm",
    back=lambda: url_for("applications.all"),
    form=BulkMessageForm,
    load=_applications,
    label=_label,
    link=lambda a: url_for("applications.show", application_id=a.id) + "#messages",
    do=_send,
    will=lambda form: _("Each applicant receives this message: %(body)s", body=form.body.data),
)


@bp.post("/bulk/message")
@requires(Permission.SCREEN_APPLICATION)
def bulk_message() -> Any:
    return bulk_page(MESSAGE_MANY)


@bp.post("/bulk/message/confirm")
@requires(Permission.SCREEN_APPLICATION)
def bulk_message_confirm() -> Any:
    return bulk_confirm(MESSAGE_MANY)
