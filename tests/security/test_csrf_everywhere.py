"""Every route that changes something refuses a request without the form's CSRF token, for a
signed-in person too, and nothing is changed; the Stripe webhook alone is exempt (it is
authenticated by Stripe's signature on the body instead, tests/web/donations/test_webhooks.py).
The JSON API takes no form token because it never acts on the session cookie: a signed-in
browser's request to it without a Bearer token (or the OAuth client's credentials) is refused
as unauthenticated, which is what the form token would have guarded.

Sign-in without a token: tests/web/test_csrf.py."""

from __future__ import annotations

import io

import pytest

from app.accounts.models import Role
from app.applications import services as applications
from app.platform.extensions import db
from tests.applications_support import PDF, applicant_of, started_application
from tests.factories import user_with
from tests.web.test_permission_matrix import _routes

REFUSED = b"Your form expired or was sent from elsewhere"
EXEMPT = {"donations.stripe_webhook"}
API = "api_v1."


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.FUND_MANAGER])
def test_every_state_changing_route_refuses_a_request_without_its_token(
    app, client, sign_in, csrf_on, role
):
    sign_in(user_with(role))
    unprotected = set()
    api_acting_on_the_session = set()
    for endpoint, url, method in _routes(app):
        if method == "GET" or (endpoint == "auth.logout" and role == Role.FUND_MANAGER):
            continue
        response = client.open(url, method=method, data={"confirmed": "y"})
        if endpoint.startswith(API):
            if response.status_code not in (400, 401):
                api_acting_on_the_session.add(endpoint)
            continue
        if response.status_code != 400 or REFUSED not in response.data:
            unprotected.add(endpoint)
    assert unprotected == EXEMPT
    assert api_acting_on_the_session == set()


def test_a_forged_post_changes_nothing(client, sign_in, csrf_on):
    application = started_application()
    applicant = applicant_of(application.organisation)
    applications.save_section(
        actor=applicant,
        application=application,
        data=applications.SummaryData("Shelter for survivors", "Plan.", "en", 6),
        expected_version=None,
    )
    sign_in(applicant)
    forged = [
        client.post(
            f"/applications/{application.id}/sections/summary",
            data={"title": "Forged", "summary": "x", "language": "en", "duration_months": "6"},
        ),
        client.post(
            f"/applications/{application.id}/attachments",
            data={"kind": "proposal", "file": (io.BytesIO(PDF), "forged.pdf")},
            content_type="multipart/form-data",
        ),
        client.post(f"/applications/{application.id}/withdraw"),
        # A page posting JSON from another site is refused the same way.
        client.post(f"/applications/{application.id}/submit", json={"confirmed": True}),
    ]
    assert [response.status_code for response in forged] == [400] * len(forged)
    db.session.refresh(application)
    assert application.title == "Shelter for survivors"
    assert application.documents == []
    assert application.status == "draft"
