"""Administration: users (invitations, roles, deactivation) and the e-mail outbox.

Administrators never move money."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from app.accounts import services as accounts
from app.accounts.models import Role, User, UserRole
from app.accounts.permissions import Permission, can_manage_user
from app.accounts.web.admin.forms import ROLE_LABELS, CloseAccountForm, InviteUserForm, RoleForm
from app.accounts.web.auth.tokens import RESET, make_token
from app.outbox import services as outbox_services
from app.outbox.models import OutboxMessage, OutboxStatus
from app.platform.errors import Conflict, DomainError
from app.platform.extensions import db
from app.privacy import services as privacy
from app.texts.services import queue_text_email
from app.web.access import requires
from app.web.display import fund_name
from app.web.forms import page_number
from app.web.links import public_url

bp = Blueprint("admin", __name__, template_folder="../../templates", url_prefix="/admin")


@bp.get("/users")
@requires(Permission.MANAGE_USERS)
def users() -> Any:
    query = select(User).order_by(User.email)
    search = request.args.get("q", "").strip()
    if search:
        # autoescape: "_" and "%" are common in addresses and must match only themselves.
        needle = search.lower()
        query = query.where(
            or_(
                func.lower(User.email).contains(needle, autoescape=True),
                func.lower(User.full_name).contains(needle, autoescape=True),
            )
        )
    role = request.args.get("role", "")
    if role in {r.value for r in Role}:
        query = query.where(
            User.id.in_(select(UserRole.user_id).where(UserRole.role == Role(role)))
        )
    page = db.paginate(
        query, page=page_number(), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )
    return render_template(
        "admin/users.html", page=page, search=search, role=role, role_labels=ROLE_LABELS
    )


@bp.route("/users/invite", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def invite() -> Any:
    form = InviteUserForm()
    if form.validate_on_submit():
        try:
            user = accounts.invite_user(
                actor=current_user,
                email=form.email.data or "",
                full_name=form.full_name.data or "",
                roles=[Role(r) for r in form.roles.data or []],
            )
        except DomainError as error:
            db.session.rollback()
            target = form.email if isinstance(error, Conflict) else form.roles
            target.errors.append(error.translated(_))
        else:
            link = public_url("auth.reset", token=make_token(user, RESET))
            # In the outbox with the account: if it cannot be sent, the administrator sees it
            # failed at /admin/outbox and can send it again.
            # The fund's own wording in this page's language when staff wrote one (app/texts/).
            queue_text_email(
                key="email.invitation",
                to=user.email,
                locale=str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]),
                values={
                    "name": user.full_name,
                    "inviter": current_user.full_name,
                    "link": link,
                    "fund": fund_name(current_app.config["FUND_NAME"]),
                    "fund_short": current_app.config["FUND_SHORT_NAME"],
                },
                subject=_(
                    "You are invited to %(fund)s", fund=current_app.config["FUND_SHORT_NAME"]
                ),
                body=_(
                    "%(inviter)s has opened an account for you on %(fund)s.\n\n"
                    "Choose your password within 3 days with this link:\n%(link)s\n",
                    inviter=current_user.full_name,
                    fund=fund_name(current_app.config["FUND_NAME"]),
                    link=link,
                ),
            )
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=user.email), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/invite.html", form=form)


@bp.get("/users/<int:user_id>")
@requires(Permission.MANAGE_USERS)
def user_detail(user_id: int) -> Any:
    user = db.get_or_404(User, user_id)
    return render_template(
        "admin/user.html",
        user=user,
        role_form=RoleForm(),
        role_labels=ROLE_LABELS,
        can_manage=can_manage_user(current_user, user),
        close_form=CloseAccountForm(),
        closed=privacy.is_closed(user),
    )


@bp.post("/users/<int:user_id>/roles")
@requires(Permission.MANAGE_USERS)
def grant_role(user_id: int) -> Any:
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if form.validate_on_submit():
        role = Role(form.role.data)
        try:
            granted = accounts.grant_role(actor=current_user, user=user, role=role)
        except DomainError as error:
            # Back to the form with the reason (e.g. admin and finance do not mix).
            db.session.rollback()
            flash(error.translated(_), "danger")
        else:
            if granted:
                db.session.commit()
                flash(_("%(role)s role granted.", role=ROLE_LABELS[role]), "success")
            else:
                flash(_("%(name)s already has that role.", name=user.full_name), "info")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/roles/<role>/revoke")
@requires(Permission.MANAGE_USERS)
def revoke_role(user_id: int, role: str) -> Any:
    user = db.get_or_404(User, user_id)
    if role not in {r.value for r in Role}:
        flash(_("Unknown role."), "danger")
    elif accounts.revoke_role(actor=current_user, user=user, role=Role(role)):
        db.session.commit()
        flash(_("%(role)s role revoked.", role=ROLE_LABELS[Role(role)]), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


def _set_active(user_id: int, *, active: bool) -> Any:
    """Let someone sign in again, or no longer: the user's page says which."""
    user = db.get_or_404(User, user_id)
    accounts.set_user_active(actor=current_user, user=user, active=active)
    db.session.commit()
    if active:
        flash(_("%(name)s can sign in again.", name=user.full_name), "success")
    else:
        flash(_("%(name)s can no longer sign in.", name=user.full_name), "warning")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/deactivate")
@requires(Permission.MANAGE_USERS)
def deactivate(user_id: int) -> Any:
    return _set_active(user_id, active=False)


@bp.post("/users/<int:user_id>/reactivate")
@requires(Permission.MANAGE_USERS)
def reactivate(user_id: int) -> Any:
    return _set_active(user_id, active=True)


@bp.post("/users/<int:user_id>/close")
@requires(Permission.MANAGE_USERS)
def close_account(user_id: int) -> Any:
    """Close and anonymise someone else's account, with a reason (never one's own here)."""
    user = db.get_or_404(User, user_id)
    form = CloseAccountForm()
    if not form.validate_on_submit():
        flash(_("Say why this account is closed."), "danger")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    try:
        privacy.close_account_for(actor=current_user, user=user, reason=form.reason.data or "")
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(_), "danger")
    else:
        db.session.commit()
        flash(_("The account is closed and its personal details are removed."), "warning")
    return redirect(url_for("admin.user_detail", user_id=user.id))


# --- the outbox: e-mails waiting, sent or failed -------------------------------------------


@bp.get("/outbox")
@requires(Permission.MANAGE_SETTINGS)
def outbox() -> Any:
    """What the outbox holds, failed first. Never the bodies: they carry sign-in links."""
    raw = request.args.get("status", "")
    status = OutboxStatus(raw) if raw in {s.value for s in OutboxStatus} else None
    page = db.paginate(
        outbox_services.messages_for_admin(status=status),
        page=page_number(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "admin/outbox.html",
        page=page,
        status=status,
        counts=outbox_services.count_by_status(),
        statuses=list(OutboxStatus),
        failed=OutboxStatus.FAILED,
    )


@bp.post("/outbox/<int:message_id>/retry")
@requires(Permission.MANAGE_SETTINGS)
def retry_outbox_message(message_id: int) -> Any:
    message = db.get_or_404(OutboxMessage, message_id)
    try:
        outbox_services.retry_message(actor=current_user, message=message)
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(_), "warning")
    else:
        db.session.commit()
        flash(_("The e-mail to %(email)s will be sent again.", email=message.recipient), "success")
    return redirect(url_for("admin.outbox", status=OutboxStatus.FAILED.value))
