"""``flask demo``: load the demo data, and with ``--scale`` a generated fund on top. Commits once
per step; refused in production, where the demo logins' published password would let anyone in."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app

from app.outbox.models import OutboxMessage
from app.platform.extensions import db
from devtools.seed import load_demo
from devtools.seed.people import DEMO_PASSWORD, DEMO_USERS, demo_email
from devtools.seed.scale import SCALES, ScaleRefused, generate_fund, units_of_work


@click.command("demo")
@click.option("--quiet", is_flag=True, help="Do not print the demo logins.")
@click.option(
    "--scale",
    type=click.Choice(["demo", "small", "large"]),
    default="demo",
    show_default=True,
    help="demo: the hand-written demo. small/large: add a generated fund on top "
    "(large: 100,000 applications, 5,000 grants, 1,000,000 ledger transfers; PostgreSQL only).",
)
def demo_command(quiet: bool, scale: str) -> None:
    """Load the demo data (safe to run again) and print the demo logins."""
    if current_app.config.get("APP_ENV") == "production":
        raise click.ClickException(
            "flask demo is refused in production (APP_ENV=production): "
            "its logins have a published password."
        )
    last_mail = db.session.execute(sa.select(sa.func.max(OutboxMessage.id))).scalar() or 0
    load_demo()
    db.session.commit()
    if scale != "demo":
        _generate_scale(scale)
    # The demo's people are made up: the notices loading it wrote are not for anyone's inbox,
    # and would bury the first real message (a new account's link) on the console.
    db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.id > last_mail))
    db.session.commit()
    if not quiet:
        click.echo(f"Demo logins (password: {DEMO_PASSWORD}):")
        for login, (name, roles) in DEMO_USERS.items():
            click.echo(f"  {demo_email(login):<26} {', '.join(r.value for r in roles):<14} {name}")


def _generate_scale(name: str) -> None:
    scale = SCALES[name]
    try:
        with click.progressbar(
            length=units_of_work(scale), label=f"Generating the {name} fund", file=None
        ) as bar:
            counts = generate_fund(scale, advance=bar.update)
            db.session.commit()
    except ScaleRefused as error:
        db.session.rollback()
        raise click.ClickException(str(error))
    seconds = counts.pop("seconds")
    click.echo(
        f"Generated the {name} fund in {seconds} s: "
        + ", ".join(f"{count:,} {table}" for table, count in sorted(counts.items()))
    )
