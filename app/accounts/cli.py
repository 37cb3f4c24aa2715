"""Flask CLI commands: user administration and the ledger. Each command commits once."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.accounts import services as accounts
from app.accounts.models import Role, User
from app.platform.errors import DomainError
from app.platform.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


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


@users_cli.command("purge-unconfirmed")
def purge_unconfirmed() -> None:
    """Remove the accounts never confirmed after UNCONFIRMED_ACCOUNT_DAYS days (a daily job)."""
    from app.privacy.services.retention import purge_unconfirmed_accounts

    days = int(current_app.config["UNCONFIRMED_ACCOUNT_DAYS"])
    removed = purge_unconfirmed_accounts(older_than_days=days)
    db.session.commit()
    click.echo(f"{removed} account(s) unconfirmed after {days} day(s) removed.")


ledger_cli = AppGroup("ledger", help="Seal and verify the ledger.")


@ledger_cli.command("seal")
def ledger_seal() -> None:
    """Write a checkpoint: a hash chain over the transfers since the last one."""
    from app.ledger.verify import seal_ledger
    from app.ledger.web.seal_mail import email_seal_to_auditors

    checkpoint = seal_ledger(actor=None)
    auditors = 0 if checkpoint is None else email_seal_to_auditors(checkpoint)
    db.session.commit()
    if checkpoint is None:
        click.echo("Nothing to seal: no transfer since the last checkpoint.")
        return
    click.echo(
        f"Sealed {checkpoint.transfer_count} transfer(s), sequence "
        f"{checkpoint.first_sequence}-{checkpoint.last_sequence}: {checkpoint.hash} "
        f"(e-mailed to {auditors} auditor(s))"
    )


@ledger_cli.command("verify")
@click.option(
    "--against",
    "published",
    multiple=True,
    metavar="HEAD_OR_FILE",
    help="A seal head kept outside the database (its 64-character hash), or a file holding "
    "heads (the saved transparency API answer, whose ledger_seals are read; an auditor's "
    "e-mail); repeatable. The chain recomputed from the transfers must pass through every one.",
)
def ledger_verify(published: tuple[str, ...]) -> None:
    """Recompute every checkpoint and every account's totals; exit 1 on any difference."""
    from app.ledger.verify import verify_ledger
    from app.platform.hashchain import NoHeadGiven, heads_given

    try:
        heads = heads_given(published, section="ledger_seals")
    except NoHeadGiven as error:
        raise click.BadParameter(
            f"{error.value!r} is neither a 64-character seal head nor a file holding one.",
            param_hint="--against",
        ) from None
    report = verify_ledger(against=heads)
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
    if heads:
        click.echo(f"The transfers lead to all {report.heads_reached} published head(s) given.")
