"""Flask CLI commands: demo data and user administration. Each command commits once."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.demo import DEMO_PASSWORD, DEMO_USERS, demo_email, load_demo
from app.domain.accounts import services as accounts
from app.domain.accounts.models import Role, User
from app.domain.errors import DomainError
from app.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


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
    load_demo()
    db.session.commit()
    if scale != "demo":
        _generate_scale(scale)
    if not quiet:
        click.echo(f"Demo logins (password: {DEMO_PASSWORD}):")
        for login, (name, roles) in DEMO_USERS.items():
            click.echo(f"  {demo_email(login):<26} {', '.join(r.value for r in roles):<14} {name}")


def _generate_scale(name: str) -> None:
    from app.demo_scale import SCALES, ScaleRefused, generate_fund, units_of_work

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


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice([r.value for r in Role]),
    help="Repeat for several roles.",
)
@click.password_option(help="At least 12 characters.")
def create_user(email: str, full_name: str, roles: tuple[str, ...], password: str) -> None:
    """Create a confirmed account, for example the first administrator."""
    try:
        user = accounts.create_account_from_console(
            email=email, full_name=full_name, password=password, roles=[Role(r) for r in roles]
        )
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created {user.email} with roles: {', '.join(sorted(roles)) or 'none'}")


@users_cli.command("list")
def list_users() -> None:
    """List accounts with their roles."""
    for user in db.session.execute(db.select(User).order_by(User.email)).scalars():
        state = "active" if user.is_active else "deactivated"
        click.echo(f"{user.email:<32} {state:<12} {', '.join(sorted(user.roles))}")


ledger_cli = AppGroup("ledger", help="Seal and verify the ledger.")


@ledger_cli.command("seal")
def ledger_seal() -> None:
    """Write a checkpoint: a hash chain over the transfers since the last one."""
    from app.domain.ledger.verify import seal_ledger

    checkpoint = seal_ledger(actor=None)
    db.session.commit()
    if checkpoint is None:
        click.echo("Nothing to seal: no transfer since the last checkpoint.")
        return
    click.echo(
        f"Sealed {checkpoint.transfer_count} transfer(s), sequence "
        f"{checkpoint.first_sequence}-{checkpoint.last_sequence}: {checkpoint.hash}"
    )


@ledger_cli.command("verify")
def ledger_verify() -> None:
    """Recompute every checkpoint and every account's totals; exit 1 on any difference."""
    from app.domain.ledger.verify import verify_ledger

    report = verify_ledger()
    if not report.ok:
        click.echo(f"Ledger verification FAILED: {report.problems[0]}", err=True)
        for problem in report.problems[1:20]:
            click.echo(f"  also: {problem}", err=True)
        raise SystemExit(1)
    click.echo(
        f"Ledger consistent: {report.transfers} transfer(s), {report.accounts} account(s), "
        f"{report.checkpoints} checkpoint(s) covering {report.sealed_transfers} transfer(s); "
        f"posted debits = posted credits = {report.total_debits}."
    )


def register_cli(app: Flask) -> None:
    from app.cli_reports import reports_cli
    from app.cli_reviews import reviews_cli

    app.cli.add_command(reviews_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(ledger_cli)
