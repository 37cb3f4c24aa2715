"""Base / Development / Testing / Production configuration, overridable by environment."""

from __future__ import annotations

import ipaddress
import os
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = BASE_DIR / "instance"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever scheme the URL was written with."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def rate_limit_storage() -> str:
    """Where the sign-in counters live: RATELIMIT_STORAGE_URI, else REDIS_URL, else memory."""
    return os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL") or "memory://"


class ConfigurationError(RuntimeError):
    """Raised at start-up when a required setting is missing."""


# Signing keys anyone can read in this repository: never good enough for production.
DEVELOPMENT_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - development only, refused in production
TESTING_SECRET_KEY = "testing-secret-key"  # noqa: S105 - tests only, refused in production
KNOWN_SECRET_KEYS = frozenset({DEVELOPMENT_SECRET_KEY, TESTING_SECRET_KEY})
# A production key must be at least this long (bytes): sessions, CSRF tokens and the e-mailed
# reset links are signed with it, so a guessable key is a key to every account.
SECRET_KEY_MIN_BYTES = 32

# Where a reverse proxy may sit by default: loopback and the private ranges (a container
# network, a load balancer inside the same network). A client from elsewhere that reaches the
# server directly is taken at its own address, whatever X-Forwarded-For it sends.
PRIVATE_NETWORKS = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def public_host(base_url: str) -> str:
    """The host name of PUBLIC_BASE_URL, without scheme, port or path."""
    return urlsplit(base_url).hostname or ""


def proxy_networks(addresses: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """TRUSTED_PROXY_ADDRESSES as networks; a wrong entry stops the start, naming the setting."""
    networks = []
    for address in addresses:
        try:
            networks.append(ipaddress.ip_network(address, strict=False))
        except ValueError:
            raise ConfigurationError(
                f"TRUSTED_PROXY_ADDRESSES: {address!r} is not an IP address or network."
            ) from None
    return networks


# Made-up accounts (valid checksums) the demo and the tests pay from.
SAMPLE_FUND_BANK_ACCOUNTS = (
    "USD=CH9300762011623852957:UBSWCHZH80A,EUR=DE89370400440532013000:COBADEFFXXX,"
    "CHF=CH5604835012345678009:CRESCHZZ80A,JPY=1234567:BOTKJPJT"
)


class Base:
    # Identity of the fund: nothing is hard-wired to one fund (DESIGN.md intro).
    FUND_NAME = os.environ.get(
        "FUND_NAME", "UN Voluntary Trust Fund for Victims of Trafficking in Persons"
    )
    FUND_SHORT_NAME = os.environ.get("FUND_SHORT_NAME", "UNVTF")
    FUND_MANAGER_NAME = os.environ.get("FUND_MANAGER_NAME", "UNODC")
    FUNCTIONAL_CURRENCY = os.environ.get("FUNCTIONAL_CURRENCY", "USD")
    # The publisher's IATI organisation identifier (⚠ the fund manager's real one is to be
    # confirmed); the IATI export names every activity after it.
    IATI_ORGANISATION_REF = os.environ.get("IATI_ORGANISATION_REF", "XI-IATI-UNVTF")
    # IATI's Standard Ruleset (its standard_py.json, from IATI's IATI-Rulesets repository),
    # which the IATI data-quality page checks the files against; unset, the page says so.
    IATI_RULESET_PATH = os.environ.get("IATI_RULESET_PATH", "")
    # How often `flask outbox send --loop` looks whether the published IATI files' data changed.
    IATI_PUBLISH_CHECK_SECONDS = float(os.environ.get("IATI_PUBLISH_CHECK_SECONDS", "30"))
    # The licence the IATI files are published under, as the IATI Registry names it.
    IATI_LICENCE = os.environ.get("IATI_LICENCE", "cc-by")
    # Countries whose UN M49 region should differ from the standard one, e.g. {"XK": "150"}.
    REPORTING_REGION_OVERRIDES: dict[str, str] = {}
    # Dashboard and transparency figures are reused while no audit event or ledger transfer has
    # been written, for at most this many seconds (app/reporting/web/cache.py); 0 turns it off.
    REPORTING_CACHE_SECONDS = _env_int("REPORTING_CACHE_SECONDS", 60)
    # Public pages (transparency) may show a change this many seconds late; in return a
    # visitor's page costs no database work while nothing changes (app/reporting/web/cache.py).
    REPORTING_PUBLIC_LAG_SECONDS = _env_int("REPORTING_PUBLIC_LAG_SECONDS", 1)
    # Where those figures are kept: a Redis every worker shares (computed once for all of them),
    # by default REDIS_URL; without one, each process keeps its own.
    REPORTING_CACHE_REDIS_URL = os.environ.get("REPORTING_CACHE_REDIS_URL") or os.environ.get(
        "REDIS_URL"
    )

    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'trustfund.db'}")
    )
    # No pool_pre_ping: connections idle in the pool for a second are pinged instead
    # (app/platform/db.py, ping_connections_after_idle), not every one on every checkout.
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {}
    REDIS_URL = os.environ.get("REDIS_URL")

    # Sessions and cookies.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 8
    WTF_CSRF_TIME_LIMIT = 60 * 60 * 8
    HSTS = False

    # Languages offered by the switcher; the first is the fallback. The six official languages of
    # the United Nations: English first, the fallback, then the order the app gained them in.
    LANGUAGES = ["en", "fr", "es", "ar", "zh", "ru"]
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    # Accounts and security.
    PASSWORD_MIN_LENGTH = 12
    REQUIRE_2FA_FOR_STAFF = _env_bool("REQUIRE_2FA_FOR_STAFF", False)
    EMAIL_TOKEN_MAX_AGE = 60 * 60 * 24 * 3  # confirmation and invitation links: 3 days
    RESET_TOKEN_MAX_AGE = 60 * 60  # password reset links: 1 hour
    LOGIN_LIMIT_PER_IP = os.environ.get("LOGIN_LIMIT_PER_IP", "20 per 10 minutes")
    # Failed sign-ins (decision 0006): from one address, whatever the account; for one account
    # from one address (or one known browser); for one account from browsers that never signed
    # in to it, whatever the address: once reached, only known browsers may still try.
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 10 minutes")
    LOGIN_LIMIT_PER_ACCOUNT_NEW_DEVICES = os.environ.get(
        "LOGIN_LIMIT_PER_ACCOUNT_NEW_DEVICES", "50 per hour"
    )
    # Counters shared by every worker: Redis in production (in memory, each worker would
    # count on its own). Production refuses to start without it.
    RATELIMIT_STORAGE_URI = rate_limit_storage()
    RATELIMIT_HEADERS_ENABLED = True

    # E-mail: SMTP when MAIL_SERVER is set; otherwise the console and /dev/mail in development,
    # the log in tests.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "no-reply@trustfund.test")
    # Development without MAIL_SERVER: every message is printed on the console and kept here,
    # one file each, for the development mailbox page (/dev/mail).
    DEV_MAIL_DIR = os.environ.get("DEV_MAIL_DIR", str(INSTANCE_DIR / "dev-mail"))
    # The outbox (app/outbox/sending.py): a message that the mail server does not take is tried
    # again after 30 s, 1 min, 2 min... (doubling, at most OUTBOX_LONGEST_PAUSE_SECONDS), then shown
    # to the administrator as failed after OUTBOX_MAX_ATTEMPTS attempts (about an hour by
    # default). A sender that dies mid-message frees it after OUTBOX_CLAIM_SECONDS.
    OUTBOX_MAX_ATTEMPTS = _env_int("OUTBOX_MAX_ATTEMPTS", 8)
    OUTBOX_FIRST_PAUSE_SECONDS = _env_int("OUTBOX_FIRST_PAUSE_SECONDS", 30)
    OUTBOX_LONGEST_PAUSE_SECONDS = _env_int("OUTBOX_LONGEST_PAUSE_SECONDS", 3600)
    OUTBOX_CLAIM_SECONDS = _env_int("OUTBOX_CLAIM_SECONDS", 300)
    # The Celery worker's beat looks for due e-mails this often (app/tasks.py).
    OUTBOX_POLL_SECONDS = _env_int("OUTBOX_POLL_SECONDS", 5)
    # Outgoing webhooks (app/webhooks): tried with the outbox's pauses, given up after this
    # many attempts (shown as failed in the delivery log, which can send one again).
    WEBHOOK_MAX_ATTEMPTS = _env_int("WEBHOOK_MAX_ATTEMPTS", 8)
    # Webhooks go to public https:// addresses only (SSRF guard); a test or a local demo may
    # allow http:// and loopback or private addresses. Never in production.
    WEBHOOKS_ALLOW_PRIVATE = _env_bool("WEBHOOKS_ALLOW_PRIVATE", False)
    # Celery's broker when it should not be REDIS_URL (which it is by default).
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL")
    # Where the beat keeps when each scheduled task last ran (a folder the image's user owns).
    CELERY_BEAT_SCHEDULE_FILE = os.environ.get(
        "CELERY_BEAT_SCHEDULE_FILE", str(INSTANCE_DIR / "celerybeat-schedule")
    )
    # Background jobs (app/tasks.py): the beat runs the daily ones (reminders, ledger seal,
    # outbox retention) at this hour, UTC. A sent e-mail keeps its body (which may hold a
    # sign-in or reset link) OUTBOX_KEEP_SENT_DAYS days; then only who, what and when remain.
    DAILY_JOBS_HOUR_UTC = _env_int("DAILY_JOBS_HOUR_UTC", 2)
    OUTBOX_KEEP_SENT_DAYS = _env_int("OUTBOX_KEEP_SENT_DAYS", 30)

    # Sanctions screening (app/screening/): the UN Security Council Consolidated List, in its
    # published XML, imported daily from this URL or path (empty: only `flask screening import`),
    # and the score (0-100) from which a name is a possible match for a person to decide.
    SANCTIONS_LIST_URL = os.environ.get("SANCTIONS_LIST_URL", "")
    SANCTIONS_MATCH_THRESHOLD = float(os.environ.get("SANCTIONS_MATCH_THRESHOLD", "88"))
    # The share (%) of a proposal's text found in another's from which the pair is flagged.
    COPIED_TEXT_THRESHOLD = float(os.environ.get("COPIED_TEXT_THRESHOLD", "30"))

    # Retention (personal data): an account whose address was never confirmed is removed this
    # many days after it was made, by the daily job (`flask users purge-unconfirmed`).
    UNCONFIRMED_ACCOUNT_DAYS = _env_int("UNCONFIRMED_ACCOUNT_DAYS", 30)

    # Long work (app/jobs): an export of more rows than this is made by a worker and followed on
    # a job page; its file can be downloaded for JOB_RESULT_KEEP_HOURS hours, then it is deleted.
    EXPORT_JOB_THRESHOLD_ROWS = _env_int("EXPORT_JOB_THRESHOLD_ROWS", 5000)
    JOB_RESULT_KEEP_HOURS = _env_int("JOB_RESULT_KEEP_HOURS", 24)

    # Payments (Stripe, or localstripe via STRIPE_API_BASE).
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY")
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE")
    # Seconds to wait for Stripe's answer to one request (the SDK's default is 80). The SDK
    # tries three times, so three waits and its pauses must stay under the web worker's 30 s.
    STRIPE_TIMEOUT_SECONDS = float(os.environ.get("STRIPE_TIMEOUT_SECONDS", "5"))

    # Donations: currencies offered on the Give page (each needs an exchange rate in force,
    # except the functional currency), suggested amounts in major units, and the bank details
    # shown for transfers.
    DONATION_CURRENCIES = os.environ.get("DONATION_CURRENCIES", "USD,EUR,GBP,CHF,JPY").split(",")
    DONATION_PRESET_AMOUNTS: dict[str, list[int]] = {
        "JPY": [3000, 5000, 10000, 30000],
        "*": [25, 50, 100, 250],
    }
    # A card gift above this many major units of its currency ("*": any other) is asked about
    # once more before the card is charged ("You are about to give USD 5,000.00 every month").
    DONATION_CONFIRM_ABOVE: dict[str, int] = {
        "JPY": 150_000,
        "*": int(os.environ.get("DONATION_CONFIRM_ABOVE", "1000")),
    }
    # Unset, the Give page shows no bank details (never a placeholder to the public).
    DONATION_BANK_DETAILS = os.environ.get("DONATION_BANK_DETAILS", "")
    # A card attempt still "Processing" after this many hours is shown to finance as abandoned
    # (display only: Stripe never confirmed it, so nothing was recorded on the ledger).
    DONATION_ABANDONED_AFTER_HOURS = int(os.environ.get("DONATION_ABANDONED_AFTER_HOURS", "24"))

    # Uploads: a local folder or an s3:// URL.
    UPLOAD_STORAGE = os.environ.get("UPLOAD_STORAGE", str(INSTANCE_DIR / "uploads"))
    # For s3:// storage: another S3-compatible service (MinIO, Ceph…) and its region; the
    # credentials come from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables.
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")
    S3_REGION = os.environ.get("S3_REGION", "")
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    # One uploaded document (below the request limit, so the refusal is a clear message).
    UPLOAD_MAX_BYTES = _env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)

    # Calls and applications (DOMAIN.md). Defaults for new calls, amounts in minor units of
    # FUNCTIONAL_CURRENCY; each call keeps its own copy, editable by the fund manager.
    GRANT_WINDOWS: dict[str, dict[str, int]] = {
        "emergency": {"max_amount": 20_000_00, "max_duration_months": 9},
        "medium_term": {"max_amount": 60_000_00, "max_duration_months": 24},
    }
    # Programme support cost added on top of an application's budget (ST/AI/286: 13 %).
    PSC_RATE = Decimal(os.environ.get("PSC_RATE", "0.13"))
    # Documents a new call asks of each application ({kind: count}); organisation documents count.
    CALL_REQUIRED_DOCUMENTS: dict[str, int] = {
        "proposal": 1,
        "budget": 1,
        "partner_declaration": 1,
        "reference_letter": 2,
        "registration_certificate": 1,
        "audited_financial_statements": 1,
    }
    # Documents an organisation uploads before the fund can verify it (plus its PSEA policy
    # when it says it has one).
    ORGANISATION_REQUIRED_DOCUMENTS: dict[str, int] = {
        "registration_certificate": 1,
        "audited_financial_statements": 1,
    }

    # Grants (issue 7). References read "<prefix>/<year>/<number>", e.g. VTF/2026/014.
    GRANT_REFERENCE_PREFIX = os.environ.get("GRANT_REFERENCE_PREFIX", "VTF")
    # Tranche shares by the organisation's risk rating (each list sums to 1); a progress report
    # is due before each tranche after the first (DOMAIN.md: instalments after reports).
    GRANT_TRANCHE_SHARES: dict[str, list[str]] = {
        "low": ["0.60", "0.40"],
        "medium": ["0.40", "0.30", "0.30"],
        "high": ["0.25", "0.25", "0.25", "0.25"],
    }
    # A progress report falls due this many days before the tranche it unlocks.
    GRANT_REPORT_LEAD_DAYS = _env_int("GRANT_REPORT_LEAD_DAYS", 14)
    # The final narrative and financial reports fall due this many days after the end date.
    GRANT_FINAL_REPORT_DAYS = _env_int("GRANT_FINAL_REPORT_DAYS", 60)
    # Spending on a budget line this far above or below its budget is flagged (20 %).
    GRANT_VARIANCE_THRESHOLD = Decimal(os.environ.get("GRANT_VARIANCE_THRESHOLD", "0.20"))
    # A proposal is submitted only with a results framework (app/results, decision 0112).
    # Reports' actuals off target by more than GRANT_VARIANCE_THRESHOLD need an explanation.
    RESULTS_FRAMEWORK_REQUIRED = _env_bool("RESULTS_FRAMEWORK_REQUIRED", True)
    # Reminders go out this many days before a report is due, and again when it is overdue.
    GRANT_REMINDER_DAYS = _env_int("GRANT_REMINDER_DAYS", 14)
    # Monitoring (issue 26, app/monitoring): a grant of at least MONITORING_LARGE_GRANT_AMOUNT
    # (minor units) gets the high-risk visit plan; a spot check falls this many days before each
    # later tranche; a partner score of at least MONITORING_LOW_RISK_SCORE proposes low risk, of
    # at least MONITORING_MEDIUM_RISK_SCORE medium, below that high.
    MONITORING_LARGE_GRANT_AMOUNT = _env_int("MONITORING_LARGE_GRANT_AMOUNT", 5_000_000)
    MONITORING_SPOT_CHECK_LEAD_DAYS = _env_int("MONITORING_SPOT_CHECK_LEAD_DAYS", 14)
    MONITORING_LOW_RISK_SCORE = _env_int("MONITORING_LOW_RISK_SCORE", 80)
    MONITORING_MEDIUM_RISK_SCORE = _env_int("MONITORING_MEDIUM_RISK_SCORE", 60)

    # Bank details: a confirmed change of an organisation's account holds its payments this many
    # days (time to hear from the organisation if the change was not theirs); the checker is
    # warned of an account confirmed within BANK_CHANGE_WARNING_DAYS.
    BANK_CHANGE_HOLD_DAYS = _env_int("BANK_CHANGE_HOLD_DAYS", 10)
    BANK_CHANGE_WARNING_DAYS = _env_int("BANK_CHANGE_WARNING_DAYS", 30)
    # Payment files (pain.001): the fund's own account each currency is paid from,
    # "USD=<IBAN or account number>:<BIC>,EUR=..."; a currency not listed gets no file.
    FUND_BANK_ACCOUNTS = os.environ.get("FUND_BANK_ACCOUNTS", "")

    # Selection (issue 6): reviewers per application suggested, days a reviewer has, reminders
    # this many days before the due date (and daily once overdue), the spread between reviewers'
    # weighted scores (0-5) flagged as strong disagreement, and the Board's quorum (members
    # present and not recused).
    REVIEWS_PER_APPLICATION = _env_int("REVIEWS_PER_APPLICATION", 2)
    REVIEW_DUE_DAYS = _env_int("REVIEW_DUE_DAYS", 21)
    REVIEW_REMINDER_DAYS = _env_int("REVIEW_REMINDER_DAYS", 3)
    REVIEW_DISAGREEMENT_SPREAD = Decimal(os.environ.get("REVIEW_DISAGREEMENT_SPREAD", "1.5"))
    BOARD_QUORUM = _env_int("BOARD_QUORUM", 3)
    # Every absolute link the app writes (e-mails, receipts, stop-gift links, the API) starts
    # with this, never with the request's Host header, which the client chooses
    # (app/web/links.py). Required in production; `make run` serves this address.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Host names accepted besides PUBLIC_BASE_URL's; production answers any other Host with 400
    # (Flask's TRUSTED_HOSTS, set from both in create_app). None: every host (development).
    EXTRA_TRUSTED_HOSTS = env_list("EXTRA_TRUSTED_HOSTS")
    TRUSTED_HOSTS: list[str] | None = None

    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto (0: none, trust
    # nothing). The production image runs behind one. The headers are believed only from a peer
    # within TRUSTED_PROXY_ADDRESSES (app/web/proxies.py).
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)
    TRUSTED_PROXY_ADDRESSES = env_list("TRUSTED_PROXY_ADDRESSES", PRIVATE_NETWORKS)

    # Accept addresses at the special-use ".test" domain (the demo logins are <role>@demo.test).
    EMAIL_ALLOW_TEST_DOMAIN = _env_bool("EMAIL_ALLOW_TEST_DOMAIN", False)

    # Pagination.
    PAGE_SIZE = 25

    # Operations (app/platform/logging.py, metrics.py, backup.py). Logs: one JSON object a line
    # ("json"), or lines for people ("text", development's default), at LOG_LEVEL.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # /metrics (Prometheus) answers only these client addresses or networks, or a request
    # carrying METRICS_TOKEN as its bearer token; anyone else is refused.
    METRICS_ALLOWED_ADDRESSES = env_list("METRICS_ALLOWED_ADDRESSES", "127.0.0.1,::1")
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    # Error reports go to Sentry only when a DSN is set; never with personal data.
    SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
    SENTRY_TRACES_SAMPLE_RATE = float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0"))
    # `flask backup` writes one dated folder here (a database dump and the uploads).
    BACKUP_DIR = os.environ.get("BACKUP_DIR", str(INSTANCE_DIR / "backups"))


class Development(Base):
    APP_ENV = "development"
    DEBUG = True
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    EMAIL_ALLOW_TEST_DOMAIN = _env_bool("EMAIL_ALLOW_TEST_DOMAIN", True)
    FUND_BANK_ACCOUNTS = os.environ.get("FUND_BANK_ACCOUNTS", SAMPLE_FUND_BANK_ACCOUNTS)


class Testing(Base):
    APP_ENV = "testing"
    TESTING = True
    EMAIL_ALLOW_TEST_DOMAIN = True
    SECRET_KEY = TESTING_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("TEST_DATABASE_URL", "sqlite://")
    )
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    REQUIRE_2FA_FOR_STAFF = False
    # The suites build proposals without a results framework; tests/domain/results turn it on.
    RESULTS_FRAMEWORK_REQUIRED = False
    MAIL_SERVER = None
    SERVER_NAME = "localhost"
    PUBLIC_BASE_URL = "http://localhost"  # the test client's site, as SERVER_NAME
    # Test databases are emptied between tests and their ids start again: never reuse figures
    # (and never from a Redis another run shares).
    REPORTING_CACHE_SECONDS = 0
    REPORTING_CACHE_REDIS_URL = None
    FUND_BANK_ACCOUNTS = SAMPLE_FUND_BANK_ACCOUNTS


class Production(Base):
    APP_ENV = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS = True
    REQUIRE_2FA_FOR_STAFF = _env_bool("REQUIRE_2FA_FOR_STAFF", True)
    PREFERRED_URL_SCHEME = "https"
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 1)

    @classmethod
    def validate(cls) -> None:
        """Refuse to start with a guessable key, an implicit database, no public address or no
        mail server (without one, no e-mail would ever leave: confirmations, receipts...)."""
        required = ("SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL", "MAIL_SERVER")
        missing = [name for name in required if not os.environ.get(name)]
        if missing:
            raise ConfigurationError(
                "Production configuration needs the environment variable(s) "
                + ", ".join(missing)
                + " to be set."
            )
        key = os.environ["SECRET_KEY"]
        if key in KNOWN_SECRET_KEYS or len(key.encode()) < SECRET_KEY_MIN_BYTES:
            raise ConfigurationError(
                f"SECRET_KEY must be a random value of at least {SECRET_KEY_MIN_BYTES} bytes, "
                "not a published one (python3 -c 'import secrets; "
                "print(secrets.token_urlsafe(48))' makes one)."
            )
        base = urlsplit(os.environ["PUBLIC_BASE_URL"])
        if base.scheme != "https" or not base.hostname or base.query or base.fragment:
            raise ConfigurationError(
                "PUBLIC_BASE_URL must be the https:// address people use to reach the site, "
                "e.g. https://grants.example.org: every e-mailed link starts with it."
            )
        proxy_networks(env_list("TRUSTED_PROXY_ADDRESSES", PRIVATE_NETWORKS))
        if _env_bool("WEBHOOKS_ALLOW_PRIVATE", False):
            raise ConfigurationError(
                "WEBHOOKS_ALLOW_PRIVATE is for tests and local demos: in production it would let "
                "anyone who registers a webhook make the server call its own network."
            )
        if rate_limit_storage().startswith("memory://"):
            raise ConfigurationError(
                "Production needs REDIS_URL (or RATELIMIT_STORAGE_URI) set to a Redis server "
                "every worker reaches: in memory, each worker process would count sign-in "
                "failures on its own, multiplying the limits by the number of workers."
            )


CONFIGS: dict[str, type[Base]] = {
    "development": Development,
    "testing": Testing,
    "production": Production,
}


def trusted_hosts(public_base_url: str, extra: list[str]) -> list[str]:
    """Flask's TRUSTED_HOSTS: PUBLIC_BASE_URL's host and the extra names (EXTRA_TRUSTED_HOSTS)."""
    return [public_host(public_base_url), *extra]


def config_for(name: str | None) -> type[Base]:
    name = (name or os.environ.get("APP_ENV") or "development").lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigurationError(
            f"Unknown APP_ENV {name!r}; use one of: {', '.join(CONFIGS)}."
        ) from None
