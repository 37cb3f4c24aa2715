"""Every form post needs its CSRF token."""

from __future__ import annotations

from tests.factories import PASSWORD, user_with


def test_form_post_without_token_is_rejected(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = user_with()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert b"Your form expired or was sent from elsewhere" in response.data
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_form_post_with_token_is_accepted(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = user_with()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
