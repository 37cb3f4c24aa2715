"""`flask reports ...`: report files from the command line (for scheduled publication)."""

from __future__ import annotations

import sys

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
    from app.domain.reporting.iati import iati_activities
    from app.web.reporting.iati import publisher

    chunks = iati_activities(publisher())
    if output is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        return
    with open(output, "w", encoding="utf-8") as target:
        for chunk in chunks:
            target.write(chunk)
    click.echo(f"IATI activities written to {output}.", err=True)
