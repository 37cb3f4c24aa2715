"""What the app is made of, in one list: blueprints, command groups, app-wide template helpers,
the hooks on every database session, what the workflows are handed from other areas, and the
Celery app of its worker (app/tasks.py).

``create_app()`` (app/__init__.py) sets up the configuration and the extensions, then calls
``bootstrap(app)``. A template helper that one area's pages alone use is registered by that
area's blueprint, beside the pages (``donation_label``, ``review_label``, ...); every helper
that pages of several areas use is listed here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import click
from flask import Blueprint, Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.accounts.cli import ledger_cli, users_cli
from app.accounts.permissions import find_assignments_with
from app.accounts.web.account.routes import bp as account
from app.accounts.web.admin.routes import bp as admin
from app.accounts.web.auth.routes import bp as auth
from app.applications import api as applications_api
from app.applications.services.verification import check_sanctions_with
from app.applications.web.first_steps import first_steps_context
from app.applications.web.labels import (
    application_badge,
    application_status_text,
    application_title,
    status_badge,
)
from app.applications.web.routes import bp as applications
from app.applications.workflow import APPLICATION_WORKFLOW, count_reviews_with
from app.audit.cli import audit_cli
from app.audit.web.routes import bp as audit
from app.bankfiles.web.routes import bp as bankfiles
from app.calls import api as calls_api
from app.calls.web.routes import bp as calls
from app.calls.workflow import count_undecided_with
from app.copies.cli import copies_command
from app.copies.services import on_submitted as check_copied_text
from app.copies.web.routes import bp as copies
from app.donations import api as donations_api
from app.donations.cli import donations_cli
from app.donations.web.contributions_export import register_contributions_export_job
from app.donations.web.routes import bp as donations
from app.grants import api as grants_api
from app.grants.cli import grants_cli
from app.grants.web.labels import grant_day, grant_label
from app.grants.web.routes import bp as grants
from app.grants.workflow import TRANCHE_WORKFLOW
from app.handoffs import subscribe_all as subscribe_handoffs
from app.jobs.cli import jobs_cli
from app.jobs.web.routes import bp as jobs
from app.ledger import api as ledger_api
from app.ledger.web.export_jobs import register_ledger_export_job
from app.ledger.web.routes import bp as ledger
from app.lists.web.routes import bp as lists
from app.monitoring.web.routes import bp as monitoring
from app.notes.web.routes import bp as notes
from app.notifications.web import badge, mail
from app.notifications.web.routes import bp as notifications
from app.oauth import api as oauth_api
from app.oauth.web.routes import bp as oauth_clients
from app.organisations import api as organisations_api
from app.organisations.web.routes import bp as organisations
from app.outbox.cli import outbox_cli
from app.outbox.web.routes import bp as dev_mail
from app.platform import links, storage
from app.platform.categories import Theme
from app.platform.cli import backup_command, restore_command
from app.platform.money import currency_exponent
from app.questions.web.routes import bp as questions
from app.reporting import api as reporting_api
from app.reporting.cli import iati_cli, reports_cli
from app.reporting.web import cache as reporting_cache
from app.reporting.web.export_jobs import register_export_job
from app.reporting.web.open_data import bp as open_data
from app.reporting.web.routes import bp as reporting
from app.results import api as results_api
from app.results.web.routes import bp as results
from app.reviews import api as reviews_api
from app.reviews.cli import reviews_cli
from app.reviews.queries.assignments import active_assignment, review_progress
from app.reviews.queries.ranking import undecided_count
from app.reviews.web.routes import bp as reviews
from app.screening.cli import screening_cli
from app.screening.services.decisions import ensure_no_sanctions_hold
from app.screening.services.matching import screen_changed_organisations
from app.screening.web.routes import bp as screening
from app.search.text import install_sqlite_function
from app.search.web.routes import bp as search
from app.tasks import celery_init_app
from app.texts.web.routes import bp as texts
from app.tokens import api as tokens_api
from app.tokens.web.routes import bp as tokens
from app.web import display, ids, register_web, without_page
from app.web.api import bp as api_v1
from app.web.labels import label
from app.web.links import page_path
from app.web.lists import register_list_jobs
from app.web.main.routes import bp as main
from app.web.navigation import nav_menu
from app.webhooks import services as webhooks
from app.webhooks.cli import webhooks_cli
from app.webhooks.web.routes import bp as webhooks_pages

BLUEPRINTS: tuple[Blueprint, ...] = (
    main,
    auth,
    account,
    tokens,
    oauth_clients,
    webhooks_pages,
    admin,
    audit,
    ledger,
    calls,
    organisations,
    applications,
    api_v1,
    donations,
    grants,
    bankfiles,
    reporting,
    open_data,
    reviews,
    notifications,
    screening,
    copies,
    notes,
    questions,
    monitoring,
    results,
    texts,
    search,
    lists,
    dev_mail,
    jobs,
)

# `flask <group> ...`; `flask db` comes from Flask-Migrate, `flask demo` from devtools (below).
COMMANDS: tuple[click.Command, ...] = (
    users_cli,
    ledger_cli,
    audit_cli,
    reports_cli,
    iati_cli,
    reviews_cli,
    grants_cli,
    donations_cli,
    outbox_cli,
    webhooks_cli,
    jobs_cli,
    screening_cli,
    backup_command,
    restore_command,
)
screening_cli.add_command(copies_command)  # flask screening copies

TEMPLATE_FILTERS: dict[str, Callable[..., Any]] = {
    "money": display.money,
    "major_amount": display.major_amount,
    "number": display.number,
    "score": display.score,
    "percent": display.percent,
    "file_size": display.file_size,
    "country_name": display.country_name,
    "donor_name": display.donor_name,
    "language_name": display.language_name,
    "bdi": display.isolated,
    "ltr": display.left_to_right,
    "label": label,
    "day": grant_day,
    "reject_page": without_page,
}

TEMPLATE_GLOBALS: dict[str, Any] = {
    "label": label,
    "deadline_times": display.deadline_times,
    "time_left": display.time_left,
    "in_zone": display.in_zone,
    "describe": display.describe,
    "currency_exponent": currency_exponent,
    "Theme": Theme,
    "status_badge": status_badge,
    "application_badge": application_badge,
    "application_title": application_title,
    "application_status_text": application_status_text,
    "grant_label": grant_label,
    "nav_menu": nav_menu,
}

# (event, listener) on every session, in the order they run. They listen on the Session class:
# the test suite swaps the scoped session for its own. Notification e-mails are written to the
# outbox just before the commit, in the transaction they announce.
SESSION_HOOKS: tuple[tuple[str, Callable[..., None]], ...] = (
    ("before_flush", screen_changed_organisations),
    ("after_transaction_create", mail.remember_queue_at_savepoint),
    ("before_commit", mail.write_pending_to_outbox),
    ("after_commit", badge.forget_unread_count),
    ("after_commit", storage.keep_files_of_committed_work),
    ("after_commit", reporting_cache.forget_public_version),
    ("after_soft_rollback", storage.forget_files_of_rolled_back_work),
    ("after_soft_rollback", mail.drop_pending_after_rollback),
)


# Each feature's JSON endpoints (its api.py) are added to the one versioned API blueprint.
API_MODULES = (
    calls_api,
    reporting_api,
    tokens_api,
    applications_api,
    grants_api,
    oauth_api,
    donations_api,
    ledger_api,
    reviews_api,
    organisations_api,
    results_api,
)


def bootstrap(app: Flask) -> None:
    """Register everything above on ``app``. Session hooks are registered once per process."""
    connect_workflows()
    install_sqlite_function()  # search_fold, which PostgreSQL gets from a migration
    links.install(page_path)  # the rules' notices link to pages the web side names
    app.url_map.converters["int"] = ids.IntegerConverter  # before the routes: ids in range
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    register_web(app)
    for name, function in TEMPLATE_FILTERS.items():
        app.add_template_filter(function, name)
    for name, value in TEMPLATE_GLOBALS.items():
        app.add_template_global(value, name)
    app.context_processor(first_steps_context)
    for command in (*COMMANDS, *_development_commands()):
        app.cli.add_command(command)
    for name, listener in SESSION_HOOKS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
    celery_init_app(app)


def connect_workflows() -> None:
    """Hand the workflows what they need from other areas, in one place.

    A workflow module declares its own moves and guards and changes nothing when imported; a
    guard or listener that needs a later area's knowledge gets it here, at start-up, so no area
    imports one that builds on it. Safe to run more than once.
    """
    count_reviews_with(review_progress)
    find_assignments_with(active_assignment)
    count_undecided_with(undecided_count)
    subscribe_handoffs()
    check_sanctions_with(ensure_no_sanctions_hold)
    APPLICATION_WORKFLOW.subscribe(check_copied_text)  # every submission is checked for copying
    register_export_job()  # the job kinds a worker runs (app/jobs/kinds.py)
    register_ledger_export_job()
    register_contributions_export_job()
    # Partners' webhooks are written with the move that causes them (app/webhooks).
    APPLICATION_WORKFLOW.subscribe(webhooks.on_transition)
    TRANCHE_WORKFLOW.subscribe(webhooks.on_transition)
    register_list_jobs()  # each staff list's CSV (app/web/lists.py)


def _development_commands() -> Iterator[click.Command]:
    """`flask demo` comes from devtools, which the production image does not ship."""
    try:
        from devtools.seed.cli import demo_command
    except ModuleNotFoundError as error:
        if error.name != "devtools":
            raise
        return
    yield demo_command
