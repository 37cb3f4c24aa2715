"""Demo bank accounts: each demo NGO's account, proposed by its owner and confirmed by the fund
manager long before the demo's first payment, so finance can pay the demo tranches."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import Organisation, User
from app.organisations.models import BankAccount
from app.organisations.services import bank_accounts as bank
from app.platform.db import utcnow
from app.platform.extensions import db

# name -> (IBAN, account number, BIC, bank, country): IBANs where the country uses them.
DEMO_ACCOUNTS = {
    "Safe Haven Initiative": ("", "1012345678", "ZEIBNGLAXXX", "Zenith Bank", "NG"),
    "Freedom Path Association": (
        "",
        "3051234567",
        "BOPIPHMMXXX",
        "Bank of the Philippine Islands",
        "PH",
    ),
    "Esperanza Libre A.C.": ("", "002180700012345672", "BNMXMXMMXXX", "Citibanamex", "MX"),
    "Casa Nova": ("MD24AG000225100013104168", "", "AGRNMD2XXXX", "Moldova Agroindbank", "MD"),
}


def load_demo_bank_accounts() -> int:
    """Give each demo NGO without bank details its account; returns how many were made."""
    manager = db.session.execute(
        select(User).where(User.email == "fund_manager@demo.test")
    ).scalar_one_or_none()
    if manager is None:
        return 0
    # Older than any demo payment (the oldest demo grant started 16 months ago).
    confirmed = utcnow() - timedelta(days=3 * 365)
    created = 0
    for name, (iban, number, bic, bank_name, country) in DEMO_ACCOUNTS.items():
        organisation = db.session.execute(
            select(Organisation).where(Organisation.name == name)
        ).scalar_one_or_none()
        if organisation is None or not organisation.memberships:
            continue
        if db.session.execute(
            select(BankAccount.id).where(BankAccount.organisation_id == organisation.id)
        ).first():
            continue
        account = bank.propose_bank_account(
            actor=organisation.memberships[0].user,
            organisation=organisation,
            details=bank.BankDetails(
                holder_name=name,
                iban=iban,
                account_number=number,
                bic=bic,
                bank_name=bank_name,
                country=country,
            ),
            now=confirmed,
        )
        bank.confirm_bank_account(actor=manager, account=account, now=confirmed)
        created += 1
    return created
