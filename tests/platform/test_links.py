"""Rules link to pages through app/platform/links.py, which the web side fills at start-up."""

from __future__ import annotations

from app.notifications.services import link_to
from app.platform import links


def test_a_notice_links_to_the_page_the_web_side_serves(app):
    # create_app() installed the web side's builder: a CLI command's notice gets the same path
    # a visitor would click.
    with app.app_context():
        assert link_to("grants.tranche", tranche_id=3) == "/grants/tranches/3"
        assert links.page("applications.show", application_id=7) == "/applications/7"


def test_the_rules_use_whichever_builder_is_installed(app, monkeypatch):
    monkeypatch.setattr(links, "_page_path", lambda name, **values: f"<{name} {values}>")
    assert link_to("grants.tranche", tranche_id=3) == "<grants.tranche {'tranche_id': 3}>"
