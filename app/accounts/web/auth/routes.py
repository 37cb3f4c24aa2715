"""Sign in (with optional second factor), sign out, registration, confirmation, password reset."""

from __future__ import annotations

import time
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.exceptions import HTTPException

from app.accounts import services as accounts
from app.accounts.models import Role, User
from app.accounts.web.auth import throttling
from app.accounts.web.auth.demo_logins import demo_login_refused
from app.accounts.web.auth.forms import (
    EmailOnlyForm,
    LoginForm,
    NewPasswordForm,
    RegistrationForm,
    TwoFactorForm,
)
from app.accounts.web.auth.tokens import CONFIRM, RESET, make_token, read_token
from app.outbox.services import queue_email
from app.platform.errors import DomainError
from app.platform.extensions import db, limiter
from app.texts.services import queue_text_email, render_in_force
from app.web.access import login_required, public
from app.web.display import fund_name
from app.web.errors import render_error
from app.web.forms import is_safe_redirect
from app.web.links import public_url

bp = Blueprint("auth", __name__, template_folder="../../templates")

PENDING_2FA_KEY = "pending_2fa"
PENDING_2FA_SECONDS = 300


def _pending_account_key() -> str:
    pending = session.get(PENDING_2FA_KEY) or {}
    return f"2fa-account:{pending.get('uid', 'none')}"


def _throttle_message() -> str:
    return str(
        _("Too many sign-in attempts. For your security, please wait a few minutes and try again.")
    )


@bp.errorhandler(429)
def too_many_attempts(error: HTTPException) -> Any:
    """Say why in the limit's own words when it has some; the app-wide page is generic."""
    limit = getattr(error, "limit", None)
    return render_error(429, error.description if getattr(limit, "error_message", None) else None)


def _finish_login(user: User, remember: bool) -> Any:
    session.pop(PENDING_2FA_KEY, None)
    login_user(user, remember=remember)
    accounts.record_login(user=user)
    db.session.commit()
    if user.locale:
        session["locale"] = user.locale
    target = request.args.get("next")
    response = redirect(target if target and is_safe_redirect(target) else url_for("main.index"))
    return throttling.remember_device(response, user.email)


# Failed attempts only (decision 0006): per client address; per account and address; per
# account from browsers that never signed in to it (a known browser is counted on its own).
@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    throttling.limit_per_ip,
    methods=["POST"],
    deduct_when=throttling.failed,
    error_message=_throttle_message,
)
@limiter.limit(
    throttling.limit_per_account,
    key_func=throttling.account_and_address_key,
    methods=["POST"],
    deduct_when=throttling.failed,
    error_message=_throttle_message,
)
@limiter.limit(
    throttling.limit_per_account_from_new_devices,
    key_func=throttling.account_key,
    methods=["POST"],
    deduct_when=throttling.failed,
    exempt_when=throttling.on_known_device,
    error_message=_throttle_message,
)
@limiter.limit(
    throttling.limit_per_account,
    key_func=throttling.known_device_key,
    methods=["POST"],
    deduct_when=throttling.failed,
    exempt_when=throttling.on_new_device,
    error_message=_throttle_message,
)
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.find_user_by_email(form.email.data or "")
        if not accounts.verify_password(user, form.password.data or "") or (
            user is not None and demo_login_refused(user.email)
        ):
            accounts.record_failed_login(
                email=form.email.data or "", user=user, reason="wrong password"
            )
            db.session.commit()
            form.password.errors.append(_("The e-mail or password is not right."))
        elif user is not None and not user.is_active:
            accounts.record_failed_login(email=user.email, user=user, reason="account deactivated")
            db.session.commit()
            form.email.errors.append(
                _("This account has been deactivated. Contact the fund's administrator.")
            )
        elif user is not None and not user.email_confirmed:
            accounts.record_failed_login(email=user.email, user=user, reason="e-mail unconfirmed")
            db.session.commit()
            form.email.errors.append(
                _("Please confirm your e-mail address first: follow the link we sent you.")
            )
            return render_template("auth/login.html", form=form, show_resend=True), 200
        elif user is not None and user.totp_enabled:
            session[PENDING_2FA_KEY] = {
                "uid": user.id,
                "at": int(time.time()),
                "remember": bool(form.remember.data),
            }
            return redirect(url_for("auth.two_factor", next=request.args.get("next")))
        elif user is not None:
            return _finish_login(user, bool(form.remember.data))
    return render_template("auth/login.html", form=form, show_resend=False)


@bp.route("/login/two-factor", methods=["GET", "POST"])
@public
@limiter.limit(
    throttling.limit_per_account,
    key_func=_pending_account_key,
    methods=["POST"],
    deduct_when=throttling.failed,
    error_message=_throttle_message,
)
def two_factor() -> Any:
    pending = session.get(PENDING_2FA_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_2FA_SECONDS:
        session.pop(PENDING_2FA_KEY, None)
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    user = db.session.get(User, pending["uid"])
    if user is None or not user.is_active:
        session.pop(PENDING_2FA_KEY, None)
        return redirect(url_for("auth.login"))
    form = TwoFactorForm()
    if form.validate_on_submit():
        if accounts.verify_second_factor(user=user, code=form.code.data or ""):
            return _finish_login(user, bool(pending.get("remember")))
        accounts.record_failed_login(email=user.email, user=user, reason="wrong second factor")
        db.session.commit()
        form.code.errors.append(
            _("That code is not right. Try the current code or a recovery code.")
        )
    return render_template("auth/two_factor.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Any:
    accounts.record_logout(user=current_user)
    db.session.commit()
    logout_user()
    session.pop(PENDING_2FA_KEY, None)
    flash(_("You are signed out."), "info")
    return redirect(url_for("main.index"))


def _send_confirmation(user: User) -> None:
    """Queued in the outbox: sent once the caller commits."""
    link = public_url("auth.confirm", token=make_token(user, CONFIRM))
    # The fund's own wording in the registrant's language when staff wrote one (app/texts/).
    locale = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    values = {
        "name": user.full_name,
        "link": link,
        "fund": fund_name(current_app.config["FUND_NAME"]),
    }
    staff = render_in_force("email.confirm_address", locale, values)
    if staff is not None:
        queue_email(
            to=user.email,
            subject=staff.subject,
            body=staff.body,
            text_version_id=staff.version_id,
        )
        return
    queue_email(
        to=user.email,
        subject=_("Confirm your e-mail address"),
        body=_(
            "Welcome to %(fund)s.\n\nPlease confirm your e-mail address by opening this link:\n"
            "%(link)s\n\nIf you did not create an account, ignore this message.",
            fund=fund_name(current_app.config["FUND_NAME"]),
            link=link,
        ),
    )


def _send_registration_notice(owner: User) -> None:
    """Tell the owner of an address that someone tried to open an account with it (queued)."""
    with force_locale(owner.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        queue_email(
            to=owner.email,
            subject=_("Someone tried to open an account with your e-mail address"),
            body=_(
                "Someone tried to open an account at %(fund)s with this e-mail address, which "
                "already has one. No new account was opened and yours is unchanged.\n\n"
                "If it was you, sign in or reset your password:\n%(login)s\n%(reset)s\n\n"
                "If it was not you, you can ignore this message.",
                fund=fund_name(current_app.config["FUND_NAME"]),
                login=public_url("auth.login"),
                reset=public_url("auth.request_reset"),
            ),
        )


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
def register() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_user(
                email=form.email.data or "",
                full_name=form.full_name.data or "",
                password=form.password.data or "",
                role=Role(form.account_type.data),
                locale=session.get("locale"),
                min_password_length=current_app.config["PASSWORD_MIN_LENGTH"],
            )
        except accounts.AddressAlreadyRegistered as taken:
            # The same page as for a new account: only the address's owner learns of it.
            db.session.rollback()
            owner = db.session.get(User, taken.owner_id)
            if owner is not None:
                accounts.record_registration_attempt(owner=owner)
                _send_registration_notice(owner)
                db.session.commit()
            return render_template(
                "auth/check_email.html", email=accounts.normalise_email(form.email.data or "")
            )
        except DomainError as error:
            db.session.rollback()
            target = form.email if error.status_code == 409 else form.password
            target.errors.append(error.translated(_))
        else:
            _send_confirmation(user)
            db.session.commit()
            return render_template("auth/check_email.html", email=user.email)
    return render_template("auth/register.html", form=form)


@bp.get("/confirm/<token>")
@public
def confirm(token: str) -> Any:
    user, problem = read_token(token, CONFIRM, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    if user is None:
        flash(
            _("This confirmation link has expired. Ask for a new one below.")
            if problem == "expired"
            else _("This confirmation link is not valid. Ask for a new one below."),
            "danger",
        )
        return redirect(url_for("auth.resend_confirmation"))
    if accounts.confirm_email(user=user):
        db.session.commit()
        flash(_("Thank you, your e-mail address is confirmed. You can sign in now."), "success")
    else:
        flash(_("Your e-mail address was already confirmed."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/confirm", methods=["GET", "POST"])
@public
@limiter.limit("5 per hour", methods=["POST"])
def resend_confirmation() -> Any:
    form = EmailOnlyForm()
    if form.validate_on_submit():
        user = accounts.find_user_by_email(form.email.data or "")
        if user is not None and not user.email_confirmed and user.password_hash:
            _send_confirmation(user)
            db.session.commit()
        # Same answer whether or not the account exists: no address enumeration.
        return render_template("auth/check_email.html", email=form.email.data)
    return render_template("auth/resend_confirmation.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
@public
@limiter.limit("5 per hour", methods=["POST"])
def request_reset() -> Any:
    form = EmailOnlyForm()
    if form.validate_on_submit():
        user = accounts.find_user_by_email(form.email.data or "")
        if user is not None and user.is_active:
            link = public_url("auth.reset", token=make_token(user, RESET))
            # The fund's own wording in the page's language when staff wrote one (app/texts/).
            queue_text_email(
                key="email.password_reset",
                to=user.email,
                locale=str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]),
                values={
                    "name": user.full_name,
                    "link": link,
                    "fund": fund_name(current_app.config["FUND_NAME"]),
                },
                subject=_("Reset your password"),
                body=_(
                    "Someone asked to reset the password of your account.\n\n"
                    "To choose a new password, open this link within an hour:\n%(link)s\n\n"
                    "If it was not you, ignore this message: your password stays the same.",
                    link=link,
                ),
            )
            db.session.commit()
        return render_template("auth/check_email.html", email=form.email.data, reset=True)
    return render_template("auth/request_reset.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset(token: str) -> Any:
    """Also where invited users choose their first password."""
    user, problem = read_token(token, RESET, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    if user is not None and user.password_hash is not None:
        # An existing password may be replaced only within the short reset window.
        user, problem = read_token(token, RESET, current_app.config["RESET_TOKEN_MAX_AGE"])
    if user is None:
        flash(
            _("This link has expired. Ask for a new one.")
            if problem == "expired"
            else _("This link is not valid or has already been used. Ask for a new one."),
            "danger",
        )
        return redirect(url_for("auth.request_reset"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_password(
                user=user,
                password=form.password.data or "",
                min_length=current_app.config["PASSWORD_MIN_LENGTH"],
            )
        except DomainError as error:
            db.session.rollback()
            form.password.errors.append(error.translated(_))
        else:
            db.session.commit()
            flash(_("Your password is set. You can sign in now."), "success")
            # Whoever holds the e-mailed link owns the address: this browser becomes known,
            # so an attack on the account cannot keep its owner out (decision 0006).
            return throttling.remember_device(redirect(url_for("auth.login")), user.email)
    return render_template("auth/reset.html", form=form, user=user)
