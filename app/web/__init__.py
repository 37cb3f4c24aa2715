"""The HTML side: blueprints, error pages, security headers and per-request hooks."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, flash, g, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.accounts.permissions import Permission, permissions_of
from app.accounts.web.auth.demo_logins import demo_login_refused
from app.audit.services import audit_origin
from app.notifications.services import unread_count_of
from app.notifications.web.badge import remember_unread_count
from app.platform.extensions import db, login_manager
from app.web.errors import render_error
from app.web.i18n import LANGUAGE_NAMES, text_direction
from app.web.navigation import nav_items_for

# Pages a staff member without 2FA may still reach when 2FA is mandatory.
_ENROLMENT_ENDPOINTS = {
    "account.two_factor_setup",
    "auth.logout",
    "main.healthz",
    "main.set_language",
    "static",
}


def register_web(app: Flask) -> None:
    """Error pages, sign-in sessions and the hooks around every request (the blueprints are
    listed in app/bootstrap.py)."""
    from app.web.errors import register_error_handlers

    register_error_handlers(app)

    login_manager.login_view = "auth.login"
    login_manager.login_message = ""  # the login page explains itself
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)

    app.before_request(_refuse_nul_characters)
    app.before_request(_remember_origin)
    app.before_request(_enforce_staff_two_factor)
    app.teardown_request(_forget_origin)
    app.after_request(_security_headers)
    app.after_request(_private_caching)
    app.session_interface = PrivateWhenSettingCookies()
    app.context_processor(_template_globals)


def load_user(user_id: str) -> User | None:
    """Sessions carry "<id>.<session_version>": a bumped version signs the user out everywhere."""
    raw_id, _sep, version = user_id.partition(".")
    if not raw_id.isdigit():
        return None
    # The roles and the unread notice count come in the same query: every signed-in page needs
    # them (navigation, access, the notice badge).
    row = (
        db.session.execute(
            sa.select(User, unread_count_of(User.id))
            .options(joinedload(User.role_grants))
            .where(User.id == int(raw_id))
        )
        .unique()
        .first()
    )
    if row is None:
        return None
    user, unread = row
    if not user.is_active or str(user.session_version) != version:
        return None
    if demo_login_refused(user.email):
        return None
    remember_unread_count(unread)
    return user


def _refuse_nul_characters() -> Any:
    """PostgreSQL cannot store the NUL character in text, and no person types one: a form or
    address carrying one is refused whole, before anything is written, with a sentence."""
    for values in (request.args, request.form):
        if any("\x00" in value for _name, found in values.lists() for value in found):
            return render_error(
                400,
                _("The form contained a character that cannot be stored. Remove it and try again."),
            )
    return None


def _remember_origin() -> None:
    g.audit_origin_token = audit_origin.set(request.remote_addr)


def _forget_origin(_exc: BaseException | None) -> None:
    token = g.pop("audit_origin_token", None)
    if token is not None:
        audit_origin.reset(token)


def _enforce_staff_two_factor() -> Any:
    if not current_app.config.get("REQUIRE_2FA_FOR_STAFF"):
        return None
    if not current_user.is_authenticated or not current_user.is_staff:
        return None
    if current_user.totp_enabled or request.endpoint in _ENROLMENT_ENDPOINTS:
        return None
    flash(_("Staff accounts must use two-factor authentication. Set it up to continue."), "warning")
    return redirect(url_for("account.two_factor_setup"))


_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def content_security_policy(extra: dict[str, list[str]] | None = None) -> str:
    """The policy, widened for this response only by ``g.csp_extra`` (e.g. the Give page
    loads Stripe.js); a directive not in the base policy starts from 'self'."""
    directives = dict(_CSP)
    for directive, sources in (extra or {}).items():
        directives[directive] = " ".join([directives.get(directive, "'self'"), *sources])
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _security_headers(response: Any) -> Any:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(g.get("csp_extra")))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("HSTS"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


# What browsers and proxies are told about an answer made for one person: keep no copy of it
# (the back button and a shared proxy would show it to the next person at that computer).
PRIVATE_NO_STORE = "private, no-store"


def _private_caching(response: Any) -> Any:
    """Pages for a signed-in person, and pages reached by a secret link (a reset, a receipt, a
    gift's thank-you page: ``<token>`` in the address), are never cached outside the app.
    Public pages and static files keep their own caching."""
    if request.endpoint == "static":
        return response
    if current_user.is_authenticated or "token" in (request.view_args or {}):
        response.headers["Cache-Control"] = PRIVATE_NO_STORE
    return response


class PrivateWhenSettingCookies(SecureCookieSessionInterface):
    """An answer that sets a cookie (a new session, a CSRF secret, signing in or out) is that
    browser's own: a shared cache must not hand it, and its cookie, to someone else."""

    def save_session(self, app: Flask, session: Any, response: Any) -> None:
        super().save_session(app, session, response)
        if "Set-Cookie" in response.headers:
            response.headers["Cache-Control"] = PRIVATE_NO_STORE


BOOTSTRAP_CSS = {
    "ltr": "vendor/bootstrap/bootstrap.used.min.css",
    "rtl": "vendor/bootstrap/bootstrap.used.rtl.min.css",
}


def _template_globals() -> dict[str, Any]:
    from flask_babel import get_locale

    granted = permissions_of(current_user) if current_user else frozenset()
    locale = get_locale()
    direction = text_direction(locale or "en")
    return {
        "Permission": Permission,
        "granted": granted,
        "language_names": LANGUAGE_NAMES,
        "current_locale": str(locale or "en"),
        "text_direction": direction,
        # Right-to-left pages (Arabic) take Bootstrap's mirrored build: ms-*, text-start,
        # dropdowns and the like follow the reading direction there.
        "bootstrap_css": BOOTSTRAP_CSS[direction],
        "nav_items": nav_items_for(granted),
    }


def without_page(args: dict[str, Any]) -> dict[str, Any]:
    """Query arguments to carry over to another page of the same list."""
    return {key: value for key, value in args.items() if key != "page"}
