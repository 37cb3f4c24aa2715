"""Mail you can see in development: without MAIL_SERVER, every e-mail is printed on the console
and kept at /dev/mail, where a new account clicks its confirmation link."""

from __future__ import annotations

import re

import pytest

from app.outbox.sending import send_due
from app.platform.extensions import db
from tests.web.auth.helpers import is_signed_in, submit_login
from tests.web.auth.test_registration import NEW_PASSWORD, register


@pytest.fixture
def development(app, monkeypatch, tmp_path):
    """The app as `make run` serves it: development settings, no mail server."""
    monkeypatch.setitem(app.config, "APP_ENV", "development")
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "DEV_MAIL_DIR", str(tmp_path / "dev-mail"))


def test_a_new_ngo_confirms_its_address_from_the_development_mailbox(client, development, capsys):
    response = register(client, email="amina@example.org", account_type="applicant")
    assert b"development mailbox" in response.data
    assert send_due().sent == 1  # the worker `make run` starts

    printed = capsys.readouterr().err
    assert "To: amina@example.org" in printed
    assert "Subject: Confirm your e-mail address" in printed
    assert "http://localhost/confirm/" in printed

    page = client.get("/dev/mail/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "amina@example.org" in html
    assert "Confirm your e-mail address" in html
    [link] = re.findall(r'<a href="http://localhost(/confirm/[^"]+)"', html)
    assert link in printed

    confirmed = client.get(link, follow_redirects=True)
    assert b"your e-mail address is confirmed" in confirmed.data
    db.session.expire_all()
    submit_login(client, "amina@example.org", NEW_PASSWORD)
    assert is_signed_in(client)


def test_the_mailbox_lists_the_newest_first(client, development):
    register(client, email="first@example.org")
    register(client, email="second@example.org")
    send_due()

    html = client.get("/dev/mail/").get_data(as_text=True)
    assert html.index("second@example.org") < html.index("first@example.org")


def test_there_is_no_mailbox_outside_development(app, client):
    assert app.config["APP_ENV"] == "testing"
    assert client.get("/dev/mail/").status_code == 404


def test_there_is_no_mailbox_when_a_mail_server_is_set(client, development, mailbox):
    register(client, email="amina@example.org")

    assert client.get("/dev/mail/").status_code == 404
    assert mailbox.last("amina@example.org")["Subject"] == "Confirm your e-mail address"
