"""Who publishes the IATI files, and the ruleset they are checked against, from the settings."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.reporting.iati_activities import FUND_DESCRIPTION
from app.reporting.iati_rules import Ruleset, checker_available, load_ruleset
from app.reporting.iati_xml import IatiPublisher


def publisher() -> IatiPublisher:
    config = current_app.config
    return IatiPublisher(
        organisation_ref=str(config.get("IATI_ORGANISATION_REF", "XI-IATI-UNVTF")),
        organisation_name=str(config.get("FUND_MANAGER_NAME", "UNODC")),
        fund_name=str(config.get("FUND_NAME", "Trust Fund")),
        currency=str(config["FUNCTIONAL_CURRENCY"]),
        # The transparency page lists the themes the fund's own sector vocabulary is made of.
        vocabulary_uri=f"{str(config['PUBLIC_BASE_URL']).rstrip('/')}/transparency",
        fund_description_translations=_translations(FUND_DESCRIPTION),
    )


def _translations(message: str) -> tuple[tuple[str, str], ...]:
    """``message`` in each language the app speaks where a translation exists."""
    found = []
    for code in current_app.config["LANGUAGES"]:
        with force_locale(code):
            text = _(message)
        if text != message:
            found.append((str(code), text))
    return tuple(found)


def ruleset() -> Ruleset | None:
    """The IATI Standard Ruleset at IATI_RULESET_PATH (IATI's standard_py.json, installed beside
    the application), or None when it or lxml, which checking needs, is not installed."""
    setting = current_app.config.get("IATI_RULESET_PATH")
    if not setting or not checker_available():
        return None
    path = Path(str(setting))
    return load_ruleset(path) if path.is_file() else None
