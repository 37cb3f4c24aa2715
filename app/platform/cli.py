"""`flask backup`: the database and the uploads into a dated folder; `flask restore FOLDER`: such a
folder into an empty database and uploads folder (README, Operations)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.platform.backup import BackupFailed, make_backup, restore_backup
from app.platform.db import utcnow


@click.command("backup")
@click.option(
    "--to",
    "into",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The folder that receives the dated backup folder (default: BACKUP_DIR).",
)
@with_appcontext
def backup_command(into: Path | None) -> None:
    """Back up the database (pg_dump, custom format) and the uploaded documents."""
    config = current_app.config
    try:
        made = make_backup(
            database_url=str(config["SQLALCHEMY_DATABASE_URI"]),
            upload_storage=str(config["UPLOAD_STORAGE"]),
            into=into or Path(str(config["BACKUP_DIR"])),
            now=utcnow(),
        )
    except BackupFailed as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {made.folder}")
    click.echo(f"  database: {made.database.name}")
    if made.uploads is None:
        click.echo(f"  uploads: not copied, they are in {config['UPLOAD_STORAGE']} (see the note)")
    else:
        click.echo(f"  uploads: {made.uploads.name}")


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def restore_command(folder: Path) -> None:
    """Restore a backup FOLDER into the configured database, which must be new and empty, and
    into the uploads folder, which must be empty; then run `flask db upgrade` and
    `flask ledger verify`."""
    config = current_app.config
    try:
        restore_backup(
            folder=folder,
            database_url=str(config["SQLALCHEMY_DATABASE_URI"]),
            upload_storage=str(config["UPLOAD_STORAGE"]),
        )
    except BackupFailed as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {folder}. Next: flask db upgrade, then flask ledger verify.")
