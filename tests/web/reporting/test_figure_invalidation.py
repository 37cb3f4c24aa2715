"""What clears the reporting figures and the public page's remembered data version, and what
does not (app/reporting/web/cache.py).

An NGO saving a draft or attaching a document changes no reported figure: the figures kept in
each process and the data version the public page trusts for a second stay as they are. A
commit that audited anything else (money posted, a state changed, an action nobody listed)
clears them.
"""

from __future__ import annotations

import io
import re
import uuid

import pytest

from app.audit.services import record_event
from app.ledger import chart
from app.ledger.models import TransferCode
from app.ledger.rules import TransferSpec
from app.ledger.services.posting import post_transfers, require_accepted
from app.platform.extensions import db
from app.reporting.web import cache
from tests.applications_support import PDF, applicant_of, started_application


@pytest.fixture
def caching(app):
    app.config["REPORTING_CACHE_SECONDS"] = 60
    cache.clear()
    yield
    cache.clear()
    app.config["REPORTING_CACHE_SECONDS"] = 0


def _counting_figure():
    computed: list[int] = []

    def figure() -> int:
        computed.append(1)
        return len(computed)

    return figure


def _remembered() -> bool:
    """Whether this process still trusts the public data version it last read."""
    return cache._public_version is not None


def _audit(action: str) -> None:
    record_event(actor=None, action=action, summary="test", subject_type="test")


def test_an_ngo_saving_a_draft_and_attaching_a_document_keeps_every_figure(
    client, sign_in, caching
):
    application = started_application()
    writer = applicant_of(application.organisation)
    db.session.commit()  # the draft exists before the figures are read
    figure = _counting_figure()
    assert cache.cached("figure", figure) == 1
    cache.public_data_version()
    assert _remembered()

    sign_in(writer)
    path = f"/applications/{application.id}/sections/summary"
    version = re.search(r'name="version" type="hidden" value="(\d+)"', client.get(path).text)
    assert version
    saved = client.post(
        path,
        data={
            "version": version.group(1),
            "title": "Shelter for survivors",
            "summary": "We run a shelter.",
            "language": "en",
            "duration_months": "6",
        },
    )
    assert saved.status_code == 302, saved.text
    attached = client.post(
        f"/applications/{application.id}/attachments",
        data={"kind": "proposal", "file": (io.BytesIO(PDF), "proposal.pdf")},
        content_type="multipart/form-data",
    )
    assert attached.status_code == 302, attached.text

    assert _remembered(), "a draft's commit made the public page read the version again"
    assert cache.cached("figure", figure) == 1, "a draft's commit made a figure be computed again"


@pytest.mark.parametrize(
    "action",
    ["application.section_saved", "document.uploaded", "document.removed", "user.login"],
)
def test_a_figure_neutral_commit_keeps_the_public_version(app, caching, action):
    cache.public_data_version()
    _audit(action)
    db.session.commit()
    assert _remembered()


def test_any_other_audited_commit_forgets_the_public_version(app, caching):
    cache.public_data_version()
    _audit("application.section_saved")
    _audit("an.action.never.listed")  # a new kind of event counts as a change
    db.session.commit()
    assert not _remembered()


def test_money_posted_forgets_the_public_version(app, caching):
    """A posting's audit event is written by the posting statement on PostgreSQL, not by the
    unit of work: it is still seen, as the audit service makes it."""
    cache.public_data_version()
    gift = TransferSpec(
        id=uuid.uuid4(),
        code=TransferCode.GIFT,
        amount=1_000_00,
        debit_account_id=chart.account_by_key(chart.CASH_STRIPE).id,
        credit_account_id=chart.account_by_key(chart.FUND_AVAILABLE).id,
    )
    require_accepted(post_transfers([gift], actor=None))
    db.session.commit()
    assert not _remembered()


def test_a_change_rolled_back_counts_once_at_most(app, caching):
    """The actions are those audited since the last commit: one rolled back makes the next
    commit forget the version (one more read of it, never a stale figure); the one after keeps
    it."""
    cache.public_data_version()
    _audit("grant.awarded")
    db.session.rollback()
    _audit("application.section_saved")
    db.session.commit()
    cache.public_data_version()
    _audit("application.section_saved")
    db.session.commit()
    assert _remembered()


def test_a_savepoint_rolled_back_keeps_the_change_made_before_it(app, caching):
    cache.public_data_version()
    _audit("grant.awarded")
    savepoint = db.session.begin_nested()
    _audit("application.section_saved")
    savepoint.rollback()
    db.session.commit()
    assert not _remembered()


def test_a_figure_is_computed_again_after_a_change_but_not_after_a_document(app, caching):
    figure = _counting_figure()
    assert cache.cached("figures", figure) == 1
    _audit("document.uploaded")
    db.session.flush()
    assert cache.cached("figures", figure) == 1
    _audit("pledge.confirmed")
    db.session.flush()
    assert cache.cached("figures", figure) == 2
