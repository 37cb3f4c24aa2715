"""`flask screening copies`: sign every submitted application not yet signed (those submitted
before copied-text detection, or signed by an earlier method) and flag the copies found."""

from __future__ import annotations

import click

from app.copies.services import sign_all


@click.command("copies")
def copies_command() -> None:
    """Sign every submitted application not yet signed and flag the copied proposals found."""

    def progress(done: int, total: int, flags: int) -> None:
        click.echo(f"{done}/{total} applications signed, {flags} copied pair(s) flagged")

    done, flags = sign_all(progress=progress)
    click.echo(f"Done: {done} application(s) signed, {flags} copied pair(s) flagged.")
