"""The public home page, the health check contract and security headers."""

from __future__ import annotations

from unittest import mock

import sqlalchemy as sa


def test_home_page_explains_the_fund(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"victims of trafficking" in response.data


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_down(client):
    with mock.patch(
        "app.web.main.routes.db.session.execute",
        side_effect=sa.exc.OperationalError("SELECT 1", {}, Exception("down")),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_pages_carry_security_headers(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_no_asset_comes_from_a_cdn(client):
    page = client.get("/").get_data(as_text=True)
    assert "https://" not in page.split("<body")[0]
    assert "/static/vendor/bootstrap/bootstrap.used.min.css?v=" in page


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"We could not find that page" in response.data
