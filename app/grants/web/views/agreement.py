"""The agreement (sent, read, accepted by the signatory), and suspending or resuming the grant."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import Permission, can_view_grant
from app.applications.services import profile_of
from app.grants.models import Grant
from app.grants.services import agreement as grant_agreement
from app.grants.services import suspension as grant_suspension
from app.grants.web.blueprint import bp
from app.grants.web.forms import AcceptAgreementForm, ReasonForm
from app.grants.web.views.common import grant_url, perform
from app.platform.db import utcnow
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.texts.services import render_version
from app.web.access import login_required, requires
from app.web.display import fund_name
from app.web.lookup import visible_or_404


@bp.post("/<int:grant_id>/send-agreement")
@requires(Permission.AWARD_GRANT)
def send_agreement(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    return perform(
        lambda: grant_agreement.send_agreement(actor=current_user, grant=grant),
        success=_("The agreement is sent to the organisation for signature."),
        target=grant_url(grant.id),
    )


@bp.get("/<int:grant_id>/agreement")
@login_required
def agreement(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    profile = profile_of(grant.organisation)
    # Section 7 in the staff's wording for this language, as it stood when the agreement was
    # sent (part of its fingerprint), or as it stands now for a draft; else the built-in one.
    closure = None
    version = grant_agreement.agreement_texts(grant).get(str(get_locale() or "en"))
    if version is not None:
        closure = render_version(
            version,
            {
                "reference": grant.reference,
                "grantee": profile.legal_name
                if profile and profile.legal_name
                else grant.organisation.name,
                "fund": fund_name(current_app.config["FUND_NAME"]),
            },
        )
    return render_template(
        "grants/agreement.html",
        grant=grant,
        closure=closure.body if closure is not None else None,
        profile=profile,
        digest=grant.agreement_sha256 or grant_agreement.agreement_digest(grant),
        now=utcnow(),
    )


@bp.route("/<int:grant_id>/accept", methods=["GET", "POST"])
@requires(Permission.SUBMIT_GRANT_REPORT)
def accept(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    form = AcceptAgreementForm()
    if request.method == "GET":
        form.digest.data = grant.agreement_sha256
        form.signatory_name.data = current_user.full_name
    errors: list[str] = []
    if request.method == "POST" and form.validate_on_submit():
        try:
            grant_agreement.accept_agreement(
                actor=current_user,
                grant=grant,
                signatory_name=form.signatory_name.data or "",
                signatory_title=form.signatory_title.data or "",
                confirmed=bool(form.confirmed.data),
                ip=request.remote_addr,
                digest=form.digest.data or None,
            )
        except DomainError as error:
            db.session.rollback()
            errors.append(error.translated(_))
        else:
            db.session.commit()
            flash(_("The agreement is accepted: the grant is active."), "success")
            return redirect(grant_url(grant.id))
    return (
        render_template(
            "grants/accept.html",
            grant=grant,
            form=form,
            errors=errors,
            can_sign=grant_agreement.is_signatory(current_user, grant),
        ),
        422 if errors or form.errors else 200,
    )


@bp.post("/<int:grant_id>/suspend")
@requires(Permission.CLOSE_GRANT)
def suspend(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    form = ReasonForm()
    return perform(
        lambda: grant_suspension.suspend_grant(
            actor=current_user, grant=grant, reason=form.reason.data or ""
        ),
        success=_("The grant is suspended: no tranche can be requested or sent."),
        target=grant_url(grant.id),
    )


@bp.post("/<int:grant_id>/resume")
@requires(Permission.CLOSE_GRANT)
def resume(grant_id: int) -> Any:
    grant = visible_or_404(Grant, grant_id, can_view_grant)
    return perform(
        lambda: grant_suspension.resume_grant(actor=current_user, grant=grant),
        success=_("The grant is active again."),
        target=grant_url(grant.id),
    )
