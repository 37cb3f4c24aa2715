"""Personal data on request, one module per use case: ``personal_data`` (the download),
``closure`` (closing an account) and ``retention`` (unconfirmed accounts)."""

from __future__ import annotations

from app.accounts.services.addresses import CLOSED_ACCOUNT_DOMAIN, is_closed
from app.privacy.services.closure import (
    close_account_for,
    close_own_account,
    closure_obstacles,
)
from app.privacy.services.personal_data import export_personal_data, personal_data_of
from app.privacy.services.retention import purge_unconfirmed_accounts

__all__ = [
    "CLOSED_ACCOUNT_DOMAIN",
    "close_account_for",
    "close_own_account",
    "closure_obstacles",
    "export_personal_data",
    "is_closed",
    "personal_data_of",
    "purge_unconfirmed_accounts",
]
