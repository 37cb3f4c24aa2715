"""Who may read the ledger: finance, fund managers and auditors; nobody changes it here."""

from __future__ import annotations

import pytest
from flask import Flask

from app.accounts.models import Role
from tests.factories import user_with
from tests.web.ledger.helpers import gift, new_grant


def ledger_urls(app: Flask) -> list[str]:
    grant = new_grant()
    result = gift(1_000)
    samples = {"account_id": str(grant.id), "transfer_id": str(result.id)}
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("ledger."):
            urls.append(rule.build({name: samples[name] for name in rule.arguments})[1])
    return sorted(urls)


def test_every_ledger_page_only_reads(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("ledger."):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


@pytest.mark.parametrize("role", [Role.FINANCE, Role.FUND_MANAGER, Role.AUDITOR])
def test_finance_fund_managers_and_auditors_may_read_every_page(app, client, sign_in, role):
    sign_in(user_with(role))
    for url in ledger_urls(app):
        assert client.get(url, buffered=True).status_code == 200, url


@pytest.mark.parametrize("role", [Role.DONOR, Role.APPLICANT, Role.ADMIN, Role.REVIEWER])
def test_other_roles_are_refused(app, client, sign_in, role):
    sign_in(user_with(role))
    for url in ledger_urls(app):
        assert client.get(url).status_code == 403, url
    home = client.get("/").get_data(as_text=True)
    assert 'href="/ledger/"' not in home


def test_anonymous_visitors_are_sent_to_sign_in(app, client):
    for url in ledger_urls(app):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.location


def test_the_menu_offers_the_ledger_to_those_who_may_read_it(client, sign_in):
    sign_in(user_with(Role.AUDITOR))
    assert 'href="/ledger/"' in client.get("/").get_data(as_text=True)
