"""No redirect leads to another site, whatever "next" or Referer says (open redirect).

After sign-in: tests/web/auth/test_login.py::test_sign_in_never_redirects_to_another_site
(https://, //, /\\, \\\\, tab, look-alike host, javascript:, bare host). Here the other places
that redirect to an address they were given: the language switch and the grant actions started
from a list. All use app.web.forms.is_safe_redirect.
"""

from __future__ import annotations

import pytest

from app.grants.models import TrancheStatus
from app.platform.extensions import db
from tests.grants_support import USD, active_grant, fund, officers

HOSTILE = [
    "//evil.example",
    "/\\evil.example",
    "https://evil.example",
    "\\\\evil.example/phish",
    "/\t/evil.example",
    "http://localhost.evil.example/",
    "javascript:alert(1)",
]


def _stays_here(response, fallback: str) -> None:
    assert response.status_code == 302
    assert "evil" not in response.headers["Location"]
    assert response.headers["Location"] == fallback


@pytest.mark.parametrize("target", HOSTILE)
def test_the_language_switch_never_leaves_the_site(client, target):
    _stays_here(client.post("/language", data={"language": "fr", "next": target}), "/")
    _stays_here(client.post("/language", data={"language": "es"}, headers={"Referer": target}), "/")


def test_the_language_switch_returns_to_the_page_it_came_from(client):
    response = client.post("/language", data={"language": "fr", "next": "/give?x=1"})
    assert response.headers["Location"] == "/give?x=1"


@pytest.mark.parametrize("target", HOSTILE)
def test_a_grant_action_never_returns_to_another_site(client, sign_in, target):
    fund(200_000 * USD)
    tranche = active_grant().tranches[0]
    sign_in(officers().maker)
    response = client.post(f"/grants/tranches/{tranche.id}/request", data={"next": target})
    _stays_here(response, f"/grants/tranches/{tranche.id}")
    db.session.expire_all()
    assert tranche.status == TrancheStatus.REQUESTED  # the action itself went through
