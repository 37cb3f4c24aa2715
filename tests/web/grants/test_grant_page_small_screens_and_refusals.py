"""The grant page as the grantee reads it on a phone and in French: the tranche and report tables
stack into one card per row (each value under its column's name) instead of squeezing columns
until a status wraps letter by letter, and a tranche's reason to wait names the report, its due
date and its status in French, not in English, ISO and a status code."""

from __future__ import annotations

import re

from flask_babel import force_locale, format_date

from app.platform.extensions import db
from tests.grants_support import USD, active_grant, fund, officers, pay, signatory


def test_the_ngo_reads_its_grant_on_a_phone_in_french(app, client, sign_in):
    fund(500_000 * USD)
    grant = active_grant()
    pay(grant.tranches[0], officers())
    ngo = signatory(grant)
    ngo.locale = "fr"
    db.session.flush()
    sign_in(ngo)
    page = client.get(f"/grants/{grant.id}").get_data(as_text=True)
    stacked = re.findall(r'<table class="[^"]*table-stack[^"]*">\s*<caption[^>]*>([^<]*)', page)
    assert len(stacked) >= 2  # the tranches and the reports
    assert 'data-label="Statut"' in page or 'data-label="Status"' in page
    report = grant.reports[0]
    with app.test_request_context(), force_locale("fr"):
        due = format_date(report.due_date, "medium")
    assert f"Rapport d'étape 1 (à remettre le {due})" in page.replace("&#39;", "'")
    assert "Progress report 1" not in page
    assert "« due »" not in page and report.due_date.isoformat() not in page
