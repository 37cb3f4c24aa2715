"""/integrations/webhooks: an organisation's people (or an administrator, for the fund's own
systems) register endpoints, read the delivery log and send a delivery again."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, URLField
from wtforms.validators import DataRequired, Length

from app.accounts.models import Organisation
from app.accounts.services import organisation_ids_of
from app.accounts.web.admin.forms import CheckboxListField
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.web.access import login_required
from app.webhooks import services as webhooks
from app.webhooks.models import WebhookDelivery, WebhookEvent

bp = Blueprint(
    "webhooks", __name__, template_folder="../templates", url_prefix="/integrations/webhooks"
)

EVENT_LABELS = {
    WebhookEvent.APPLICATION_STATUS_CHANGED: _l("An application's status changed"),
    WebhookEvent.TRANCHE_PAID: _l("A tranche was paid"),
}
FUND = "fund"


class EndpointForm(FlaskForm):
    url = URLField(
        _l("URL"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("An https:// address on the public internet that accepts POST."),
    )
    events = CheckboxListField(
        _l("Events"),
        choices=[(event.value, label) for event, label in EVENT_LABELS.items()],
        validators=[DataRequired(message=_l("Choose at least one event."))],
    )
    owner = SelectField(_l("Whose events"), validators=[DataRequired()])


def _form() -> EndpointForm:
    form = EndpointForm()
    choices: list[tuple[str, str]] = []
    if webhooks.can_manage_endpoints(current_user, None):
        choices.append((FUND, _("The fund's own systems (every organisation's events)")))
    for organisation_id in sorted(organisation_ids_of(current_user)):
        if webhooks.can_manage_endpoints(current_user, organisation_id):
            organisation = db.session.get(Organisation, organisation_id)
            if organisation is not None:
                choices.append((str(organisation_id), organisation.name))
    form.owner.choices = choices
    return form


def _index(form: EndpointForm) -> Any:
    return render_template(
        "webhooks/index.html",
        form=form,
        endpoints=webhooks.endpoints_for(current_user),
        event_labels=EVENT_LABELS,
    )


@bp.get("/")
@login_required
def index() -> Any:
    return _index(_form())


@bp.post("/")
@login_required
def register() -> Any:
    form = _form()
    if not form.validate_on_submit():
        return _index(form), 422
    owner = form.owner.data
    try:
        endpoint = webhooks.register_endpoint(
            actor=current_user,
            organisation_id=None if owner == FUND else int(owner or 0),
            url=form.url.data or "",
            events=[WebhookEvent(value) for value in form.events.data or []],
            allow_private=current_app.config["WEBHOOKS_ALLOW_PRIVATE"],
        )
    except DomainError as error:
        db.session.rollback()
        form.url.errors = [*form.url.errors, error.translated(_)]
        return _index(form), error.status_code
    db.session.commit()
    flash(_("The endpoint is registered. Verify each delivery with its signing secret."), "success")
    return redirect(url_for("webhooks.show", endpoint_id=endpoint.id))


@bp.get("/<int:endpoint_id>")
@login_required
def show(endpoint_id: int) -> Any:
    endpoint = webhooks.get_endpoint(actor=current_user, endpoint_id=endpoint_id)
    response = current_app.make_response(
        render_template(
            "webhooks/show.html",
            endpoint=endpoint,
            deliveries=webhooks.deliveries_of(endpoint),
            event_labels=EVENT_LABELS,
        )
    )
    response.headers["Cache-Control"] = "no-store"  # the page shows the signing secret
    return response


@bp.post("/<int:endpoint_id>/disable")
@login_required
def disable(endpoint_id: int) -> Any:
    endpoint = webhooks.get_endpoint(actor=current_user, endpoint_id=endpoint_id)
    webhooks.disable_endpoint(actor=current_user, endpoint=endpoint)
    db.session.commit()
    flash(_("The endpoint is disabled: nothing more is sent to it."), "success")
    return redirect(url_for("webhooks.show", endpoint_id=endpoint.id))


@bp.post("/deliveries/<int:delivery_id>/send-again")
@login_required
def send_again(delivery_id: int) -> Any:
    delivery = db.get_or_404(WebhookDelivery, delivery_id)
    webhooks.send_again(actor=current_user, delivery=delivery)
    db.session.commit()
    flash(_("The delivery will be sent again in a moment."), "success")
    return redirect(url_for("webhooks.show", endpoint_id=delivery.endpoint_id))
