"""`flask screening import PATH_OR_URL`: import the UN sanctions list and screen every
organisation against it (also the daily job, from SANCTIONS_LIST_URL); `flask screening run`:
screen every organisation against the list in force."""

from __future__ import annotations

import logging

import click
from flask.cli import AppGroup

from app.accounts.models import User
from app.platform.extensions import db
from app.screening.services.list_import import (
    ImportRefused,
    ImportResult,
    import_list,
    read_source,
    tell_refused_import,
)
from app.screening.services.matching import screen_all_organisations, tell_deciders

logger = logging.getLogger(__name__)

screening_cli = AppGroup("screening", help="Sanctions screening: import the list, screen again.")


def run_import(source: str, *, actor: User | None) -> ImportResult | None:
    """Import ``source`` in one transaction; None when it was refused, which is rolled back
    whole (the list in force stays) and told to the administrators in a second transaction."""
    try:
        result = import_list(actor=actor, data=read_source(source), source=source)
        db.session.commit()
    except ImportRefused as refused:
        db.session.rollback()
        tell_refused_import(source=source, reason=refused.message)
        db.session.commit()
        return None
    except Exception:
        db.session.rollback()
        raise
    if result.version is None:
        logger.info("sanctions list from %s unchanged", source)
    else:
        logger.info(
            "sanctions list from %s imported: %s entries, %s possible matches",
            source,
            result.version.entry_count,
            len(result.hits),
        )
    return result


@screening_cli.command("import")
@click.argument("source")
def import_command(source: str) -> None:
    """Import the UN Security Council Consolidated List (XML) from a file or an http(s) URL."""
    result = run_import(source, actor=None)
    if result is None:
        raise click.ClickException(
            "The list was refused (see the log); the list in force is kept and the "
            "administrators were told."
        )
    if result.version is None:
        click.echo("The list is the same as the one in force: nothing changed.")
        return
    click.echo(
        f"Imported {result.version.entry_count} entries ({result.added} new, {result.changed} "
        f"changed, {result.removed} removed; SHA-256 {result.version.sha256}); "
        f"{len(result.hits)} possible match(es) to decide."
    )


@screening_cli.command("run")
def run_command() -> None:
    """Screen every organisation against the list in force (after the threshold changed)."""
    hits = screen_all_organisations()
    db.session.flush()
    tell_deciders(hits)
    db.session.commit()
    click.echo(f"{len(hits)} new possible match(es) to decide.")
