"""The grant agreement's section 7 in the staff's wording: the version in force when the
agreement is sent is part of its fingerprint and stays on it; a later version changes only
agreements sent later."""

from __future__ import annotations

from datetime import timedelta

from app.grants import services as grants
from app.platform.extensions import db
from app.texts import services as texts
from app.texts.models import TextVersion
from tests.grants_support import USD, approved_application, award, fund, manager, signatory

KEY = "agreement.closure"


def test_section_7_uses_the_version_in_force_when_sent(client, sign_in):
    fund(100_000 * USD)
    grant = award(approved_application(amount=10_000 * USD))
    built_in_digest = grants.agreement_digest(grant)
    fm = manager()
    first = texts.save_version(
        actor=fm,
        key=KEY,
        locale="en",
        subject="",
        body="{{ grantee }} returns unspent money to the {{ fund }} for {{ reference }}.",
    )
    # Saved a moment ago (a clock a second behind cannot hide it from the send).
    first.created_at -= timedelta(seconds=1)
    assert grants.agreement_digest(grant) != built_in_digest  # the text is part of the terms
    grants.send_agreement(actor=fm, grant=grant)
    sent_digest = grant.agreement_sha256
    db.session.commit()

    later = texts.save_version(
        actor=fm, key=KEY, locale="en", subject="", body="Other terms for {{ reference }}."
    )
    later.created_at = grant.agreement_sent_at + timedelta(minutes=5)
    db.session.commit()
    # The sent agreement keeps the version it was sent with, and its fingerprint.
    assert grants.agreement_digest(grant) == sent_digest
    assert grants.agreement_terms(grant)["texts"][KEY]["en"][0] == first.id

    sign_in(signatory(grant))
    page = client.get(f"/grants/{grant.id}/agreement").get_data(as_text=True)
    assert "returns unspent money to the" in page and grant.reference in page
    assert "Other terms" not in page
    assert "Money paid but not spent" not in page
    assert db.session.get(TextVersion, later.id).is_active  # in force for the next ones


def test_without_a_staff_version_the_fingerprint_is_unchanged(client, sign_in):
    fund(100_000 * USD)
    grant = award(approved_application(amount=10_000 * USD))
    assert "texts" not in grants.agreement_terms(grant)
    sign_in(signatory(grant))
    page = client.get(f"/grants/{grant.id}/agreement").get_data(as_text=True)
    assert "Money paid but not spent on the project" in page
