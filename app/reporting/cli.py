"""`flask reports ...`: report files from the command line (for scheduled publication)."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

import click
from flask.cli import AppGroup

reports_cli = AppGroup("reports", help="Reports and open-data files.")


@reports_cli.command("iati")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to this file instead of standard output.",
)
def iati(output: str | None) -> None:
    """The fund's grants and their transactions as IATI 2.03 activity XML."""
    from app.reporting.iati import iati_activities
    from app.reporting.web.iati import publisher

    chunks = iati_activities(publisher())
    if output is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        return
    _write_whole(Path(output), chunks)
    click.echo(f"IATI activities written to {output}.", err=True)


def _write_whole(path: Path, chunks: Iterable[str]) -> None:
    """Write to a temporary file beside ``path`` and put it in place only once complete: a
    scheduled publication never leaves half a file where the last good one was."""
    partial: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
        ) as target:
            partial = Path(target.name)
            for chunk in chunks:
                target.write(chunk)
        os.replace(partial, path)
    except OSError as error:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise click.ClickException(f"Cannot write {path}: {error.strerror or error}") from error


iati_cli = AppGroup("iati", help="The published IATI files.")


@iati_cli.command("publish")
@click.option(
    "--force", is_flag=True, help="Make both files again even if their data did not change."
)
def publish_command(force: bool) -> None:
    """Make and store the IATI activity and organisation files served at /open-data/, if the
    data they are made from changed since they were last made (as the periodic tick does)."""
    from app.reporting.publication import publish
    from app.reporting.web.iati import publisher

    made = publish(publisher(), force=force)
    if made:
        click.echo(f"Published: {', '.join(made)}.")
    else:
        click.echo("Nothing changed since the files were last published.")
