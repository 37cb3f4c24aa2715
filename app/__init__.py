"""Trust Fund Grants: the application factory."""

from __future__ import annotations

import os
from typing import Any

import email_validator
from flask import Flask, g, has_request_context

from config.settings import (
    PRIVATE_NETWORKS,
    Base,
    Production,
    config_for,
    env_list,
    normalise_database_url,
    proxy_networks,
    rate_limit_storage,
    trusted_hosts,
)


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration and extensions here, then what the app is made of (its
    blueprints, commands, template helpers and session hooks), listed in app/bootstrap.py."""
    config = config_for(config_name)
    if config is Production:
        Production.validate()

    app = Flask(__name__, instance_relative_config=True)
    _configure(app, config, overrides)
    _install_settings(app)
    _install_observability(app)
    proxies = _believe_trusted_proxies(app)
    _init_extensions(app)
    _assemble(app)
    _wrap_outermost(app, proxies)
    return app


def _configure(app: Flask, config: type[Base], overrides: dict[str, Any] | None) -> None:
    app.config.from_object(config)
    if config is Production:
        # Read at start-up, not at import: the process environment is the source of truth.
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
        app.config["RATELIMIT_STORAGE_URI"] = rate_limit_storage()
        app.config["PUBLIC_BASE_URL"] = os.environ["PUBLIC_BASE_URL"]
        app.config["EXTRA_TRUSTED_HOSTS"] = env_list("EXTRA_TRUSTED_HOSTS")
        app.config["TRUSTED_PROXY_ADDRESSES"] = env_list(
            "TRUSTED_PROXY_ADDRESSES", PRIVATE_NETWORKS
        )
    if overrides:
        app.config.update(overrides)
    app.config["PUBLIC_BASE_URL"] = str(app.config["PUBLIC_BASE_URL"]).rstrip("/")
    if config is Production and not (overrides and "TRUSTED_HOSTS" in overrides):
        # A request for any other host is refused (400) before a view runs: no page, redirect
        # or link is ever made from a Host header an attacker chose.
        app.config["TRUSTED_HOSTS"] = trusted_hosts(
            app.config["PUBLIC_BASE_URL"], app.config["EXTRA_TRUSTED_HOSTS"]
        )


def _install_settings(app: Flask) -> None:
    from app.platform import settings

    settings.install(app)  # a setting of the wrong type or out of range stops the start here
    if app.config.get("EMAIL_ALLOW_TEST_DOMAIN"):
        # email-validator refuses special-use domains such as ".test" unless told otherwise;
        # the flag is process-wide, so it is only ever switched on (dev, tests, demo).
        email_validator.TEST_ENVIRONMENT = True


def _install_observability(app: Flask) -> None:
    """Logs, error reports and metrics."""
    from app.platform import metrics
    from app.platform.error_reports import install_error_reports
    from app.platform.logging import install_logging

    install_logging(app, user_id=_signed_in_user_id)
    install_error_reports(app)
    metrics.install(app)  # inside the proxy layer below: it judges the client's address


def _believe_trusted_proxies(app: Flask) -> int:
    """How many reverse proxies stand in front of the app (0: none is believed)."""
    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies:
        # Only from the reverse proxy may X-Forwarded-For be believed: the per-IP login
        # limit and the audit log's addresses depend on it.
        from app.web.proxies import FromTrustedProxies

        app.wsgi_app = FromTrustedProxies(  # type: ignore[method-assign]
            app.wsgi_app,
            proxies=proxies,
            networks=proxy_networks(list(app.config["TRUSTED_PROXY_ADDRESSES"])),
        )
    return proxies


def _init_extensions(app: Flask) -> None:
    from app.platform.db import ping_connections_after_idle
    from app.platform.extensions import (
        babel,
        csrf,
        db,
        figures,
        limiter,
        login_manager,
        migrate,
    )
    from app.reporting.web.cache import store_settings
    from app.web.i18n import select_locale, select_timezone

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            ping_connections_after_idle(engine)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)
    figures.init_app(app, config=store_settings(app.config))


def _assemble(app: Flask) -> None:
    """Every model, then what app/bootstrap.py lists, then the static files."""
    from app import models  # noqa: F401 - register every model before the first query
    from app.bootstrap import bootstrap

    bootstrap(app)
    from app.web import assets

    assets.install(app)  # static files are answered before the page layers


def _wrap_outermost(app: Flask, proxies: int) -> None:
    from app.platform import metrics
    from app.platform.logging import RequestIds

    # Outermost: every answer is counted and carries its request id, static files included.
    app.wsgi_app = metrics.CountRequests(app.wsgi_app, app=app)  # type: ignore[method-assign]
    app.wsgi_app = RequestIds(  # type: ignore[method-assign]
        app.wsgi_app,
        networks=proxy_networks(list(app.config["TRUSTED_PROXY_ADDRESSES"])) if proxies else [],
    )


def _signed_in_user_id() -> int | None:
    """For the log lines: the id of the user Flask-Login has loaded for this request, if any.
    Read where Flask-Login keeps it, so that logging never loads anyone from the database."""
    if not has_request_context():
        return None
    user = g.get("_login_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    user_id = getattr(user, "id", None)
    return user_id if isinstance(user_id, int) else None
