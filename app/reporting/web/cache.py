"""Reporting figures computed once and reused while nothing has changed.

The figures behind the dashboard and the public transparency page read the whole ledger and
several large tables: seconds at a million transfers. They change only when something happens,
and something happening leaves a trace: every state change writes an audit event and every money
movement is a ledger transfer. So the newest audit event id and the newest transfer sequence
together (two index lookups) say whether a figure computed earlier is still right.

A figure is reused while both are unchanged and it is younger than REPORTING_CACHE_SECONDS.
The age limit covers the one case the version misses: ids are handed out when a row is
inserted, not when it commits, so a transaction that commits after a later one leaves the
newest id as it was. ``REPORTING_CACHE_SECONDS = 0`` turns the cache off (the test suite does,
as its databases are emptied between tests and ids start again).

The figures are kept in Flask-Caching's store (``figures`` in app/platform/extensions.py): a Redis
shared by every worker and server when REPORTING_CACHE_REDIS_URL (by default REDIS_URL) names
one, so a figure is computed once for all of them rather than once per gunicorn worker (the
deadline-day scenario of bench/scenarios.py showed each of 4 workers computing the dashboard's
figures for itself); otherwise each process keeps its own. Entries are a few small dataclasses
and rendered page bodies, keyed by the figure's name and arguments, each expiring after
REPORTING_CACHE_SECONDS, under a prefix naming this release of the code, so a server of another
release never reads a figure pickled by this one. A store that does not answer is a miss: the
figure is computed, and the page served.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Hashable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app, request, session
from flask_babel import get_locale, get_timezone
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.audit.services import AUDITED_ACTIONS
from app.ledger.models import Transfer
from app.platform.extensions import db, figures

T = TypeVar("T")

log = logging.getLogger(__name__)

# At most this many entries in a process's own store (when there is no Redis): the pages' figures
# are a fixed set, times the readers' languages and time zones of the stored page bodies.
LOCAL_ENTRIES = 2000


@cache
def release() -> str:
    """A digest of this release's code and templates (the same on every server running it)."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[2]
    for path in sorted([*root.rglob("*.py"), *root.rglob("*.html")]):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def store_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """Flask-Caching's settings for the figures' store."""
    url = config.get("REPORTING_CACHE_REDIS_URL")
    if url:
        prefix = f"trustfund:figures:{release()}:"
        return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url, "CACHE_KEY_PREFIX": prefix}
    return {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": LOCAL_ENTRIES}


# Audited actions that never change a reported figure: signing in and out, downloads, drafts
# saved as people type and the documents attached to them or to an organisation's file (no
# figure counts documents), a person's own settings. Counted as changes they would throw away every
# cached figure (about a second each to compute again at scale) many times a minute. Any action
# not listed here counts as a change, so a new kind of event can only make the cache refresh
# too often, never show a stale figure.
FIGURE_NEUTRAL_ACTIONS = (
    "application.section_saved",
    "document.removed",
    "document.uploaded",
    "file.downloaded",
    "review.draft_saved",
    "user.login",
    "user.login_failed",
    "user.logout",
    "user.profile_updated",
    "user.recovery_code_used",
)


def data_version() -> tuple[Any, ...]:
    """What changes whenever a reported figure may have changed.

    The newest audit event that could change a figure (read backwards on the primary key, past
    any figure-neutral ones) and the newest ledger transfer.
    """
    row = db.session.execute(
        sa.select(
            sa.select(sa.func.max(AuditEvent.id))
            .where(AuditEvent.action.not_in(FIGURE_NEUTRAL_ACTIONS))
            .scalar_subquery(),
            sa.select(sa.func.max(Transfer.sequence)).scalar_subquery(),
        )
    ).one()
    return tuple(row)


# The data version as this process last read it for a public page: (read at, version). One
# tuple, replaced whole, so a thread reading it never sees half of an update.
_public_version: tuple[float, tuple[Any, ...]] | None = None


def public_data_version() -> tuple[Any, ...] | None:
    """``data_version()``, read from the database at most once a second in this process.

    For what anyone may see without signing in: published figures may lag a change by up to
    REPORTING_PUBLIC_LAG_SECONDS, and in return a visitor's page needs no database work at all
    while it is unchanged. Staff pages read the version on every request (they see their own
    changes at once), and a commit made in this process forgets the remembered version.
    None while the cache is off: there is nothing to compare it with.
    """
    global _public_version
    if not cache_enabled():
        return None
    lag = float(current_app.config.get("REPORTING_PUBLIC_LAG_SECONDS", 0))
    now = time.monotonic()
    remembered = _public_version
    if remembered is not None and now - remembered[0] < lag:
        return remembered[1]
    version = data_version()
    _public_version = (now, version)
    return version


def may_change_figures(action: str) -> bool:
    return action not in FIGURE_NEUTRAL_ACTIONS


def forget_public_version(session: Session) -> None:
    """After a commit (app/bootstrap.py) that audited a change of a figure: this process then
    reads the data version afresh, so whoever made the change sees it at once. A commit of
    figure-neutral work only (a draft saved, a document attached) keeps it.

    Every figure change is audited, ledger postings included (their event is made by the audit
    service too, even where the posting statement writes it). The actions are those audited
    since the session's last commit: a change rolled back still counts once, which can only
    make the page read the version once more.
    """
    global _public_version
    actions = session.info.pop(AUDITED_ACTIONS, ())
    if any(may_change_figures(action) for action in actions):
        _public_version = None


def cache_enabled() -> bool:
    return float(current_app.config.get("REPORTING_CACHE_SECONDS", 0)) > 0


def cached(key: Hashable, compute: Callable[[], T], version: tuple[Any, ...] | None = None) -> T:
    """``compute()``, or its earlier result while the data and the result's age allow.

    Pass ``version`` (from ``data_version()``) when a page asks for several figures, so the
    version is read once per request.
    """
    max_age = float(current_app.config.get("REPORTING_CACHE_SECONDS", 0))
    if max_age <= 0:
        return compute()
    if version is None:
        version = data_version()
    name = _store_key(key)
    entry = _read(name)
    if entry is not None and entry[0] == version:
        return entry[1]
    value = compute()
    _write(name, (version, value), max_age)
    return value


def _store_key(key: Hashable) -> str:
    # The keys are the figures' names with dates, languages and time zones: their repr is stable.
    return hashlib.sha256(repr(key).encode()).hexdigest()[:32]


def _read(name: str) -> Any:
    try:
        return figures.get(name)
    except Exception:
        log.warning("reporting figures: the store did not answer; computing", exc_info=True)
        return None


def _write(name: str, entry: tuple[tuple[Any, ...], Any], max_age: float) -> None:
    try:
        figures.set(name, entry, timeout=max(1, round(max_age)))
    except Exception:
        log.warning("reporting figures: the store did not answer; not kept", exc_info=True)


# Stands in for the visitor's CSRF token in a stored page; no rendering produces it otherwise.
_CSRF_SLOT = "csrf-token-of-this-visitor-9c1e"


def whole_page_for_visitors(
    key: Hashable, render: Callable[..., str], version: tuple[Any, ...] | None
) -> str:
    """A public page, stored whole for signed-out visitors while its figures are unchanged.

    The layout around a public page differs between signed-out visitors only by language, time
    zone, flashed messages and the CSRF token of the language form: the page is stored per
    language and time zone, rendered afresh when a message is waiting (it would be shown to
    everyone) or the address has a query string (unbounded keys), and each visitor gets their
    own token. ``render(**overrides)`` renders the page with the given template variables.
    """
    if current_user.is_authenticated or session.get("_flashes") or request.args:
        return render()
    reader = (str(get_locale()), str(get_timezone()))
    page = cached(("page", key, reader), lambda: render(csrf_token=lambda: _CSRF_SLOT), version)
    return page.replace(_CSRF_SLOT, generate_csrf())


def clear() -> None:
    global _public_version
    figures.clear()
    _public_version = None
