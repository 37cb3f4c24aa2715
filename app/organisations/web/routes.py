"""Organisations: an NGO's due-diligence file, documents and colleagues; the fund's verification."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import Organisation
from app.accounts.permissions import (
    Permission,
    can_invite_colleague,
    can_manage_organisation,
    can_verify_organisation,
    can_view_organisation,
    has_permission,
)
from app.accounts.web.auth.tokens import RESET, make_token
from app.applications import services as ngo
from app.applications.models import (
    Document,
    DueDiligenceStatus,
    OrganisationProfile,
    RiskRating,
)
from app.applications.services.duplicates import flagged_among
from app.applications.web.listing import listed_countries
from app.organisations.web import bank
from app.organisations.web.forms import (
    InviteColleagueForm,
    OrganisationForm,
    RejectForm,
    VerifyForm,
    organisation_upload_form,
)
from app.organisations.web.listing import ORGANISATIONS
from app.outbox.services import queue_email
from app.platform.categories import DocumentKind
from app.platform.db import utcnow
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.platform.storage import get_storage
from app.screening.web.notice import due_diligence_notice
from app.texts.services import queue_text_email
from app.web.access import login_required, requires
from app.web.display import fund_name
from app.web.labels import label
from app.web.links import public_url
from app.web.lists import list_view
from app.web.lookup import visible_or_404
from app.web.uploads import upload_from_form

bp = Blueprint(
    "organisations", __name__, template_folder="../templates", url_prefix="/organisations"
)
bank.register(bp)


def _file_or_404(organisation_id: int, may: Any) -> tuple[Organisation, OrganisationProfile]:
    organisation = visible_or_404(Organisation, organisation_id, may)
    profile = ngo.profile_of(organisation)
    if profile is None:
        abort(404)
    return organisation, profile


@bp.get("/mine")
@requires(Permission.MANAGE_OWN_ORGANISATION)
def mine() -> Any:
    organisations = ngo.organisations_of(current_user)
    if not organisations:
        return redirect(url_for("organisations.register"))
    if len(organisations) == 1:
        return redirect(url_for("organisations.show", organisation_id=organisations[0].id))
    return render_template("organisations/mine.html", organisations=organisations)


@bp.route("/register", methods=["GET", "POST"])
@requires(Permission.MANAGE_OWN_ORGANISATION)
def register() -> Any:
    form = OrganisationForm()
    if request.method == "GET":
        form.contact_email.data = current_user.email
    if form.validate_on_submit():
        try:
            profile = ngo.register_organisation(actor=current_user, details=form.details())
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.translated(_))
        else:
            db.session.commit()
            flash(
                _("%(name)s is registered. Now upload its documents.", name=form.name.data),
                "success",
            )
            return redirect(url_for("organisations.show", organisation_id=profile.organisation_id))
    return render_template("organisations/edit.html", form=form, organisation=None)


@bp.get("/<int:organisation_id>")
@login_required
def show(organisation_id: int) -> Any:
    organisation, profile = _file_or_404(organisation_id, can_view_organisation)
    return _show_page(organisation, profile, organisation_upload_form())


def _show_page(
    organisation: Organisation, profile: OrganisationProfile, upload_form: Any, status: int = 200
) -> Any:
    may_verify = can_verify_organisation(current_user, organisation)
    today = utcnow().date()
    page = render_template(
        "organisations/show.html",
        organisation=organisation,
        profile=profile,
        documents=ngo.organisation_documents(organisation),
        problems=ngo.due_diligence_problems(profile),
        required_documents=ngo.required_organisation_documents(profile),
        can_manage=can_manage_organisation(current_user, organisation),
        can_invite=can_invite_colleague(current_user, organisation),
        can_verify=may_verify,
        can_see_screening=has_permission(current_user, Permission.DECIDE_SCREENING_HIT),
        **due_diligence_notice(current_user, organisation),
        duplicates=ngo.possible_duplicates(organisation) if may_verify else [],
        years_registered=(today - profile.registration_date).days // 365
        if profile.registration_date
        else None,
        years_assisting=today.year - profile.assistance_since_year
        if profile.assistance_since_year
        else None,
        upload_form=upload_form,
        invite_form=InviteColleagueForm(),
        verify_form=VerifyForm(
            risk_rating=profile.risk_rating.value if profile.risk_rating else None
        ),
        reject_form=RejectForm(),
        max_upload_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024),
        DocumentKind=DocumentKind,
        **bank.bank_section(organisation),
    )
    return page, status


@bp.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_OWN_ORGANISATION)
def edit(organisation_id: int) -> Any:
    organisation, profile = _file_or_404(organisation_id, can_manage_organisation)
    form = OrganisationForm()
    if request.method == "GET":
        form.fill_from(organisation, profile)
    if form.validate_on_submit():
        was_verified = profile.status == DueDiligenceStatus.VERIFIED
        try:
            ngo.update_due_diligence(
                actor=current_user, organisation=organisation, details=form.details()
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.translated(_))
        else:
            db.session.commit()
            if was_verified and profile.status != DueDiligenceStatus.VERIFIED:
                flash(
                    _(
                        "Saved. Because verified details changed, the fund will check the "
                        "file again before you can submit applications."
                    ),
                    "warning",
                )
            else:
                flash(_("The organisation's file is saved."), "success")
            return redirect(url_for("organisations.show", organisation_id=organisation.id))
    return render_template(
        "organisations/edit.html", form=form, organisation=organisation, profile=profile
    )


@bp.post("/<int:organisation_id>/documents")
@requires(Permission.MANAGE_OWN_ORGANISATION)
def upload(organisation_id: int) -> Any:
    organisation, profile = _file_or_404(organisation_id, can_manage_organisation)
    form = organisation_upload_form()
    target = url_for("organisations.show", organisation_id=organisation.id)
    # A refusal is said next to the file field, on the page the file was chosen on.
    if not form.validate_on_submit():
        return _show_page(organisation, profile, form, 422)
    document = upload_from_form(form, organisation=organisation)
    if document is None:
        return _show_page(organisation, profile, form, 422)
    db.session.commit()
    flash(
        _("%(file)s uploaded as %(kind)s.", file=document.filename, kind=label(document.kind)),
        "success",
    )
    return redirect(target + "#documents")


@bp.post("/<int:organisation_id>/documents/<int:document_id>/remove")
@requires(Permission.MANAGE_OWN_ORGANISATION)
def remove_document(organisation_id: int, document_id: int) -> Any:
    organisation, _profile = _file_or_404(organisation_id, can_manage_organisation)
    document = db.session.get(Document, document_id)
    if document is None or document.organisation_id != organisation.id or document.application_id:
        abort(404)
    key = ngo.remove_document(actor=current_user, document=document)
    db.session.commit()
    get_storage().delete(key)
    flash(_("%(file)s removed.", file=document.filename), "success")
    return redirect(url_for("organisations.show", organisation_id=organisation.id) + "#documents")


@bp.post("/<int:organisation_id>/submit")
@requires(Permission.MANAGE_OWN_ORGANISATION)
def submit(organisation_id: int) -> Any:
    organisation, _profile = _file_or_404(organisation_id, can_manage_organisation)
    ngo.submit_for_verification(actor=current_user, organisation=organisation)
    db.session.commit()
    flash(_("Sent to the fund for verification. We will tell you when it is done."), "success")
    return redirect(url_for("organisations.show", organisation_id=organisation.id))


@bp.post("/<int:organisation_id>/colleagues")
@requires(Permission.MANAGE_OWN_ORGANISATION)
def invite(organisation_id: int) -> Any:
    organisation, _profile = _file_or_404(organisation_id, can_manage_organisation)
    form = InviteColleagueForm()
    target = url_for("organisations.show", organisation_id=organisation.id) + "#colleagues"
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "danger")
        return redirect(target)
    user, created = ngo.invite_colleague(
        actor=current_user,
        organisation=organisation,
        email=form.email.data or "",
        full_name=form.full_name.data or "",
    )
    if created:
        link = public_url("auth.reset", token=make_token(user, RESET))
        # The fund's own wording in this page's language when staff wrote one (app/texts/).
        queue_text_email(
            key="email.colleague_invitation",
            to=user.email,
            locale=str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]),
            values={
                "name": user.full_name,
                "inviter": current_user.full_name,
                "organisation": organisation.name,
                "link": link,
                "fund": fund_name(current_app.config["FUND_NAME"]),
            },
            subject=_("You have been added to %(organisation)s", organisation=organisation.name),
            body=_(
                "%(inviter)s has added you to %(organisation)s on %(fund)s.\n\n"
                "Choose your password with this link:\n%(link)s\n",
                inviter=current_user.full_name,
                organisation=organisation.name,
                fund=fund_name(current_app.config["FUND_NAME"]),
                link=link,
            ),
        )
        db.session.commit()  # the colleague and the e-mail telling them, together
        flash(_("%(email)s is now a colleague here.", email=user.email), "success")
        return redirect(target)
    body = _(
        "%(inviter)s has added you to %(organisation)s on %(fund)s.\n\n"
        "Sign in to see it:\n%(link)s\n",
        inviter=current_user.full_name,
        organisation=organisation.name,
        fund=fund_name(current_app.config["FUND_NAME"]),
        link=public_url("organisations.show", organisation_id=organisation.id),
    )
    queue_email(
        to=user.email,
        subject=_("You have been added to %(organisation)s", organisation=organisation.name),
        body=body,
    )
    db.session.commit()  # the colleague and the e-mail telling them, together
    flash(_("%(email)s is now a colleague here.", email=user.email), "success")
    return redirect(target)


# --- the fund's side ----------------------------------------------------------------------


@bp.get("/")
@requires(Permission.VERIFY_ORGANISATION)
def index() -> Any:
    """Every organisation's file: sorted by any column shown (waiting for a decision first by
    default), filters that combine, the count, the CSV and saved views (app/web/lists.py)."""
    lv = list_view(ORGANISATIONS, lambda state: ORGANISATIONS.query(state.filters))
    return render_template(
        "organisations/index.html",
        lv=lv,
        files=lv.page.items,
        # Only the page's rows are checked: the same work whatever the number of NGOs.
        flagged=flagged_among(file.organisation_id for file in lv.page.items),
        status=lv.state.raw_filters.get("status", ""),
        risk=lv.state.raw_filters.get("risk", ""),
        country=lv.state.filters.get("country", ""),
        q=lv.state.raw_filters.get("q", ""),
        statuses=list(DueDiligenceStatus),
        risks=list(RiskRating),
        countries=listed_countries(),
        only_flagged=bool(lv.state.filters.get("flagged")),
    )


@bp.post("/<int:organisation_id>/verify")
@requires(Permission.VERIFY_ORGANISATION)
def verify(organisation_id: int) -> Any:
    organisation, _profile = _file_or_404(organisation_id, can_view_organisation)
    form = VerifyForm()
    if not form.validate_on_submit():
        flash(_("Choose a risk rating to verify the organisation."), "danger")
    else:
        ngo.verify_organisation(
            actor=current_user,
            organisation=organisation,
            risk_rating=RiskRating(form.risk_rating.data),
        )
        db.session.commit()
        flash(_("%(name)s is verified.", name=organisation.name), "success")
    return redirect(url_for("organisations.show", organisation_id=organisation.id))


@bp.post("/<int:organisation_id>/reject")
@requires(Permission.VERIFY_ORGANISATION)
def reject(organisation_id: int) -> Any:
    organisation, _profile = _file_or_404(organisation_id, can_view_organisation)
    form = RejectForm()
    if not form.validate_on_submit():
        flash(_("Say why, so the organisation knows what to correct."), "danger")
    else:
        ngo.reject_organisation(
            actor=current_user, organisation=organisation, reason=form.reason.data or ""
        )
        db.session.commit()
        flash(
            _("%(name)s is not verified; the reason is shown to them.", name=organisation.name),
            "warning",
        )
    return redirect(url_for("organisations.show", organisation_id=organisation.id))


@bp.post("/<int:organisation_id>/risk")
@requires(Permission.VERIFY_ORGANISATION)
def risk(organisation_id: int) -> Any:
    organisation, _profile = _file_or_404(organisation_id, can_view_organisation)
    form = VerifyForm()
    if form.validate_on_submit():
        ngo.set_risk_rating(
            actor=current_user,
            organisation=organisation,
            risk_rating=RiskRating(form.risk_rating.data),
        )
        db.session.commit()
        flash(_("Risk rating saved."), "success")
    return redirect(url_for("organisations.show", organisation_id=organisation.id))
