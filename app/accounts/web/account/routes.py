"""A person's own account: profile, password, two-factor authentication, and their personal
data (a copy to download, closing the account)."""

from __future__ import annotations

import base64
import json
from typing import Any

import qrcode
import qrcode.image.svg
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.accounts import services as accounts
from app.accounts.web.account.forms import (
    ChangePasswordForm,
    CloseAccountForm,
    ConfirmPasswordForm,
    EnableTwoFactorForm,
    ProfileForm,
)
from app.platform.errors import DomainError
from app.platform.extensions import db
from app.privacy import services as privacy
from app.web.access import login_required

bp = Blueprint("account", __name__, template_folder="../../templates", url_prefix="/account")

# Session key under which the not-yet-confirmed authenticator secret waits.
SETUP_SECRET_KEY = "totp_setup_secret"  # noqa: S105 - a key name, not a secret


def _renew_session() -> None:
    """Keep this browser signed in under the bumped session version; other sessions end."""
    # Pass the user itself: given the proxy, Flask-Login would resolve it into itself forever.
    login_user(current_user._get_current_object())


@bp.route("/", methods=["GET", "POST"])
@login_required
def profile() -> Any:
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        accounts.update_profile(
            actor=current_user,
            full_name=form.full_name.data or "",
            locale=form.locale.data or None,
            timezone=form.timezone.data or "UTC",
        )
        db.session.commit()
        if form.locale.data:
            session["locale"] = form.locale.data
        else:
            session.pop("locale", None)
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("account.profile"))
    return render_template("account/profile.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not accounts.verify_password(current_user, form.current_password.data or ""):
            form.current_password.errors.append(_("Your current password is not right."))
        else:
            try:
                accounts.set_password(
                    user=current_user,
                    password=form.password.data or "",
                    min_length=current_app.config["PASSWORD_MIN_LENGTH"],
                )
            except DomainError as error:
                db.session.rollback()
                form.password.errors.append(error.translated(_))
            else:
                db.session.commit()
                # The version bump signed out other sessions; keep this one signed in.
                _renew_session()
                flash(_("Your password is changed. Other devices have been signed out."), "success")
                return redirect(url_for("account.security"))
    return render_template("account/password.html", form=form)


@bp.get("/security")
@login_required
def security() -> Any:
    return render_template(
        "account/security.html",
        recovery_left=accounts.unused_recovery_code_count(current_user),
        two_factor_required=current_app.config["REQUIRE_2FA_FOR_STAFF"] and current_user.is_staff,
        disable_form=ConfirmPasswordForm(),
        regenerate_form=ConfirmPasswordForm(prefix="regen"),
    )


def _qr_data_uri(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


@bp.route("/two-factor/setup", methods=["GET", "POST"])
@login_required
def two_factor_setup() -> Any:
    if current_user.totp_enabled:
        return redirect(url_for("account.security"))
    secret = session.get(SETUP_SECRET_KEY) or accounts.new_totp_secret()
    session[SETUP_SECRET_KEY] = secret
    form = EnableTwoFactorForm()
    if form.validate_on_submit():
        try:
            codes = accounts.enable_totp(
                user=current_user, secret=secret, code=form.code.data or ""
            )
        except DomainError as error:
            db.session.rollback()
            form.code.errors.append(error.translated(_))
        else:
            db.session.commit()
            session.pop(SETUP_SECRET_KEY, None)
            _renew_session()
            flash(_("Two-factor authentication is on."), "success")
            return render_template("account/recovery_codes.html", codes=codes)
    uri = accounts.totp_provisioning_uri(
        user=current_user, secret=secret, issuer=current_app.config["FUND_SHORT_NAME"]
    )
    return render_template(
        "account/two_factor_setup.html", form=form, secret=secret, qr=_qr_data_uri(uri)
    )


@bp.post("/two-factor/recovery-codes")
@login_required
def regenerate_recovery_codes() -> Any:
    form = ConfirmPasswordForm(prefix="regen")
    if not form.validate_on_submit() or not accounts.verify_password(
        current_user, form.password.data or ""
    ):
        flash(_("Your password is not right; the recovery codes were not changed."), "danger")
        return redirect(url_for("account.security"))
    codes = accounts.regenerate_recovery_codes(user=current_user)
    db.session.commit()
    return render_template("account/recovery_codes.html", codes=codes)


@bp.post("/two-factor/disable")
@login_required
def two_factor_disable() -> Any:
    form = ConfirmPasswordForm()
    if not form.validate_on_submit() or not accounts.verify_password(
        current_user, form.password.data or ""
    ):
        flash(_("Your password is not right; two-factor authentication is still on."), "danger")
        return redirect(url_for("account.security"))
    accounts.disable_totp(
        user=current_user,
        actor=current_user,
        staff_requires_2fa=current_app.config["REQUIRE_2FA_FOR_STAFF"],
    )
    db.session.commit()
    _renew_session()
    flash(_("Two-factor authentication is off."), "warning")
    return redirect(url_for("account.security"))


# --- personal data: a copy to download, closing the account ------------------------------


@bp.get("/personal-data")
@login_required
def personal_data() -> Any:
    return _personal_data_page(CloseAccountForm())


def _personal_data_page(form: CloseAccountForm) -> Any:
    obstacles = [error.translated(_) for error in privacy.closure_obstacles(current_user)]
    return render_template(
        "account/personal_data.html",
        form=form,
        obstacles=obstacles,
        asks_second_factor=current_user.totp_enabled,
    )


@bp.post("/personal-data/download")
@login_required
def download_personal_data() -> Any:
    """The person's data as a JSON file; only ever the signed-in person's own."""
    data = privacy.export_personal_data(actor=current_user)
    db.session.commit()
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="my-data-{current_user.id}.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/close")
@login_required
def close_account() -> Any:
    form = CloseAccountForm()
    if not form.validate_on_submit():
        return _personal_data_page(form), 400
    if not accounts.verify_password(current_user, form.password.data or ""):
        form.password.errors.append(_("Your password is not right."))
        return _personal_data_page(form), 400
    if current_user.totp_enabled and not accounts.verify_second_factor(
        user=current_user, code=form.code.data or ""
    ):
        # A spent recovery code stays spent even though the account stays open.
        db.session.commit()
        form.code.errors.append(_("That code is not right."))
        return _personal_data_page(form), 400
    try:
        privacy.close_own_account(user=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(_), "danger")
        return redirect(url_for("account.personal_data"))
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Your account is closed and your personal details are removed."), "info")
    return redirect(url_for("main.index"))
