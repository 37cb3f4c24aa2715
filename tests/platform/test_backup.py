"""`flask backup` and `flask restore`: a backup put into a fresh database passes `ledger verify`
there, with the same transfers, and brings the uploaded documents back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.ledger.models import Transfer
from app.ledger.verify import seal_ledger
from app.platform.backup import BackupFailed, make_backup, restore_backup
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.conftest import IN_CI
from tests.donations_support import seed_fund
from tests.real_commits import committed_rows_removed

POSTGRES_CLIENT_MISSING = (
    "pg_dump/pg_restore not installed (Debian: postgresql-client): the backup cannot be tested"
)


def _fresh_database(url: str, name: str) -> str:
    """An empty database beside the test database, made anew."""
    target = sa.make_url(url).set(database=name)
    server = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return target.render_as_string(hide_password=False)


def _drop_database(url: str) -> None:
    target = sa.make_url(url)
    server = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    server.dispose()


@pytest.mark.postgres
@pytest.mark.real_commits
def test_a_backup_restored_into_a_fresh_database_passes_ledger_verify(app, tmp_path):
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        if IN_CI:
            pytest.fail(POSTGRES_CLIENT_MISSING)
        pytest.skip(POSTGRES_CLIENT_MISSING)
    uploads = Path(app.config["UPLOAD_STORAGE"])
    document = uploads / "backup-test" / "proposal.pdf"
    with committed_rows_removed(app):
        seed_fund(12_345_00)
        seal_ledger(actor=None)
        db.session.commit()
        transfers = db.session.execute(sa.select(sa.func.count()).select_from(Transfer)).scalar()
        document.parent.mkdir(parents=True, exist_ok=True)
        document.write_bytes(b"%PDF-1.7 a proposal")
        try:
            made = app.test_cli_runner().invoke(args=["backup", "--to", str(tmp_path / "kept")])
        finally:
            shutil.rmtree(document.parent)
    assert made.exit_code == 0, made.output
    (folder,) = (tmp_path / "kept").iterdir()
    assert (folder / "database.dump").is_file()
    assert json.loads((folder / "backup.json").read_text())["database"] == "database.dump"

    restored_url = _fresh_database(
        app.config["SQLALCHEMY_DATABASE_URI"],
        f"{sa.make_url(app.config['SQLALCHEMY_DATABASE_URI']).database}_restored",
    )
    restored_uploads = tmp_path / "restored-uploads"
    restored = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": restored_url,
            "UPLOAD_STORAGE": str(restored_uploads),
        },
    )
    context = restored.app_context()  # the commands run in the restored app, not the test's
    context.push()
    try:
        runner = restored.test_cli_runner()
        done = runner.invoke(args=["restore", str(folder)])
        assert done.exit_code == 0, done.output
        verified = runner.invoke(args=["ledger", "verify"])
        assert verified.exit_code == 0, verified.output
        assert f"Ledger consistent: {transfers} transfer(s)" in verified.output
        assert "1 checkpoint(s)" in verified.output
        assert (restored_uploads / "backup-test" / "proposal.pdf").read_bytes() == (
            b"%PDF-1.7 a proposal"
        )
        # A second restore would mix two states: refused.
        again = runner.invoke(args=["restore", str(folder)])
        assert again.exit_code != 0
        assert "not empty" in again.output or "table(s)" in again.output
    finally:
        db.session.remove()
        db.engine.dispose()
        context.pop()
        _drop_database(restored_url)


def test_a_sqlite_database_is_copied_and_restored_with_its_uploads(tmp_path):
    source = tmp_path / "live.db"
    with sa.create_engine(f"sqlite:///{source}").begin() as conn:
        conn.execute(sa.text("CREATE TABLE grants (id INTEGER PRIMARY KEY, ref TEXT)"))
        conn.execute(sa.text("INSERT INTO grants (ref) VALUES ('VTF/2026/014')"))
    uploads = tmp_path / "uploads"
    (uploads / "org-1").mkdir(parents=True)
    (uploads / "org-1" / "statutes.pdf").write_bytes(b"statutes")

    made = make_backup(
        database_url=f"sqlite:///{source}",
        upload_storage=str(uploads),
        into=tmp_path / "backups",
        now=utcnow(),
    )
    copy = tmp_path / "restored.db"
    restore_backup(
        folder=made.folder,
        database_url=f"sqlite:///{copy}",
        upload_storage=str(tmp_path / "restored-uploads"),
    )
    with sa.create_engine(f"sqlite:///{copy}").connect() as conn:
        assert conn.execute(sa.text("SELECT ref FROM grants")).scalar() == "VTF/2026/014"
    assert (tmp_path / "restored-uploads" / "org-1" / "statutes.pdf").read_bytes() == b"statutes"
    with pytest.raises(BackupFailed, match="exists"):
        restore_backup(
            folder=made.folder,
            database_url=f"sqlite:///{copy}",
            upload_storage=str(tmp_path / "elsewhere"),
        )


def test_uploads_in_a_bucket_are_named_not_copied(tmp_path):
    source = tmp_path / "live.db"
    sa.create_engine(f"sqlite:///{source}").connect().close()
    made = make_backup(
        database_url=f"sqlite:///{source}",
        upload_storage="s3://trustfund-uploads/documents",
        into=tmp_path,
        now=utcnow(),
    )
    assert made.uploads is None
    note = (made.folder / "uploads-in-s3.txt").read_text()
    assert "s3://trustfund-uploads/documents" in note
