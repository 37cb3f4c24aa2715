"""The request id goes with the work a request leaves behind: the outbox message it wrote
carries it, and the sender's log line about that message carries it too."""

from __future__ import annotations

import json
from ipaddress import ip_network

from sqlalchemy import select

from app.outbox.models import OutboxMessage
from app.outbox.sending import send_due
from app.platform.extensions import db
from app.platform.logging import RequestIds
from tests.factories import UserFactory

PROXY_ID = "proxy-5f0c2d9e7a41b3"


def test_a_requests_id_is_kept_on_its_e_mail_and_logged_when_the_e_mail_is_sent(
    app, client, monkeypatch, capsys
):
    layer = app.wsgi_app
    assert isinstance(layer, RequestIds)
    # The test client stands in for a trusted proxy that names its requests.
    monkeypatch.setattr(layer, "networks", [ip_network("127.0.0.0/8")])
    UserFactory(email="grace@example.org")
    db.session.commit()

    response = client.post(
        "/reset", data={"email": "grace@example.org"}, headers={"X-Request-ID": PROXY_ID}
    )
    assert response.headers["X-Request-ID"] == PROXY_ID
    message = db.session.execute(select(OutboxMessage)).scalar_one()
    assert message.request_id == PROXY_ID

    capsys.readouterr()
    assert send_due().sent == 1
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line[:1] == "{"]
    sent = [line for line in lines if line["message"] == f"E-mail {message.id} sent (attempt 1)"]
    assert sent and sent[0]["request_id"] == PROXY_ID
