"""The mail pages in the browser, with axe: the administrator's outbox (a failed e-mail sent
again) and the development mailbox (a link clicked from it)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.outbox.models import OutboxMessage, OutboxStatus
from app.outbox.sending import send_due
from app.outbox.services import queue_email
from app.platform.db import utcnow
from app.platform.extensions import db
from tests.mail import closed_port


def test_the_administrator_sends_a_failed_e_mail_again(cast, live):
    app = live.app
    saved = {key: app.config[key] for key in ("MAIL_SERVER", "MAIL_PORT", "OUTBOX_MAX_ATTEMPTS")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port(), OUTBOX_MAX_ATTEMPTS=1)
    try:
        with app.app_context():
            queue_email(to="rita@example.org", subject="You are invited", body="b")
            db.session.commit()
            send_due(now=utcnow() + timedelta(seconds=1))
            db.session.remove()
    finally:
        app.config.update(saved)

    admin = cast.sign_in("admin")
    admin.open("/admin/outbox?status=failed")
    admin.step("outbox-failed")
    row = admin.page.get_by_role("row").filter(has_text="rita@example.org")
    row.get_by_role("button", name=admin.t("Send again")).click()
    admin.step("sent-again")

    with app.app_context():
        status = db.session.scalar(
            sa.select(OutboxMessage.status).where(OutboxMessage.recipient == "rita@example.org")
        )
        db.session.remove()
    assert status == OutboxStatus.PENDING


def test_the_development_mailbox_shows_an_e_mail_and_its_link(cast, live, tmp_path):
    app = live.app
    saved = {key: app.config[key] for key in ("APP_ENV", "MAIL_SERVER", "DEV_MAIL_DIR")}
    app.config.update(APP_ENV="development", MAIL_SERVER=None, DEV_MAIL_DIR=str(tmp_path))
    try:
        with app.app_context():
            queue_email(
                to="amina@example.org",
                subject="Confirm your e-mail address",
                body=f"Please open this link:\n{live.url}/login\n",
            )
            db.session.commit()
            send_due()
            db.session.remove()

        visitor = cast.visitor()
        visitor.open("/dev/mail/")
        visitor.step("dev-mailbox")
        visitor.page.get_by_role("link", name=f"{live.url}/login").click()
        visitor.page.wait_for_url("**/login")
        visitor.step("link-followed")
    finally:
        app.config.update(saved)
