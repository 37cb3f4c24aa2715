"""``flask donations localstripe``: the fake Stripe server for ``make run`` (when installed)."""

from __future__ import annotations

import importlib.util
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

# Published test credentials for the local fake only; localstripe accepts any sk_/pk_ key.
LOCAL_SECRET_KEY = "sk_test_localstripe"  # noqa: S105
LOCAL_PUBLISHABLE_KEY = "pk_test_localstripe"
LOCAL_WEBHOOK_SECRET = "whsec_localstripe"  # noqa: S105

donations_cli = AppGroup(
    "donations",
    help=(
        "Donations: warnings of restricted money ending soon; the gifts' running totals; "
        "the fake Stripe server."
    ),
)


@donations_cli.command("warn-expiring")
def warn_expiring() -> None:
    """Warn finance of restricted money still unspent whose period ends within 6 months, then
    within 1 month (once per threshold; safe to run twice)."""
    from app.donations.services.restriction_warnings import warn_expiring_restrictions
    from app.platform.extensions import db

    given = warn_expiring_restrictions()
    db.session.commit()  # the e-mails are written to the outbox in this commit
    click.echo(f"{given} warning(s) given.")


@donations_cli.command("compact-totals")
def compact_totals() -> None:
    """Sum the running totals (the gifts', and what donors gave per donor and year) into one
    row per key (the beat does it every minute; ``make run``'s outbox loop too). Safe at any
    time, beside any writer."""
    from app.donations.reports.gift_totals import compact_gift_totals, compact_received_totals
    from app.platform.extensions import db

    gifts = compact_gift_totals()
    received = compact_received_totals()
    db.session.commit()
    click.echo(f"{gifts} row(s) of gift totals, {received} of received totals.")


def _answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/js.stripe.com/v3/", timeout=2) as response:  # noqa: S310
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@donations_cli.command("localstripe")
@click.option("--port", default=8420, show_default=True, help="Port for localstripe.")
@click.option("--webhook-url", required=True, help="Where localstripe posts its webhooks.")
def localstripe_command(port: int, webhook_url: str) -> None:
    """Start localstripe in the background and print the Stripe settings to use (as `export`
    lines for the shell). Prints nothing when real Stripe settings are configured or when
    localstripe is not installed: the Give page then offers pledges and bank transfers only."""
    if current_app.config.get("STRIPE_SECRET_KEY"):
        click.echo("Stripe settings found in the environment: localstripe not started.", err=True)
        return
    if importlib.util.find_spec("localstripe") is None:
        click.echo(
            "localstripe is not installed: card gifts are off (pip install -e '.[demo]').",
            err=True,
        )
        return
    base = f"http://localhost:{port}"
    started = None
    if not _answers(base):
        log = Path(current_app.instance_path) / "localstripe.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            started = subprocess.Popen(  # noqa: S603 - our interpreter, a fixed module
                [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C on `make run` must not kill it mid-request
            )
        deadline = time.monotonic() + 20
        while not _answers(base):
            if started.poll() is not None or time.monotonic() > deadline:
                raise click.ClickException(f"localstripe did not start; see {log}")
            time.sleep(0.2)
    data = urllib.parse.urlencode({"url": webhook_url, "secret": LOCAL_WEBHOOK_SECRET}).encode()
    request = urllib.request.Request(f"{base}/_config/webhooks/make-run", data=data)  # noqa: S310
    with urllib.request.urlopen(request, timeout=5):  # noqa: S310
        pass
    settings = {
        "STRIPE_API_BASE": base,
        "STRIPE_SECRET_KEY": LOCAL_SECRET_KEY,
        "STRIPE_PUBLISHABLE_KEY": LOCAL_PUBLISHABLE_KEY,
        "STRIPE_WEBHOOK_SECRET": LOCAL_WEBHOOK_SECRET,
    }
    if started is not None:
        settings["LOCALSTRIPE_PID"] = str(started.pid)
    for name, value in settings.items():
        click.echo(f"export {name}={shlex.quote(value)}")
    click.echo(f"localstripe at {base}: card gifts on (test card 4242 4242 4242 4242).", err=True)
