"""Grant applications: the NGO's section-by-section form, submission, the message thread,
the printable view, private document downloads, and the fund's list."""

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
from sqlalchemy.orm import joinedload, lazyload, load_only

from app.accounts.permissions import (
    Permission,
    can_edit_application,
    can_view_application,
    can_view_call,
    can_view_document,
    is_member,
)
from app.applications import services as ngo
from app.applications.models import (
    Application,
    ApplicationStatus,
    Document,
    status_shown_to_applicant,
)
from app.applications.services import EditConflict, Section
from app.applications.web.forms import (
    SECTION_FORMS,
    MessageForm,
    WithdrawForm,
    application_upload_form,
)
from app.applications.web.labels import VOCABULARIES
from app.applications.workflow import APPLICATION_WORKFLOW
from app.calls.models import Call
from app.platform.categories import AgeGroup, DocumentKind, Sex
from app.platform.db import utcnow
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.platform.storage import get_storage
from app.reviews.web.panel import selection_context
from app.web.access import login_required, requires
from app.web.downloads import send_private_file
from app.web.forms import whole_number_arg
from app.web.keyset import newest_first_page
from app.web.labels import label
from app.web.lookup import visible_or_404
from app.web.page_cache import kept_per_reader

bp = Blueprint("applications", __name__, template_folder="../templates", url_prefix="/applications")

SECTIONS = list(Section)


def _locale() -> str:
    return str(get_locale() or "en")


def _context(application: Application) -> dict[str, Any]:
    """What every page about one application shows: completeness and the call's facts."""
    checks = ngo.completeness(application)
    return {
        "application": application,
        "call": application.call,
        "checks": checks,
        "percent": ngo.completeness_percent(checks),
        "sections": SECTIONS,
        "locale": _locale(),
        "now": utcnow(),
        "Sex": Sex,
        "AgeGroup": AgeGroup,
        "DocumentKind": DocumentKind,
        "vocab": VOCABULARIES,
        "can_edit": can_edit_application(current_user, application),
        # Members of the applicant organisation do not see the fund's internal recommendation.
        "shown_status": status_shown_to_applicant(application.status)
        if is_member(current_user, application.organisation_id)
        else application.status,
    }


@bp.app_template_filter("shown_to_applicant")
def shown_to_applicant(status: ApplicationStatus) -> ApplicationStatus:
    return status_shown_to_applicant(status)


@bp.get("/")
@requires(Permission.APPLY_FOR_GRANT)
def index() -> Any:
    return render_template(
        "applications/index.html",
        applications=ngo.applications_of(current_user),
        organisations=ngo.organisations_of(current_user),
        locale=_locale(),
    )


@bp.get("/all", endpoint="all")
@requires(Permission.VIEW_ALL_APPLICATIONS)
@kept_per_reader
def all_applications() -> Any:
    call_id = whole_number_arg("call_id")
    raw_status = request.args.get("status", "")
    status = (
        ApplicationStatus(raw_status)
        if raw_status in {s.value for s in ApplicationStatus}
        else None
    )
    # Keyset pages on (updated_at, id): each is an index range scan whatever its depth. Only
    # the columns the list shows are loaded: decoding every JSON column of every row (and of
    # every call) cost more than the queries themselves.
    listed = ngo.filter_applications(call_id=call_id, status=status).options(
        load_only(
            Application.id,
            Application.title,
            Application.status,
            Application.currency,
            Application.requested_amount,
            Application.updated_at,
            Application.call_id,
            Application.organisation_id,
        ),
        joinedload(Application.call).load_only(Call.id, Call.reference).lazyload(Call.criteria),
    )
    page = newest_first_page(
        listed,
        moment=Application.updated_at,
        row_id=Application.id,
        per_page=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "applications/all.html",
        page=page,
        calls=db.session.execute(
            db.select(Call)
            .options(load_only(Call.id, Call.reference, Call.title), lazyload(Call.criteria))
            .order_by(Call.closes_at.desc())
        ).scalars(),
        call_id=call_id,
        status=raw_status,
        statuses=list(ApplicationStatus),
        locale=_locale(),
    )


@bp.post("/start/<int:call_id>")
@requires(Permission.APPLY_FOR_GRANT)
def start(call_id: int) -> Any:
    call = visible_or_404(Call, call_id, can_view_call)
    organisation_id = request.form.get("organisation_id", type=int)
    mine = {o.id: o for o in ngo.organisations_of(current_user)}
    organisation = mine.get(organisation_id or 0)
    if organisation is None:
        if not mine:
            flash(_("First register your organisation."), "info")
            return redirect(url_for("organisations.register"))
        abort(404)
    existing = ngo.application_for([organisation.id], call)
    if existing is not None:
        return redirect(url_for("applications.show", application_id=existing.id))
    application = ngo.start_application(actor=current_user, call=call, organisation=organisation)
    db.session.commit()
    flash(_("Your application is started. Save each section as you go."), "success")
    return redirect(url_for("applications.section", application_id=application.id, name="summary"))


@bp.get("/<int:application_id>")
@login_required
def show(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, can_view_application)
    member = is_member(current_user, application.organisation_id)
    moves = APPLICATION_WORKFLOW.available_moves(
        application,
        current_user,
        among=(ApplicationStatus.WITHDRAWN, ApplicationStatus.INFO_REQUESTED),
    )
    return render_template(
        "applications/show.html",
        **_context(application),
        **selection_context(application),
        profile=ngo.profile_of(application.organisation),
        organisation_documents=ngo.organisation_documents(application.organisation),
        budget_by_category=ngo.budget_by_category(application),
        can_withdraw=ApplicationStatus.WITHDRAWN in moves,
        can_reply=member and application.status == ApplicationStatus.INFO_REQUESTED,
        can_request_information=ApplicationStatus.INFO_REQUESTED in moves,
        message_form=MessageForm(),
        withdraw_form=WithdrawForm(),
    )


@bp.get("/<int:application_id>/print")
@login_required
def printable(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, can_view_application)
    return render_template(
        "applications/print.html",
        **_context(application),
        budget_by_category=ngo.budget_by_category(application),
        organisation_documents=ngo.organisation_documents(application.organisation),
    )


@bp.route("/<int:application_id>/sections/<name>", methods=["GET", "POST"])
@requires(Permission.APPLY_FOR_GRANT)
def section(application_id: int, name: str) -> Any:
    application = visible_or_404(Application, application_id, can_view_application)
    if name not in {s.value for s in Section}:
        abort(404)
    current = Section(name)
    if not can_edit_application(current_user, application):
        flash(_("This application can no longer be changed."), "info")
        return redirect(url_for("applications.show", application_id=application.id))
    if current == Section.ATTACHMENTS:
        return _attachments_page(application, application_upload_form())
    form = SECTION_FORMS[current]()
    form.setup(application)
    if request.method == "GET":
        form.fill_from(application)
    conflict = None
    if form.validate_on_submit():
        try:
            ngo.save_section(
                actor=current_user,
                application=application,
                data=form.data_for(application),
                expected_version=form.expected_version(),
            )
        except EditConflict as error:
            db.session.rollback()
            conflict = error.translated(_)
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.translated(_))
        else:
            db.session.commit()
            flash(_("%(section)s saved.", section=label(current)), "success")
            target: Section = current
            if request.form.get("then") == "next":
                target = SECTIONS[min(SECTIONS.index(current) + 1, len(SECTIONS) - 1)]
            return redirect(
                url_for("applications.section", application_id=application.id, name=target.value)
            )
    status = 409 if conflict else 200
    return (
        render_template(
            f"applications/section_{current.value}.html",
            **_context(application),
            current=current,
            form=form,
            conflict=conflict,
            psc_rate=ngo.psc_rate(),
        ),
        status,
    )


def _attachments_page(application: Application, upload_form: Any, status: int = 200) -> Any:
    return (
        render_template(
            "applications/attachments.html",
            **_context(application),
            current=Section.ATTACHMENTS,
            upload_form=upload_form,
            organisation_documents=ngo.organisation_documents(application.organisation),
            max_upload_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024),
        ),
        status,
    )


@bp.post("/<int:application_id>/attachments")
@requires(Permission.APPLY_FOR_GRANT)
def upload(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, can_view_application)
    target = url_for("applications.section", application_id=application.id, name="attachments")
    form = application_upload_form()
    if not form.validate_on_submit():
        # Said next to the field it is about, on the page the file was chosen on.
        return _attachments_page(application, form, 422)
    upload = form.file.data
    try:
        document = ngo.upload_document(
            actor=current_user,
            organisation=application.organisation,
            application=application,
            kind=DocumentKind(form.kind.data),
            filename=upload.filename or "",
            data=upload.read(current_app.config["UPLOAD_MAX_BYTES"] + 1),
            storage=get_storage(),
        )
    except DomainError as error:
        db.session.rollback()
        form.file.errors = [
            _(
                "%(file)s was not uploaded: %(reason)s",
                file=upload.filename or "?",
                reason=error.translated(_),
            )
        ]
        return _attachments_page(application, form, 422)
    db.session.commit()
    flash(
        _("%(file)s attached as %(kind)s.", file=document.filename, kind=label(document.kind)),
        "success",
    )
    return redirect(target)


@bp.post("/<int:application_id>/attachments/<int:document_id>/remove")
@requires(Permission.APPLY_FOR_GRANT)
def remove_attachment(application_id: int, document_id: int) -> Any:
    application = visible_or_404(Application, application_id, can_view_application)
    document = db.session.get(Document, document_id)
    if document is None or document.application_id != application.id:
        abort(404)
    key = ngo.remove_document(actor=current_user, document=document)
    db.session.commit()
    get_storage().delete(key)
    flash(_("%(file)s removed.", file=document.filename), "success")
    return redirect(
        url_for("applications.section", application_id=application.id, name="attachments")
    )


@bp.post("/<int:application_id>/submit")
@requires(Permission.APPLY_FOR_GRANT)
def submit(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, can_view_application)
    resubmission = application.status == ApplicationStatus.INFO_REQUESTED
    try:
        ngo.submit_application(actor=current_user, application=application)
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(_), "danger")
        return redirect(url_for("applications.show", application_id=application_id))
    db.session.commit()
    if resubmission:
        flash(
            _("Your application is submitted again. The fund will continue its review."), "success"
        )
    else:
        flash(
            _("Your application is submitted. The fund will tell you when it has been screened."),
            "success",
        )
    return redirect(url_for("applications.show", application_id=application.id))


@bp.post("/<int:application_id>/withdraw")
@requires(Permission.APPLY_FOR_GRANT)
def withdraw(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, can_view_application)
    form = WithdrawForm()
    ngo.withdraw_application(
        actor=current_user, application=application, reason=form.reason.data or ""
    )
    db.session.commit()
    flash(_("Your application is withdrawn."), "info")
    return redirect(url_for("applications.show", application_id=application.id))


@bp.post("/<int:application_id>/reply")
@requires(Permission.APPLY_FOR_GRANT)
def reply(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, can_view_application)
    form = MessageForm()
    if not form.validate_on_submit():
        flash(_("Write your answer."), "danger")
    else:
        ngo.reply_to_information_request(
            actor=current_user, application=application, body=form.body.data or ""
        )
        db.session.commit()
        flash(
            _("Your answer is sent. Change the application if needed, then submit it again."),
            "success",
        )
    return redirect(url_for("applications.show", application_id=application.id) + "#messages")


@bp.post("/<int:application_id>/request-information")
@requires(Permission.SCREEN_APPLICATION)
def request_information(application_id: int) -> Any:
    application = visible_or_404(Application, application_id, can_view_application)
    form = MessageForm()
    if not form.validate_on_submit():
        flash(_("Write the question for the organisation."), "danger")
    else:
        ngo.request_information(
            actor=current_user, application=application, question=form.body.data or ""
        )
        db.session.commit()
        flash(_("The question is sent; the application waits for the answer."), "success")
    return redirect(url_for("applications.show", application_id=application.id) + "#messages")


@bp.get("/documents/<int:document_id>")
@login_required
def download(document_id: int) -> Any:
    """A private file, after the access check; always as an attachment, never rendered."""
    document = visible_or_404(Document, document_id, can_view_document)
    return send_private_file(
        document.storage_key,
        filename=document.filename,
        content_type=document.content_type,
        subject=document,
        what="document",
    )
