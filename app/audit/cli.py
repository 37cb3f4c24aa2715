"""``flask audit seal`` and ``flask audit verify``: the audit log's hash chain (app/audit/chain.py).
The seal is also a daily job (app/tasks.py, with the ledger's)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.audit.chain import SealPostponed, seal_audit_log, verify_audit_log
from app.audit.web.seal_mail import email_audit_seal_to_auditors
from app.platform.extensions import db
from app.platform.hashchain import NoHeadGiven, heads_given

audit_cli = AppGroup("audit", help="Seal and verify the audit log.")


@audit_cli.command("seal")
def audit_seal() -> None:
    """Write a seal: a hash chain over the audit events since the last one; e-mail its head to
    the auditors."""
    try:
        checkpoint = seal_audit_log(actor=None)
    except SealPostponed as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    auditors = 0 if checkpoint is None else email_audit_seal_to_auditors(checkpoint)
    db.session.commit()
    if checkpoint is None:
        click.echo("Nothing to seal: no audit event since the last seal.")
        return
    click.echo(
        f"Sealed {checkpoint.event_count} audit event(s), numbers "
        f"{checkpoint.first_event_id}-{checkpoint.last_event_id}: {checkpoint.hash} "
        f"(e-mailed to {auditors} auditor(s))"
    )


@audit_cli.command("verify")
@click.option(
    "--against",
    "published",
    multiple=True,
    metavar="HEAD_OR_FILE",
    help="An audit log seal head kept outside the database (its 64-character hash), or a file "
    "holding heads (the saved transparency API answer, whose audit_log_seals are read; an "
    "auditor's e-mail); repeatable. The chain recomputed from the events must pass through "
    "every one.",
)
def audit_verify(published: tuple[str, ...]) -> None:
    """Recompute every seal of the audit log from its events; exit 1 on any difference."""
    try:
        heads = heads_given(published, section="audit_log_seals")
    except NoHeadGiven as error:
        raise click.BadParameter(
            f"{error.value!r} is neither a 64-character seal head nor a file holding one.",
            param_hint="--against",
        ) from None
    report = verify_audit_log(against=heads)
    if not report.ok:
        click.echo(f"Audit log verification FAILED: {report.problems[0]}", err=True)
        for problem in report.problems[1:20]:
            click.echo(f"  also: {problem}", err=True)
        raise SystemExit(1)
    click.echo(
        f"Audit log intact: {report.checkpoints} seal(s) covering {report.sealed_events} "
        f"event(s); {report.unsealed_events} event(s) written since the last seal."
    )
    if heads:
        click.echo(f"The audit events lead to all {report.heads_reached} published head(s) given.")
