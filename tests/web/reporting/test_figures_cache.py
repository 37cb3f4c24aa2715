"""Reporting figures are reused between requests, and never once money moved or a state changed."""

from __future__ import annotations

import os

import pytest
import redis

from app import create_app
from app.accounts.models import Role
from app.audit.services import record_event
from app.platform.extensions import db
from app.reporting.web import cache
from tests.donations_support import start_and_confirm
from tests.factories import user_with
from tests.reporting_support import build_scenario, succeed
from tests.statements import counting

# A database of the local Redis no other test or service uses.
SHARED_REDIS = "redis://127.0.0.1:6379/13"


@pytest.fixture
def caching(app):
    app.config["REPORTING_CACHE_SECONDS"] = 60
    cache.clear()
    yield
    cache.clear()
    app.config["REPORTING_CACHE_SECONDS"] = 0


def _received(client) -> int:
    response = client.get("/api/v1/transparency")
    assert response.status_code == 200
    return int(response.get_json()["totals"]["received"]["amount_minor"])


def _counting_figure():
    """A figure whose value is how many times it has been computed."""
    computed: list[int] = []

    def figure() -> int:
        computed.append(1)
        return len(computed)

    return figure


def _statements_during(call) -> list[str]:
    with counting() as statements:
        call()
    return statements


def test_the_public_figures_are_computed_once_while_nothing_changes(client, caching):
    build_scenario()
    first = _statements_during(lambda: _received(client))
    again = _statements_during(lambda: _received(client))

    assert first, "the first visit computes the figures"
    # Within REPORTING_PUBLIC_LAG_SECONDS the remembered data version is trusted: no query.
    assert again == []


def test_a_new_gift_shows_at_once_on_the_page_and_in_the_json(client, caching):
    gateway = build_scenario().gateway
    before = _received(client)
    page_before = client.get("/transparency").get_data(as_text=True)

    gift = start_and_confirm(
        gateway, amount=1_000_00, email="new@example.org", name="New Giver", public=True
    )
    succeed(gateway, gift)
    db.session.commit()  # as the webhook's request does; this process then reads afresh

    assert _received(client) == before + 1_000_00
    page_after = client.get("/transparency").get_data(as_text=True)
    assert "New Giver" in page_after and "New Giver" not in page_before


def test_any_audited_change_refreshes_a_figure(app, caching):
    figure = _counting_figure()

    assert cache.cached("figure", figure) == 1
    assert cache.cached("figure", figure) == 1
    record_event(
        actor=None, action="test.changed", summary="Something changed", subject_type="test"
    )
    db.session.flush()
    assert cache.cached("figure", figure) == 2


def test_a_figure_is_not_kept_longer_than_the_setting(app, caching, monkeypatch):
    clock = [1000.0]
    # The store's clock (Flask-Caching's in-process store, when there is no Redis).
    monkeypatch.setattr("cachelib.simple.time", lambda: clock[0])
    figure = _counting_figure()

    assert cache.cached("aged", figure) == 1
    clock[0] += 59
    assert cache.cached("aged", figure) == 1
    clock[0] += 2
    assert cache.cached("aged", figure) == 2


def _worker(redis_url: str):
    """Another gunicorn worker: an app of its own whose figures go to ``redis_url``."""
    return create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "REPORTING_CACHE_SECONDS": 60,
            "REPORTING_CACHE_REDIS_URL": redis_url,
        },
    )


def _redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.exceptions.RedisError:
        return False


def test_workers_share_a_figure_through_redis():
    if not _redis_answers(SHARED_REDIS):
        if os.environ.get("CI"):
            pytest.fail(f"Redis does not answer at {SHARED_REDIS} (.ci/run starts it)")
        pytest.skip(f"needs Redis at {SHARED_REDIS}: the shared figures are not tested")
    first, second = _worker(SHARED_REDIS), _worker(SHARED_REDIS)
    figure = _counting_figure()
    with first.app_context():
        cache.clear()
        assert cache.cached("shared", figure, version=(1, 1)) == 1
    with second.app_context():
        # Computed by the first worker, read by the second.
        assert cache.cached("shared", figure, version=(1, 1)) == 1
        # Something changed: computed again, once, for both.
        assert cache.cached("shared", figure, version=(1, 2)) == 2
    with first.app_context():
        assert cache.cached("shared", figure, version=(1, 2)) == 2
        cache.clear()


def test_a_store_that_does_not_answer_still_shows_the_figure():
    worker = _worker("redis://127.0.0.1:1/0")  # nothing listens on port 1
    figure = _counting_figure()
    with worker.app_context():
        assert cache.cached("unstored", figure, version=(1, 1)) == 1
        assert cache.cached("unstored", figure, version=(1, 1)) == 2


def test_the_cache_is_off_at_zero(app):
    app.config["REPORTING_CACHE_SECONDS"] = 0
    calls: list[int] = []
    cache.cached("off", lambda: calls.append(1))
    cache.cached("off", lambda: calls.append(1))
    assert len(calls) == 2


def test_a_reused_dashboard_fits_each_reader(client, sign_in, caching):
    build_scenario()
    sign_in(user_with(Role.FUND_MANAGER))
    english = client.get("/dashboard").get_data(as_text=True)
    french = client.get("/dashboard", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Key figures" in english and "/reports/exports" in english
    assert "Chiffres clés" in french and "Key figures" not in french

    sign_in(user_with(Role.BOARD))  # the Board may not export
    board = client.get("/dashboard").get_data(as_text=True)
    assert "Key figures" in board and "/reports/exports" not in board


def test_the_public_page_is_reused_per_language(client, caching):
    build_scenario()
    english = client.get("/transparency").get_data(as_text=True)
    french = client.get("/transparency", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Contributions by donor" in english
    assert "Contributions by donor" not in french and 'lang="fr"' in french


def _language_form_token(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def test_a_stored_public_page_gives_each_visitor_a_working_token(app, caching, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    build_scenario()
    first, second = app.test_client(), app.test_client()
    first_page = first.get("/transparency").get_data(as_text=True)
    second_page = second.get("/transparency").get_data(as_text=True)

    assert _language_form_token(first_page) != _language_form_token(second_page)
    assert "csrf-token-of-this-visitor" not in second_page
    response = second.post(
        "/language",
        data={
            "language": "fr",
            "next": "/transparency",
            "csrf_token": _language_form_token(second_page),
        },
    )
    assert response.status_code == 302
    french = second.get("/transparency").get_data(as_text=True)
    assert 'lang="fr"' in french


def test_a_message_for_one_visitor_is_never_shown_to_the_next(app, caching):
    build_scenario()
    first, second = app.test_client(), app.test_client()
    with first.session_transaction() as session:
        session["_flashes"] = [("info", "A message for the first visitor only.")]
    assert "A message for the first visitor only." in first.get("/transparency").get_data(
        as_text=True
    )
    assert "A message for the first visitor only." not in second.get("/transparency").get_data(
        as_text=True
    )


def test_a_visitor_s_page_needs_no_database_work_while_nothing_changes(client, caching):
    build_scenario()
    first = client.get("/transparency")
    statements = _statements_during(lambda: client.get("/transparency"))
    again = client.get("/transparency")
    assert first.status_code == again.status_code == 200
    assert statements == []


def test_public_figures_lag_another_process_s_change_by_at_most_the_setting(
    app, caching, monkeypatch
):
    clock = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: clock[0])
    figure = _counting_figure()

    assert cache.cached("public", figure, cache.public_data_version()) == 1
    # A change written elsewhere: this process commits nothing, so it trusts the version it
    # read until that is REPORTING_PUBLIC_LAG_SECONDS old.
    record_event(actor=None, action="test.changed", summary="Something changed", subject_type="t")
    db.session.flush()
    clock[0] += 0.5
    assert cache.cached("public", figure, cache.public_data_version()) == 1
    clock[0] += app.config["REPORTING_PUBLIC_LAG_SECONDS"]
    assert cache.cached("public", figure, cache.public_data_version()) == 2


def test_signing_in_downloading_or_saving_a_draft_keeps_the_figures(app, caching):
    figure = _counting_figure()

    assert cache.cached("neutral", figure) == 1
    for action in ("user.login", "user.logout", "file.downloaded", "application.section_saved"):
        record_event(actor=None, action=action, summary="Not a figure", subject_type="test")
    db.session.flush()
    assert cache.cached("neutral", figure) == 1
    # Any other action may change a figure, including ones the list has never heard of.
    record_event(actor=None, action="test.new_kind", summary="A change", subject_type="test")
    db.session.flush()
    assert cache.cached("neutral", figure) == 2
