"""Backups: the database and the uploaded documents, in one folder named by its date and time;
and putting such a folder back into an empty database and an empty uploads folder.

PostgreSQL is dumped by ``pg_dump`` in its custom format (compressed, restored by
``pg_restore``), a consistent snapshot taken while the site runs. SQLite (development) is copied
with SQLite's own online backup. Uploads in a local folder are archived as ``uploads.tar.gz``;
uploads in an S3 bucket are not copied (the bucket's versioning or replication keeps them): the
folder says so in ``uploads-in-s3.txt``.

Restoring refuses a database that has tables, and an uploads folder that has files: a restore
never mixes a backup with what is there.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

MANIFEST = "backup.json"
POSTGRES_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
UPLOADS_ARCHIVE = "uploads.tar.gz"
UPLOADS_IN_S3 = "uploads-in-s3.txt"


class BackupFailed(RuntimeError):
    """A backup or restore could not be made; the text says why and what to do."""


@dataclass(frozen=True)
class Backup:
    folder: Path
    database: Path
    uploads: Path | None  # None when the uploads are in a bucket


def make_backup(*, database_url: str, upload_storage: str, into: Path, now: datetime) -> Backup:
    """Write a backup into a new folder under ``into``, named after ``now`` (UTC)."""
    folder = into / now.strftime("%Y-%m-%dT%H%M%SZ")
    try:
        folder.mkdir(parents=True)
    except FileExistsError:
        raise BackupFailed(f"{folder} exists already: one backup per second at most.") from None
    url = sa.make_url(database_url)
    if url.get_backend_name() == "postgresql":
        database = folder / POSTGRES_DUMP
        _run_client(
            "pg_dump",
            ["--format=custom", "--no-owner", "--no-privileges", f"--file={database}"],
            url,
        )
    elif url.get_backend_name() == "sqlite" and url.database:
        database = folder / SQLITE_COPY
        _copy_sqlite(Path(url.database), database)
    else:
        raise BackupFailed(f"Cannot back up a {url.get_backend_name()} database.")

    uploads: Path | None
    if upload_storage.startswith("s3://"):
        uploads = None
        (folder / UPLOADS_IN_S3).write_text(
            f"The uploaded documents are in {upload_storage}, not in this folder. Keep them with "
            "the bucket's versioning or replication, or copy the bucket beside this folder "
            f"(e.g. `aws s3 sync {upload_storage} uploads/`).\n"
        )
    else:
        uploads = folder / UPLOADS_ARCHIVE
        with tarfile.open(uploads, "w:gz") as archive:
            source = Path(upload_storage)
            if source.is_dir():
                archive.add(source, arcname="uploads")
    (folder / MANIFEST).write_text(
        json.dumps(
            {
                "made_at": now.isoformat(),
                "database": database.name,
                "uploads": uploads.name if uploads else upload_storage,
            },
            indent=2,
        )
        + "\n"
    )
    return Backup(folder=folder, database=database, uploads=uploads)


def restore_backup(*, folder: Path, database_url: str, upload_storage: str) -> None:
    """Put the backup in ``folder`` into the (empty) database and the (empty) uploads folder."""
    if not (folder / MANIFEST).is_file():
        raise BackupFailed(f"{folder} is not a backup folder (it has no {MANIFEST}).")
    url = sa.make_url(database_url)
    uploads = folder / UPLOADS_ARCHIVE
    target = Path(upload_storage)
    restore_uploads = uploads.is_file() and not upload_storage.startswith("s3://")
    if restore_uploads and target.is_dir() and any(target.iterdir()):
        raise BackupFailed(f"The uploads folder {target} is not empty: restore into an empty one.")

    if url.get_backend_name() == "postgresql":
        _require_empty_database(url)
        _run_client(
            "pg_restore",
            ["--no-owner", "--no-privileges", "--exit-on-error", str(folder / POSTGRES_DUMP)],
            url,
        )
    elif url.get_backend_name() == "sqlite" and url.database:
        destination = Path(url.database)
        if destination.exists() and destination.stat().st_size:
            raise BackupFailed(f"{destination} exists: restore into a new database file.")
        shutil.copyfile(folder / SQLITE_COPY, destination)
    else:
        raise BackupFailed(f"Cannot restore into a {url.get_backend_name()} database.")

    if restore_uploads:
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(uploads, "r:gz") as archive:
            for member in archive.getmembers():
                # Everything under uploads/ goes into the uploads folder itself.
                parts = Path(member.name).parts
                if len(parts) < 2 or parts[0] != "uploads":
                    continue
                member.name = str(Path(*parts[1:]))
                archive.extract(member, target, filter="data")


def _require_empty_database(url: sa.URL) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            tables = connection.execute(
                sa.text(
                    "SELECT count(*) FROM information_schema.tables "
                    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    if tables:
        raise BackupFailed(
            f"The database {url.database} has {tables} table(s): restore into a new, empty "
            f"database (createdb), then point DATABASE_URL at it."
        )


def _run_client(program: str, arguments: list[str], url: sa.URL) -> None:
    """Run pg_dump or pg_restore on ``url``; the password goes in the environment, where other
    users of the machine cannot read it (they can read command lines)."""
    path = shutil.which(program)
    if path is None:
        raise BackupFailed(
            f"{program} is not installed: install PostgreSQL's client programs (Debian: "
            "postgresql-client), of the server's major version or newer."
        )
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    libpq_url = url.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False
    )
    done = subprocess.run(  # noqa: S603 - a fixed program and arguments, no shell
        [path, *arguments, f"--dbname={libpq_url}"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupFailed(f"{program} failed: {done.stderr.strip() or done.returncode}")


def _copy_sqlite(source: Path, destination: Path) -> None:
    """SQLite's online backup: a consistent copy even while the app writes."""
    if not source.is_file():
        raise BackupFailed(f"The database file {source} does not exist.")
    with sqlite3.connect(source) as reading, sqlite3.connect(destination) as writing:
        reading.backup(writing)
    reading.close()
    writing.close()
