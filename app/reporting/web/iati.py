"""Who publishes the IATI file, from the settings."""

from __future__ import annotations

from flask import current_app

from app.reporting.iati import IatiPublisher


def publisher() -> IatiPublisher:
    config = current_app.config
    return IatiPublisher(
        organisation_ref=str(config.get("IATI_ORGANISATION_REF", "XI-IATI-UNVTF")),
        organisation_name=str(config.get("FUND_MANAGER_NAME", "UNODC")),
        fund_name=str(config.get("FUND_NAME", "Trust Fund")),
        currency=str(config["FUNCTIONAL_CURRENCY"]),
        # The transparency page lists the themes the fund's own sector vocabulary is made of.
        vocabulary_uri=f"{str(config['PUBLIC_BASE_URL']).rstrip('/')}/transparency",
    )
