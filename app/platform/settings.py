"""The settings the business rules depend on: typed, frozen, checked once when the app starts.

``create_app`` builds a ``Settings`` from ``app.config`` with ``Settings.from_config`` (a value
of the wrong type or out of range stops the start with a ``ConfigurationError`` naming the
setting) and keeps it in ``app.extensions["settings"]``. A rule takes the value it needs as an
argument when its caller has it at hand; otherwise it asks ``settings()``, the one place that
reads the running app for them. The framework's own settings (database, cookies, mail server,
file store) stay in ``app.config``, read by the adapters that use them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from flask import Flask, current_app  # noqa: TID251 - the one accessor of the rules' settings

from app.platform.regions import Region
from config.settings import ConfigurationError

EXTENSION_KEY = "settings"


@dataclass(frozen=True)
class FundSettings:
    """Who the fund is and the money it keeps its books in."""

    name: str
    short_name: str
    manager_name: str
    currency: str  # FUNCTIONAL_CURRENCY, ISO 4217
    psc_rate: Decimal  # programme support cost added on top of a budget, 0 to 1
    donation_currencies: tuple[str, ...]


@dataclass(frozen=True)
class GrantWindow:
    max_amount: int  # minor units of the functional currency
    max_duration_months: int


@dataclass(frozen=True)
class CallSettings:
    """Defaults a new call starts from (each call keeps its own copy)."""

    grant_windows: Mapping[str, GrantWindow]
    required_documents: Mapping[str, int]
    organisation_required_documents: Mapping[str, int]


@dataclass(frozen=True)
class GrantSettings:
    reference_prefix: str
    tranche_shares: Mapping[str, tuple[Decimal, ...]]  # by risk rating, each adding up to 1
    report_lead_days: int
    final_report_days: int
    variance_threshold: Decimal
    reminder_days: int


@dataclass(frozen=True)
class BankAccountSettings:
    change_hold_days: int
    change_warning_days: int


@dataclass(frozen=True)
class ReviewSettings:
    per_application: int
    due_days: int
    reminder_days: int
    disagreement_spread: Decimal
    board_quorum: int


@dataclass(frozen=True)
class ScreeningSettings:
    match_threshold: float  # 0 to 100
    copied_text_threshold: float  # 0 to 100: the share of a proposal's text found in another's


@dataclass(frozen=True)
class UploadSettings:
    max_bytes: int


@dataclass(frozen=True)
class JobSettings:
    """Long work done by a worker (app/jobs)."""

    export_threshold_rows: int  # an export of more rows is made as a job
    keep_hours: int  # how long a job's file can be downloaded


@dataclass(frozen=True)
class DebtorAccount:
    """The fund's own bank account a currency's payment files are paid from."""

    account: str  # IBAN (electronic form) or the bank's account number
    bic: str

    @property
    def is_iban(self) -> bool:
        return self.account[:2].isalpha()


@dataclass(frozen=True)
class BankFileSettings:
    debtor_accounts: Mapping[str, DebtorAccount]  # FUND_BANK_ACCOUNTS, by ISO 4217 currency


@dataclass(frozen=True)
class RegionSettings:
    """UN M49 regions (app/platform/regions.py): countries placed in another region."""

    overrides: Mapping[str, str]  # REPORTING_REGION_OVERRIDES: ISO 3166-1 alpha-2 -> M49 code


@dataclass(frozen=True)
class MonitoringSettings:
    """Monitoring plans and the partner score (app/monitoring)."""

    # A grant of at least this much (minor units) is monitored as closely as a high-risk one.
    large_grant_amount: int = 5_000_000
    # A spot check is planned this many days before each later tranche.
    spot_check_lead_days: int = 14
    # A partner score of at least low_risk_score proposes low risk; of at least
    # medium_risk_score, medium; below, high.
    low_risk_score: int = 80
    medium_risk_score: int = 60


@dataclass(frozen=True)
class ResultsSettings:
    """Results frameworks (app/results)."""

    # RESULTS_FRAMEWORK_REQUIRED: a proposal is submitted only with a results framework.
    framework_required: bool = True


@dataclass(frozen=True)
class Settings:
    fund: FundSettings
    calls: CallSettings
    grants: GrantSettings
    bank_accounts: BankAccountSettings
    reviews: ReviewSettings
    screening: ScreeningSettings
    uploads: UploadSettings
    bank_files: BankFileSettings
    jobs: JobSettings
    regions: RegionSettings
    monitoring: MonitoringSettings = MonitoringSettings()
    results: ResultsSettings = ResultsSettings()

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """The settings from a Flask config; refuses, naming the setting, a value that is
        missing, of the wrong type or out of range."""
        read = _Reader(config)
        currency = read.currency("FUNCTIONAL_CURRENCY")
        return cls(
            fund=FundSettings(
                name=read.text("FUND_NAME"),
                short_name=read.text("FUND_SHORT_NAME"),
                manager_name=read.text("FUND_MANAGER_NAME"),
                currency=currency,
                psc_rate=read.fraction("PSC_RATE"),
                donation_currencies=read.currencies("DONATION_CURRENCIES"),
            ),
            calls=CallSettings(
                grant_windows=read.grant_windows("GRANT_WINDOWS"),
                required_documents=read.counts("CALL_REQUIRED_DOCUMENTS"),
                organisation_required_documents=read.counts("ORGANISATION_REQUIRED_DOCUMENTS"),
            ),
            grants=GrantSettings(
                reference_prefix=read.text("GRANT_REFERENCE_PREFIX"),
                tranche_shares=read.tranche_shares("GRANT_TRANCHE_SHARES"),
                report_lead_days=read.integer("GRANT_REPORT_LEAD_DAYS", minimum=0),
                final_report_days=read.integer("GRANT_FINAL_REPORT_DAYS", minimum=0),
                variance_threshold=read.fraction("GRANT_VARIANCE_THRESHOLD"),
                reminder_days=read.integer("GRANT_REMINDER_DAYS", minimum=0),
            ),
            bank_accounts=BankAccountSettings(
                change_hold_days=read.integer("BANK_CHANGE_HOLD_DAYS", minimum=0),
                change_warning_days=read.integer("BANK_CHANGE_WARNING_DAYS", minimum=0),
            ),
            reviews=ReviewSettings(
                per_application=read.integer("REVIEWS_PER_APPLICATION", minimum=1),
                due_days=read.integer("REVIEW_DUE_DAYS", minimum=1),
                reminder_days=read.integer("REVIEW_REMINDER_DAYS", minimum=0),
                disagreement_spread=read.decimal("REVIEW_DISAGREEMENT_SPREAD", at_most=5),
                board_quorum=read.integer("BOARD_QUORUM", minimum=1),
            ),
            screening=ScreeningSettings(
                match_threshold=float(read.decimal("SANCTIONS_MATCH_THRESHOLD", at_most=100)),
                copied_text_threshold=float(read.decimal("COPIED_TEXT_THRESHOLD", at_most=100)),
            ),
            uploads=UploadSettings(max_bytes=read.integer("UPLOAD_MAX_BYTES", minimum=1)),
            bank_files=BankFileSettings(debtor_accounts=read.debtor_accounts("FUND_BANK_ACCOUNTS")),
            jobs=JobSettings(
                export_threshold_rows=read.integer("EXPORT_JOB_THRESHOLD_ROWS", minimum=0),
                keep_hours=read.integer("JOB_RESULT_KEEP_HOURS", minimum=1),
            ),
            regions=RegionSettings(overrides=read.region_overrides("REPORTING_REGION_OVERRIDES")),
            results=ResultsSettings(
                framework_required=bool(config.get("RESULTS_FRAMEWORK_REQUIRED", True))
            ),
            monitoring=MonitoringSettings(
                large_grant_amount=read.integer("MONITORING_LARGE_GRANT_AMOUNT", minimum=1),
                spot_check_lead_days=read.integer("MONITORING_SPOT_CHECK_LEAD_DAYS", minimum=0),
                low_risk_score=read.integer("MONITORING_LOW_RISK_SCORE", minimum=0),
                medium_risk_score=read.integer("MONITORING_MEDIUM_RISK_SCORE", minimum=0),
            ),
        )


def install(app: Flask) -> Settings:
    """Check the settings and keep them on ``app`` (create_app); refuses to start on a bad one."""
    built = Settings.from_config(app.config)
    app.extensions[EXTENSION_KEY] = built
    return built


def settings() -> Settings:
    """The running app's settings, for a rule whose callers do not hand them over."""
    built = current_app.extensions[EXTENSION_KEY]
    assert isinstance(built, Settings)
    return built


class _Reader:
    """Reads one setting at a time, each refusal naming the setting and saying what it wants."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config

    def _value(self, name: str) -> Any:
        if name not in self.config:
            raise ConfigurationError(f"{name} is not set.")
        return self.config[name]

    def _refuse(self, name: str, wanted: str) -> ConfigurationError:
        return ConfigurationError(f"{name} must be {wanted}, not {self.config.get(name)!r}.")

    def text(self, name: str) -> str:
        value = self._value(name)
        if not isinstance(value, str) or not value.strip():
            raise self._refuse(name, "a non-empty text")
        return value.strip()

    def integer(self, name: str, *, minimum: int) -> int:
        value = self._value(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self._refuse(name, f"a whole number of at least {minimum}")
        return value

    def decimal(self, name: str, *, at_most: int) -> Decimal:
        value = self._value(name)
        number = _as_decimal(value)
        if number is None or not 0 <= number <= at_most:
            raise self._refuse(name, f"a number from 0 to {at_most}")
        return number

    def fraction(self, name: str) -> Decimal:
        return self.decimal(name, at_most=1)

    def currency(self, name: str) -> str:
        value = self._value(name)
        if not _is_currency(value):
            raise self._refuse(name, "a three-letter ISO 4217 currency code such as USD")
        return str(value)

    def currencies(self, name: str) -> tuple[str, ...]:
        value = self._value(name)
        if isinstance(value, str) or not isinstance(value, list | tuple) or not value:
            raise self._refuse(name, "a list of three-letter currency codes")
        # Written by hand in an environment variable: "usd, eur" means USD and EUR.
        codes = tuple(code for code in (str(c).strip().upper() for c in value) if code)
        if not codes or not all(_is_currency(code) for code in codes):
            raise self._refuse(name, "a list of three-letter currency codes such as USD,EUR")
        return codes

    def counts(self, name: str) -> Mapping[str, int]:
        value = self._value(name)
        if not isinstance(value, Mapping) or not all(
            isinstance(kind, str) and _is_count(count, minimum=0) for kind, count in value.items()
        ):
            raise self._refuse(name, "a mapping of document kinds to whole numbers")
        return MappingProxyType(dict(value))

    def grant_windows(self, name: str) -> Mapping[str, GrantWindow]:
        value = self._value(name)
        wanted = "a mapping of windows to max_amount and max_duration_months, both at least 1"
        if not isinstance(value, Mapping):
            raise self._refuse(name, wanted)
        windows = {}
        for window, spec in value.items():
            if not isinstance(spec, Mapping) or not all(
                _is_count(spec.get(key)) for key in ("max_amount", "max_duration_months")
            ):
                raise self._refuse(name, wanted)
            windows[str(window)] = GrantWindow(
                max_amount=spec["max_amount"], max_duration_months=spec["max_duration_months"]
            )
        return MappingProxyType(windows)

    def tranche_shares(self, name: str) -> Mapping[str, tuple[Decimal, ...]]:
        value = self._value(name)
        wanted = "a mapping of risk ratings to positive shares adding up to 1"
        if not isinstance(value, Mapping):
            raise self._refuse(name, wanted)
        shares = {}
        for rating, listed in value.items():
            numbers = tuple(_as_decimal(share) for share in listed or ())
            if not numbers or any(n is None or n <= 0 for n in numbers):
                raise self._refuse(name, wanted)
            exact = tuple(n for n in numbers if n is not None)
            if sum(exact) != 1:
                raise self._refuse(name, wanted)
            shares[str(rating)] = exact
        return MappingProxyType(shares)

    def debtor_accounts(self, name: str) -> Mapping[str, DebtorAccount]:
        """``"USD=CH9300762011623852957:UBSWCHZH80A,EUR=..."``: each currency's account (an IBAN,
        checked, or the bank's account number) and its bank's BIC; empty: no payment files."""
        value = self._value(name)
        wanted = "a list like USD=<IBAN or account number>:<BIC>,EUR=..."
        if not isinstance(value, str):
            raise self._refuse(name, wanted)
        accounts: dict[str, DebtorAccount] = {}
        for item in (part.strip() for part in value.split(",")):
            if not item:
                continue
            currency, _, rest = item.partition("=")
            number, _, bic = rest.rpartition(":")
            currency, number = currency.strip().upper(), number.replace(" ", "").upper()
            if not _is_currency(currency) or not number or not _is_account(number, bic.strip()):
                raise self._refuse(name, wanted)
            accounts[currency] = DebtorAccount(account=number, bic=bic.strip().upper())
        return MappingProxyType(accounts)

    def region_overrides(self, name: str) -> Mapping[str, str]:
        """``{"XK": "150"}``: a country's UN M49 region instead of the standard one."""
        value = self.config.get(name) or {}
        codes = {r.value for r in Region if r != Region.UNKNOWN}
        if not isinstance(value, Mapping) or not all(
            isinstance(country, str) and len(country) == 2 and country.isalpha() and region in codes
            for country, region in value.items()
        ):
            raise self._refuse(name, "a mapping of two-letter country codes to M49 region codes")
        return MappingProxyType({c.upper(): str(r) for c, r in value.items()})


def _is_account(number: str, bic: str) -> bool:
    from schwifty import BIC, IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        BIC(bic)
        if number[:2].isalpha():
            IBAN(number)
    except SchwiftyException:
        return False
    return len(number) <= 34 and number.isalnum()


def _as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _is_count(value: Any, *, minimum: int = 1) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _is_currency(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 3 and value.isascii() and value.isupper()
