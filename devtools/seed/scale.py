"""A large, realistic fund for load tests: ``flask demo --scale large`` (or ``small`` for tests).

The rows are generated in Python and written in bulk (COPY on PostgreSQL, multi-row inserts on
SQLite), not through the services: a service call per row would take hours at 1,000,000 ledger
transfers. What the services guarantee is kept by construction instead:

* every money movement is a ledger transfer shaped as the services post it (the same codes,
  accounts, pending/post pairs and deterministic ids), and each account's four totals are moved
  by exactly the sum of its new transfers, so ``flask ledger verify`` passes afterwards;
* the limits hold: the fund never commits more than it received (pledges are sized from the
  commitments), a grant never pays out more than was committed, a donor never pays more than it
  pledged;
* transfers are numbered in time order, pending transfers before their posting.

The data is deterministic (a seeded random generator) and stacked on top of the ordinary demo,
so the demo logins (``fund_manager@demo.test``...) see it. It is generated once per database: a
marker audit event (``demo.scale_generated``) records the scale, and a second run refuses.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.calls.services import default_required_documents
from app.donations.reports.gift_totals import compact_running_totals
from app.ledger import chart
from app.ledger.models import Account, TransferCode, TransferKind
from app.ledger.services.posting import transfer_id
from app.ledger.services.totals import add_to_account_totals
from app.platform.categories import Theme
from app.platform.db import Model, utcnow
from app.platform.extensions import db
from app.platform.money import apply_rate
from devtools.seed.people import DEMO_PASSWORD, demo_email

MARKER_ACTION = "demo.scale_generated"
PSC_RATE = Decimal("0.13")
SCALE_DOMAIN = "scale.test"

COUNTRIES = (
    "NG", "PH", "KE", "UG", "BD", "NP", "IN", "TH", "VN", "KH", "MM", "LA", "ID", "MX", "GT",
    "HN", "SV", "CO", "PE", "BR", "AR", "MA", "TN", "EG", "ET", "SD", "SS", "CD", "CM", "GH",
    "CI", "SN", "ML", "NE", "TD", "UA", "MD", "RO", "BG", "AL", "RS", "GE", "AM", "KG", "TJ",
    "UZ", "PK", "AF", "LB", "JO",
)  # fmt: skip
DONOR_COUNTRIES = ("US", "GB", "FR", "DE", "NL", "SE", "NO", "CH", "JP", "AU", "CA", "IT", "ES")
WORDS = (
    "Hope", "Freedom", "Safe", "Bridge", "Dawn", "Haven", "Light", "Path", "Voice", "Shelter",
    "Unity", "Rise", "Care", "Harbour", "Horizon", "Justice", "Dignity", "Open", "New", "Step",
)  # fmt: skip
FORMS = (
    "sexual_exploitation", "forced_labour", "forced_begging", "forced_criminality",
    "forced_marriage", "mixed",
)  # fmt: skip
SEX_AGE = tuple(
    f"{sex}.{age}" for sex in ("female", "male", "other_or_unknown") for age in ("adult", "child")
)


def _themes_of(application_id: int) -> list[str]:
    """Every generated application serves women and girls and one other group (the fund's
    priority and a theme in turn), without a random draw: the same seed keeps the same data."""
    others = [theme for theme in Theme if theme is not Theme.WOMEN_AND_GIRLS]
    return [Theme.WOMEN_AND_GIRLS.value, others[application_id % len(others)].value]


@dataclass(frozen=True, slots=True)
class Scale:
    """How big a generated fund is; ``transfers`` is the exact number of ledger transfers."""

    name: str
    calls: int
    organisations: int
    applications: int
    grants: int
    donors: int
    pledging_donors: int
    transfers: int
    years: int = 7


def sized(n: int) -> Scale:
    """About ``n`` rows of each kind: the query-count tests compare two such funds."""
    return Scale(f"n{n}", n, n, n, max(1, n // 3), n, 1, 30 * n, years=1)


SCALES: dict[str, Scale] = {
    "small": Scale("small", 3, 12, 30, 6, 10, 4, 300, years=3),
    "large": Scale("large", 40, 5_000, 100_000, 5_000, 2_000, 120, 1_000_000),
}


class ScaleRefused(RuntimeError):
    """The generator cannot run here (SQLite at a large scale, or data already generated)."""


def generated_scale() -> str | None:
    """The scale already generated in this database, if any."""
    from app.audit.models import AuditEvent

    return db.session.execute(
        sa.select(AuditEvent.subject_id)
        .where(AuditEvent.action == MARKER_ACTION)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).scalar_one_or_none()


# -- writing rows in bulk -------------------------------------------------------------------


class BulkWriter:
    """Appends rows to tables: COPY on PostgreSQL, executemany inserts elsewhere."""

    def __init__(self, advance: Callable[[int], None]) -> None:
        self.dialect = db.session.get_bind().dialect.name
        self.advance = advance
        self.next_ids: dict[str, int] = {}
        self.written: dict[str, int] = defaultdict(int)

    def next_id(self, table: str) -> int:
        """The first free id of ``table``; ids are handed out by the generator."""
        if table not in self.next_ids:
            column = Model.metadata.tables[table].c.id
            current = db.session.execute(sa.select(sa.func.max(column))).scalar() or 0
            self.next_ids[table] = int(current) + 1
        return self.next_ids[table]

    def take_ids(self, table: str, count: int) -> range:
        start = self.next_id(table)
        self.next_ids[table] = start + count
        return range(start, start + count)

    def write(self, table_name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        table = Model.metadata.tables[table_name]
        json_columns = {
            i for i, name in enumerate(columns) if isinstance(table.c[name].type, sa.JSON)
        }
        if self.dialect == "postgresql":
            self._copy(table_name, columns, rows, json_columns)
        else:
            self._insert(table, columns, rows)

    def _copy(
        self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], json_cols: set[int]
    ) -> None:
        connection = db.session.connection().connection.driver_connection
        quoted = ", ".join(f'"{c}"' for c in columns)
        assert connection is not None
        count = 0
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as cp,
        ):
            for row in rows:
                if json_cols:
                    row = [json.dumps(v) if i in json_cols else v for i, v in enumerate(row)]
                cp.write_row(row)
                count += 1
                if count % 10_000 == 0:
                    self.advance(10_000)
        self.advance(count % 10_000)
        self.written[table] += count

    def _insert(
        self, table: sa.Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(dict(zip(columns, row, strict=True)))
            if len(batch) == 1000:
                self._flush(table, batch)
                batch = []
        if batch:
            self._flush(table, batch)

    def _flush(self, table: sa.Table, batch: list[dict[str, Any]]) -> None:
        db.session.execute(sa.insert(table), batch)
        self.written[table.name] += len(batch)
        self.advance(len(batch))

    def fix_sequences(self) -> None:
        """PostgreSQL's id sequences continue after the ids handed out here."""
        if self.dialect != "postgresql":
            return
        for table in self.next_ids:
            db.session.execute(
                sa.text(
                    # Table names come from the models' metadata, never from input.
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            )


# -- the ledger, as the services would have posted it ---------------------------------------


@dataclass(slots=True)
class _Totals:
    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0


class LedgerBuilder:
    """Collects transfers and the totals they move; written in time order at the end."""

    COLUMNS = (
        "id", "sequence", "debit_account_id", "credit_account_id", "amount", "code", "kind",
        "pending_id", "batch_id", "document_type", "document_id", "actor_id", "memo", "created_at",
    )  # fmt: skip

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []
        self.totals: dict[int, _Totals] = defaultdict(_Totals)

    def single(
        self, tid: uuid.UUID, code: TransferCode, amount: int, debit: int, credit: int,
        at: datetime, document: tuple[str, int], actor: int | None, memo: str | None = None,
    ) -> None:  # fmt: skip
        self._add(
            tid, code, TransferKind.SINGLE, amount, debit, credit, None, at, document, actor, memo
        )
        self.totals[debit].debits_posted += amount
        self.totals[credit].credits_posted += amount

    def pending(
        self, tid: uuid.UUID, code: TransferCode, amount: int, debit: int, credit: int,
        at: datetime, document: tuple[str, int], actor: int | None, memo: str | None = None,
    ) -> None:  # fmt: skip
        self._add(
            tid, code, TransferKind.PENDING, amount, debit, credit, None, at, document, actor, memo
        )
        self.totals[debit].debits_pending += amount
        self.totals[credit].credits_pending += amount

    def post(
        self, tid: uuid.UUID, pending_id: uuid.UUID, code: TransferCode, amount: int, debit: int,
        credit: int, at: datetime, document: tuple[str, int], actor: int | None, memo: str,
    ) -> None:  # fmt: skip
        """Post a pending transfer of the same amount (a full posting)."""
        self._add(
            tid,
            code,
            TransferKind.POST_PENDING,
            amount,
            debit,
            credit,
            pending_id,
            at,
            document,
            actor,
            memo,
        )
        self.totals[debit].debits_pending -= amount
        self.totals[debit].debits_posted += amount
        self.totals[credit].credits_pending -= amount
        self.totals[credit].credits_posted += amount

    def _add(self, tid, code, kind, amount, debit, credit, pending_id, at, document, actor, memo):  # type: ignore[no-untyped-def]
        assert amount > 0 and debit != credit
        self.rows.append(
            (tid, 0, debit, credit, amount, code.value, kind.value, pending_id, None,
             document[0], str(document[1]), actor, memo, at)
        )  # fmt: skip

    def write(self, writer: BulkWriter, rng: random.Random) -> None:
        """Number the transfers in time order after the existing ones, and move the totals."""
        t = Model.metadata.tables["ledger_transfers"]
        last = db.session.execute(sa.select(sa.func.max(t.c.sequence))).scalar() or 0
        # Stable sort: a pending transfer added before its posting at the same instant stays first.
        self.rows.sort(key=lambda row: row[13])
        batch_ids: dict[tuple[str, str, datetime], uuid.UUID] = {}

        def numbered() -> Iterable[tuple[Any, ...]]:
            for offset, row in enumerate(self.rows, start=1):
                # Transfers of one document at one instant were one batch of post_transfers.
                key = (row[9], row[10], row[13])
                batch = batch_ids.get(key)
                if batch is None:
                    batch = batch_ids[key] = uuid.UUID(int=rng.getrandbits(128), version=4)
                yield (row[0], last + offset, *row[2:8], batch, *row[9:])

        writer.write("ledger_transfers", self.COLUMNS, numbered())
        if writer.dialect == "postgresql":
            db.session.execute(
                sa.text("SELECT setval('ledger_transfers_sequence_seq', :last)"),
                {"last": last + len(self.rows)},
            )
        add_to_account_totals(self.totals)


# -- the generator --------------------------------------------------------------------------


@dataclass(slots=True)
class _Grant:
    id: int
    application_id: int
    organisation_id: int
    title: str
    amount: int
    psc: int
    awarded_at: datetime
    status: str
    account_id: int = 0


class FundGenerator:
    """Generates one fund of the given scale; ``run`` writes it and returns row counts."""

    def __init__(self, scale: Scale, *, advance: Callable[[int], None], seed: int = 8) -> None:
        self.scale = scale
        self.rng = random.Random(seed)
        self.writer = BulkWriter(advance)
        self.ledger = LedgerBuilder()
        self.now = utcnow().replace(microsecond=0)
        self.start = datetime(self.now.year - scale.years, 1, 1, tzinfo=UTC)
        self.password_hash = generate_password_hash(DEMO_PASSWORD)

    # helpers
    def _at(self, start: datetime, end: datetime) -> datetime:
        span = max(1, int((end - start).total_seconds()))
        return start + timedelta(seconds=self.rng.randrange(span))

    def _user_id(self, login: str) -> int | None:
        users = Model.metadata.tables["users"]
        return db.session.execute(
            sa.select(users.c.id).where(users.c.email == demo_email(login))
        ).scalar_one_or_none()

    def run(self) -> dict[str, int]:
        self.fund_manager = self._user_id("fund_manager")
        self.finance = self._user_id("finance")
        self.finance2 = self._user_id("finance2")
        self.accounts = {
            key: chart.account_by_key(key).id
            for key in (chart.CASH_STRIPE, chart.CASH_BANK, chart.FUND_AVAILABLE,
                        chart.FUND_PLEDGED, chart.PSC_INCOME)
        }  # fmt: skip
        organisations = self._organisations()
        calls = self._calls()
        grants = self._applications_and_grants(organisations, calls)
        self._grant_ledger_and_tranches(grants)
        self._reports(grants)
        self._donations()
        self.ledger.write(self.writer, self.rng)
        self._marker()
        self.writer.fix_sequences()
        db.session.expire_all()
        return dict(self.writer.written)

    # organisations and their applicant users
    def _organisations(self) -> list[tuple[int, str]]:
        n = self.scale.organisations
        org_ids = self.writer.take_ids("organisations", n)
        user_ids = self.writer.take_ids("users", n)
        created = self.start - timedelta(days=30)
        orgs: list[tuple[int, str]] = []
        org_rows, user_rows, role_rows, member_rows, profile_rows = [], [], [], [], []
        member_ids = self.writer.take_ids("memberships", n)
        for i, (org_id, user_id, member_id) in enumerate(
            zip(org_ids, user_ids, member_ids, strict=True)
        ):
            country = self.rng.choice(COUNTRIES)
            name = f"{self.rng.choice(WORDS)} {self.rng.choice(WORDS)} Network {org_id}"
            email = f"ngo{org_id}@{SCALE_DOMAIN}"
            at = self._at(created, self.start + timedelta(days=365 * self.scale.years // 2))
            orgs.append((org_id, country))
            org_rows.append((org_id, name, "ngo", country, email, at, at))
            user_rows.append(
                (
                    user_id,
                    email,
                    f"Applicant {org_id}",
                    self.password_hash,
                    True,
                    at,
                    "UTC",
                    1,
                    at,
                    at,
                )
            )
            role_rows.append((user_id, "applicant", at))
            member_rows.append((member_id, org_id, user_id, "owner", at))
            status = (
                "verified"
                if i % 10
                else self.rng.choice(("registered", "documents_submitted", "rejected"))
            )
            profile_rows.append(
                (org_id, name, [country], f"REG-{org_id}", f"REG-{org_id}".lower(), status,
                 "low" if status == "verified" else None, "", False, True, name, name.lower(),
                 at, at)
            )  # fmt: skip
        self.writer.write(
            "users",
            ("id", "email", "full_name", "password_hash", "is_active", "email_confirmed_at",
             "timezone", "session_version", "created_at", "updated_at"),
            user_rows,
        )  # fmt: skip
        self.writer.write("user_roles", ("user_id", "role", "granted_at"), role_rows)
        self.writer.write(
            "organisations",
            ("id", "name", "kind", "country", "contact_email", "created_at", "updated_at"),
            org_rows,
        )
        self.writer.write(
            "memberships", ("id", "organisation_id", "user_id", "role", "created_at"), member_rows
        )
        self.writer.write(
            "organisation_profiles",
            ("organisation_id", "legal_name", "countries_of_operation", "registration_number",
             "registration_number_key", "status", "risk_rating", "un_partner_portal_id",
             "survivor_led", "psea_policy", "bank_account_holder", "bank_account_holder_key",
             "created_at", "updated_at"),
            profile_rows,
        )  # fmt: skip
        self.org_user = dict(zip(org_ids, user_ids, strict=True))
        return orgs

    # calls: spread over the years, the last one open
    def _calls(self) -> list[tuple[int, datetime, datetime, str]]:
        n = self.scale.calls
        ids = self.writer.take_ids("calls", n)
        span = (self.now - timedelta(days=60)) - self.start
        calls: list[tuple[int, datetime, datetime, str]] = []
        rows: list[tuple[Any, ...]] = []
        # Documents by kind and how many, as a call created through the services asks.
        documents = default_required_documents()
        for k, call_id in enumerate(ids):
            opens = self.start + span * k / n
            closes = opens + timedelta(days=45)
            last = k == n - 1
            if last:
                opens, closes = self.now - timedelta(days=20), self.now + timedelta(days=40)
            status = "published" if last else "decided"
            window = "emergency" if k % 4 == 3 else "medium_term"
            title = {"en": f"Call {opens.year}-{k + 1}: assistance to victims of trafficking"}
            rows.append(
                (call_id, f"SC-{opens.year}-{call_id}", title, {"en": "Generated call."}, window,
                 status, opens, closes, "UTC", "USD", 500_000_000, 10_000_000, 36, [], [], [],
                 [], documents, ["en"], self.fund_manager, opens, opens - timedelta(days=10),
                 closes)
            )  # fmt: skip
            calls.append((call_id, opens, closes, status))
        self.writer.write(
            "calls",
            ("id", "reference", "title", "description", "window", "status", "opens_at",
             "closes_at", "timezone", "currency", "envelope", "max_amount",
             "max_duration_months", "eligible_countries", "situations", "themes",
             "forms_of_exploitation", "required_documents", "languages", "created_by_id",
             "published_at", "created_at", "updated_at"),
            rows,
        )  # fmt: skip
        return calls

    # applications in realistic states; the approved ones become grants
    def _applications_and_grants(
        self, orgs: list[tuple[int, str]], calls: list[tuple[int, datetime, datetime, str]]
    ) -> list[_Grant]:
        n = self.scale.applications
        ids = self.writer.take_ids("applications", n)
        decided = [c for c in calls if c[3] == "decided"]
        open_calls = [c for c in calls if c[3] != "decided"]
        # About 10 % of the applications go to the open call, the rest to decided ones.
        n_open = max(1, n // 10) if open_calls else 0
        approved = set(self.rng.sample(range(n_open, n), self.scale.grants))
        decided_states = ("rejected", "not_recommended", "ineligible", "withdrawn", "reserve")
        open_states = ("draft", "draft", "submitted", "screening", "in_review", "info_requested")
        rows: list[tuple[Any, ...]] = []
        grants: list[_Grant] = []
        beneficiaries: list[tuple[Any, ...]] = []
        grant_ids = iter(self.writer.take_ids("grants", self.scale.grants))
        for index, app_id in enumerate(ids):
            org_id, country = self.rng.choice(orgs)
            call = open_calls[0] if index < n_open else decided[index % len(decided)]
            call_id, opens, closes, _ = call
            created = self._at(opens, min(closes, self.now))
            if index < n_open:
                status = self.rng.choice(open_states)
            elif index in approved:
                status = "approved"
            else:
                status = self.rng.choice(decided_states)
            submitted = None if status == "draft" else min(created + timedelta(days=3), self.now)
            updated = submitted or created
            if index >= n_open:
                updated = closes + timedelta(days=self.rng.randrange(20, 90))
            amount = self.rng.randrange(20_000, 100_000) * 100
            psc = apply_rate(amount, PSC_RATE)
            title = f"{self.rng.choice(WORDS)} project for survivors in {country} ({app_id})"
            forms = self.rng.sample(FORMS, 2)
            rows.append(
                (app_id, call_id, org_id, status, 1, self.org_user[org_id], self.org_user[org_id],
                 title, "Generated application.", "en", 24, [country], "", [], forms, [],
                 _themes_of(app_id), "",
                 "USD", amount, PSC_RATE, psc, submitted,
                 updated if status == "withdrawn" else None, created, updated)
            )  # fmt: skip
            if status == "approved":
                awarded = min(updated + timedelta(days=10), self.now - timedelta(days=1))
                age_days = (self.now - awarded).days
                grant_status = (
                    "closed" if age_days > 800 else "active" if age_days > 60 else
                    self.rng.choice(("awarded", "agreement_sent", "active"))
                )  # fmt: skip
                grants.append(
                    _Grant(
                        next(grant_ids), app_id, org_id, title, amount, psc, awarded, grant_status
                    )
                )
                for code in SEX_AGE:
                    sex, age = code.split(".")
                    beneficiaries.append((app_id, sex, age, self.rng.randrange(5, 200)))
        self.writer.write(
            "applications",
            ("id", "call_id", "organisation_id", "status", "version_id", "created_by_id",
             "updated_by_id", "title", "summary", "language", "duration_months", "countries",
             "locations", "situations", "forms_of_exploitation", "assistance_types",
             "target_groups", "target_groups_notes", "currency", "requested_amount", "psc_rate",
             "psc_amount", "submitted_at", "withdrawn_at", "created_at", "updated_at"),
            rows,
        )  # fmt: skip
        self.writer.write(
            "planned_beneficiaries", ("application_id", "sex", "age_group", "count"), beneficiaries
        )
        self._grant_rows(grants)
        return grants

    def _grant_rows(self, grants: list[_Grant]) -> None:
        sequences = Model.metadata.tables["grant_sequences"]
        last_numbers = dict(
            db.session.execute(sa.select(sequences.c.year, sequences.c.last_number)).all()
        )
        grants.sort(key=lambda g: g.awarded_at)
        rows, accounts = [], []
        account_ids = self.writer.take_ids("ledger_accounts", len(grants))
        for grant, account_id in zip(grants, account_ids, strict=True):
            year = grant.awarded_at.year
            number = last_numbers.get(year, 0) + 1
            last_numbers[year] = number
            start = grant.awarded_at.date() + timedelta(days=30)
            accepted = grant.status not in ("awarded", "agreement_sent")
            closed = grant.status == "closed"
            grant.account_id = account_id
            rows.append(
                (grant.id, f"VTF/{year}/{number:03d}", year, number, grant.application_id,
                 grant.organisation_id, grant.status, grant.title[:300], "USD", grant.amount,
                 PSC_RATE, grant.psc, "", "low", start, start + timedelta(days=730), 1,
                 grant.awarded_at, self.fund_manager,
                 grant.awarded_at + timedelta(days=2) if grant.status != "awarded" else None,
                 grant.awarded_at + timedelta(days=9) if accepted else None,
                 grant.amount if closed else None, 0 if closed else None, 0 if closed else None,
                 grant.awarded_at + timedelta(days=800) if closed else None,
                 grant.awarded_at, grant.awarded_at)
            )  # fmt: skip
            accounts.append(
                (account_id, chart.grant_key(grant.id), chart.GRANT.code,
                 f"Grant payable: {grant.title}"[:200], chart.GRANT.type.value, "grant", grant.id,
                 "USD", 0, 0, 0, 0, True, False, grant.awarded_at)
            )  # fmt: skip
        self.writer.write(
            "grants",
            ("id", "reference", "year", "number", "application_id", "organisation_id", "status",
             "title", "currency", "amount", "psc_rate", "psc_amount", "conditions",
             "risk_rating", "start_date", "end_date", "budget_version", "awarded_at",
             "awarded_by_id", "agreement_sent_at", "accepted_at", "reported_expenditure",
             "unspent_amount", "released_amount", "closed_at", "created_at", "updated_at"),
            rows,
        )  # fmt: skip
        self._write_accounts(accounts)
        self._upsert_counters("grant_sequences", last_numbers)

    def _write_accounts(self, rows: list[tuple[Any, ...]]) -> None:
        self.writer.write(
            "ledger_accounts",
            ("id", "key", "code", "name", "type", "owner_type", "owner_id", "currency",
             "debits_pending", "debits_posted", "credits_pending", "credits_posted",
             "debits_must_not_exceed_credits", "credits_must_not_exceed_debits", "created_at"),
            rows,
        )  # fmt: skip

    def _upsert_counters(self, table_name: str, last_numbers: dict[int, int]) -> None:
        table = Model.metadata.tables[table_name]
        existing = set(db.session.execute(sa.select(table.c.year)).scalars())
        for year, number in last_numbers.items():
            if year in existing:
                db.session.execute(
                    sa.update(table).where(table.c.year == year).values(last_number=number)
                )
            else:
                db.session.execute(sa.insert(table).values(year=year, last_number=number))

    # commitments, tranches (sent, paid with PSC) and their transfers
    def _grant_ledger_and_tranches(self, grants: list[_Grant]) -> None:
        fund, bank, psc_income = (
            self.accounts[chart.FUND_AVAILABLE], self.accounts[chart.CASH_BANK],
            self.accounts[chart.PSC_INCOME],
        )  # fmt: skip
        rows = []
        tranche_ids = iter(self.writer.take_ids("grant_tranches", 3 * len(grants)))
        self.tranches_by_grant: dict[int, list[int]] = {}
        for grant in grants:
            self.ledger.single(
                transfer_id("grant", grant.id, "commitment"), TransferCode.COMMITMENT,
                grant.amount + grant.psc, fund, grant.account_id, grant.awarded_at,
                ("grant", grant.id), self.fund_manager, "commitment",
            )  # fmt: skip
            shares = (40, 40, 20)
            amounts = [grant.amount * s // 100 for s in shares]
            amounts[-1] = grant.amount - sum(amounts[:-1])
            start = grant.awarded_at + timedelta(days=30)
            paid_count = {"closed": 3, "active": self.rng.choice((1, 1, 2))}.get(grant.status, 0)
            paid_so_far = 0
            ids = []
            for number, amount in enumerate(amounts, start=1):
                tranche_id = next(tranche_ids)
                ids.append(tranche_id)
                planned = start + timedelta(days=240 * (number - 1))
                status, psc, times = "scheduled", 0, {}
                sent_at = min(planned, self.now - timedelta(days=3))
                if number <= paid_count:
                    status = "paid"
                    psc = apply_rate(paid_so_far + amount, PSC_RATE) - apply_rate(
                        paid_so_far, PSC_RATE
                    )
                    paid_so_far += amount
                    paid_at = min(sent_at + timedelta(days=2), self.now - timedelta(hours=1))
                    times = {"sent": sent_at, "paid": paid_at}
                elif (
                    number == paid_count + 1
                    and grant.status == "active"
                    and self.rng.random() < 0.02
                ):
                    status = "sent"
                    times = {"sent": sent_at}
                document = ("tranche", tranche_id)
                send_id = transfer_id("tranche", tranche_id, 1, "send")
                if "sent" in times:
                    self.ledger.pending(
                        send_id, TransferCode.DISBURSEMENT, amount, grant.account_id, bank,
                        times["sent"], document, self.finance, "tranche sent",
                    )  # fmt: skip
                if "paid" in times:
                    self.ledger.post(
                        transfer_id("tranche", tranche_id, 1, "paid"), send_id,
                        TransferCode.DISBURSEMENT, amount, grant.account_id, bank, times["paid"],
                        document, self.finance, "tranche paid",
                    )  # fmt: skip
                    if psc > 0:
                        self.ledger.single(
                            transfer_id("tranche", tranche_id, 1, "psc"), TransferCode.PSC, psc,
                            grant.account_id, psc_income, times["paid"], document, self.finance,
                            "programme support cost",
                        )  # fmt: skip
                sent, paid = times.get("sent"), times.get("paid")
                rows.append(
                    (tranche_id, grant.id, number, amount, planned.date(), status, 1, psc,
                     self.finance if sent else None, sent - timedelta(days=2) if sent else None,
                     self.finance2 if sent else None, sent - timedelta(days=1) if sent else None,
                     self.finance if sent else None, sent, self.finance if paid else None, paid,
                     f"BANK-{tranche_id}" if paid else None)
                )  # fmt: skip
            self.tranches_by_grant[grant.id] = ids
        self.writer.write(
            "grant_tranches",
            ("id", "grant_id", "number", "amount", "planned_date", "status", "attempt",
             "psc_amount", "requested_by_id", "requested_at", "approved_by_id", "approved_at",
             "sent_by_id", "sent_at", "confirmed_by_id", "confirmed_at", "bank_reference"),
            rows,
        )  # fmt: skip

    # progress and final reports with the people assisted
    def _reports(self, grants: list[_Grant]) -> None:
        rows, people = [], []
        for grant in grants:
            if grant.status not in ("active", "closed"):
                continue
            counted = 0  # new people of the grant's reports so far
            kinds = ["progress"] + (["final", "financial"] if grant.status == "closed" else [])
            for number, kind in enumerate(kinds, start=1):
                report_id = self.writer.take_ids("grant_reports", 1)[0]
                due = (grant.awarded_at + timedelta(days=210 * number)).date()
                submitted = datetime.combine(due, datetime.min.time(), UTC) - timedelta(days=3)
                done = submitted < self.now
                status = "accepted" if done else "due"
                rows.append(
                    (report_id, grant.id, kind, number, status, due,
                     "Results achieved." if done else "", "", "", 0, "",
                     submitted if done else None,
                     self.org_user[grant.organisation_id] if done else None,
                     submitted + timedelta(days=2) if done else None,
                     self.fund_manager if done else None, "")
                )  # fmt: skip
                if done and kind != "financial":
                    # The cross table: new people, and some the grant's earlier reports counted
                    # as new still assisted (never more continuing than counted before).
                    may_continue = counted
                    for form in self.rng.sample(FORMS, 2):
                        for code in SEX_AGE:
                            sex, age = code.split(".")
                            new = self.rng.randrange(0, 60)
                            still = min(may_continue, self.rng.randrange(0, 15))
                            may_continue -= still
                            counted += new
                            if new or still:
                                people.append((report_id, form, sex, age, new, still))
        self.writer.write(
            "grant_reports",
            ("id", "grant_id", "kind", "number", "status", "due_date", "results", "challenges",
             "lessons", "safeguarding_incidents", "safeguarding_details", "submitted_at",
             "submitted_by_id", "reviewed_at", "reviewed_by_id", "review_comment"),
            rows,
        )  # fmt: skip
        self.writer.write(
            "grant_report_people",
            ("report_id", "exploitation", "sex", "age", "new_people", "continuing_people"),
            people,
        )

    # donors, pledges (paid through the bank) and card gifts: the rest of the transfers
    def _donations(self) -> None:
        scale = self.scale
        fund, pledged, bank, stripe = (
            self.accounts[chart.FUND_AVAILABLE], self.accounts[chart.FUND_PLEDGED],
            self.accounts[chart.CASH_BANK], self.accounts[chart.CASH_STRIPE],
        )  # fmt: skip
        donor_ids = list(self.writer.take_ids("donors", scale.donors))
        institutional = donor_ids[: scale.pledging_donors]
        individuals = donor_ids[scale.pledging_donors :] or donor_ids
        donor_rows = []
        for donor_id in donor_ids:
            is_institution = donor_id in institutional
            kind = (
                self.rng.choice(("member_state", "government", "foundation", "company"))
                if is_institution else "individual"
            )  # fmt: skip
            name = f"{'Donor State' if is_institution else 'Supporter'} {donor_id}"
            donor_rows.append(
                (donor_id, kind, name, f"donor{donor_id}@{SCALE_DOMAIN}",
                 self.rng.choice(DONOR_COUNTRIES), self.rng.random() < 0.6, self.start, self.start)
            )  # fmt: skip
        self.writer.write(
            "donors",
            ("id", "kind", "name", "email", "country", "public_recognition", "created_at",
             "updated_at"),
            donor_rows,
        )  # fmt: skip

        # Transfers left for donations: each pledge is posted once and paid in one or two
        # instalments (two transfers each); each gift is its gross amount plus its fee.
        used = len(self.ledger.rows)
        years = list(range(self.start.year, self.now.year + 1))
        pledge_plan = [(d, y) for d in institutional for y in years]
        pledge_transfers = sum(1 + 2 * 2 for _ in pledge_plan)
        gift_transfers = scale.transfers - used - pledge_transfers
        if gift_transfers < 2:
            raise ScaleRefused(f"scale {scale.name}: too few transfers for its grants")
        n_gifts = gift_transfers // 2
        unpaired_fee = gift_transfers % 2  # one gift without a fee keeps the count exact

        # Gifts first: the pledges are sized to cover what the gifts leave to commit.
        gift_ids = self.writer.take_ids("gifts", n_gifts)
        receipt_ids = self.writer.take_ids("donation_receipts", n_gifts)
        receipt_numbers: dict[int, int] = dict(
            db.session.execute(
                sa.select(
                    Model.metadata.tables["receipt_sequences"].c.year,
                    Model.metadata.tables["receipt_sequences"].c.last_number,
                )
            ).all()
        )
        gift_rows, receipt_rows = [], []
        gift_net = 0
        for n, (gift_id, receipt_id) in enumerate(zip(gift_ids, receipt_ids, strict=True)):
            at = self._at(self.start, self.now - timedelta(hours=2))
            amount = self.rng.choice((1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000))
            fee = 0 if n < unpaired_fee else 30 + amount * 29 // 1000
            document = ("gift", gift_id)
            self.ledger.single(
                transfer_id("gift", gift_id, "gross"), TransferCode.GIFT, amount, stripe, fund,
                at, document, None, "card gift",
            )  # fmt: skip
            if fee:
                self.ledger.single(
                    transfer_id("gift", gift_id, "fee"), TransferCode.FEE, fee, fund, stripe, at,
                    document, None, "Card processing fee",
                )  # fmt: skip
            gift_net += amount - fee
            number = receipt_numbers.get(at.year, 0) + 1
            receipt_numbers[at.year] = number
            giver = self.rng.choice(individuals)
            gift_rows.append(
                (gift_id, giver, f"Supporter {giver}", "one_off", "succeeded", amount, "USD",
                 amount, Decimal(1), date(at.year, at.month, 1), fee, self.rng.random() < 0.5,
                 uuid.UUID(int=self.rng.getrandbits(128)).hex, f"pi_scale_{gift_id}",
                 f"ch_scale_{gift_id}", at, at - timedelta(minutes=2), at)
            )  # fmt: skip
            receipt_rows.append((receipt_id, at.year, number, gift_id, at))
        self.writer.write(
            "gifts",
            ("id", "donor_id", "donor_name", "kind", "status", "amount", "currency",
             "functional_amount",
             "fx_rate", "fx_month", "fee_amount", "public_recognition", "public_token",
             "stripe_payment_intent_id", "stripe_charge_id", "succeeded_at", "created_at",
             "updated_at"),
            gift_rows,
        )  # fmt: skip
        self.writer.write(
            "donation_receipts", ("id", "year", "number", "gift_id", "issued_at"), receipt_rows
        )
        self._upsert_counters("receipt_sequences", receipt_numbers)

        # Pledges: together they pay in what the commitments need beyond the gifts, plus 15 %.
        fund_row = db.session.get(Account, fund)
        assert fund_row is not None
        existing_room = fund_row.credits_posted - fund_row.debits_posted - fund_row.debits_pending
        committed = sum(
            row[4] for row in self.ledger.rows if row[5] == TransferCode.COMMITMENT.value
        )
        to_raise = max(0, committed - gift_net - existing_room) * 115 // 100 + 100_000
        weights = [self.rng.uniform(0.5, 1.5) for _ in pledge_plan]
        total_weight = sum(weights)
        pledge_ids = self.writer.take_ids("pledges", len(pledge_plan))
        receivables = dict(
            zip(
                institutional,
                self.writer.take_ids("ledger_accounts", len(institutional)),
                strict=True,
            )
        )
        self._write_accounts(
            [
                (account_id, chart.receivable_key(donor_id), chart.RECEIVABLE.code,
                 f"Pledges receivable: Donor State {donor_id}", chart.RECEIVABLE.type.value,
                 "donor", donor_id, "USD", 0, 0, 0, 0, False, True, self.start)
                for donor_id, account_id in receivables.items()
            ]
        )  # fmt: skip
        pledge_rows = []
        for (donor_id, year), weight, pledge_id in zip(
            pledge_plan, weights, pledge_ids, strict=True
        ):
            paid = max(200, int(to_raise * weight / total_weight))
            current = year == self.now.year
            # This year's pledges are half paid; earlier ones in full.
            amount = paid * 2 if current else paid
            confirmed = datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=self.rng.randrange(0, 40))
            confirmed = min(confirmed, self.now - timedelta(days=2))
            receivable = receivables[donor_id]
            document = ("pledge", pledge_id)
            self.ledger.single(
                transfer_id("pledge", pledge_id, "confirmed"), TransferCode.PLEDGE, amount,
                receivable, pledged, confirmed, document, self.finance, "pledge confirmed",
            )  # fmt: skip
            first = paid // 2
            for part, part_amount in enumerate((first, paid - first), start=1):
                at = min(confirmed + timedelta(days=60 * part), self.now - timedelta(hours=1))
                self.ledger.single(
                    transfer_id("pledge", pledge_id, "payment", part, "cash"),
                    TransferCode.PLEDGE_PAYMENT, part_amount, bank, receivable, at, document,
                    self.finance, "pledge payment received",
                )  # fmt: skip
                self.ledger.single(
                    transfer_id("pledge", pledge_id, "payment", part, "fund"),
                    TransferCode.PLEDGE_PAYMENT, part_amount, pledged, fund, at, document,
                    self.finance, "pledge payment available",
                )  # fmt: skip
            pledge_rows.append(
                (pledge_id, donor_id, amount, "USD", year,
                 "partially_paid" if current else "paid", amount, Decimal(1), confirmed.date(),
                 self.finance, self.finance, confirmed - timedelta(days=5), confirmed)
            )  # fmt: skip
        self.writer.write(
            "pledges",
            ("id", "donor_id", "amount", "currency", "year", "status", "functional_amount",
             "fx_rate", "confirmed_on", "confirmed_by_id", "created_by_id", "created_at",
             "updated_at"),
            pledge_rows,
        )  # fmt: skip

    def _marker(self) -> None:
        from app.audit.services import record_event

        record_event(
            actor=None,
            action=MARKER_ACTION,
            subject_type="demo_scale",
            subject_id=self.scale.name,
            summary=(
                f"scale {self.scale.name}: {self.scale.applications} applications, "
                f"{self.scale.grants} grants, {self.scale.transfers} ledger transfers"
            ),
        )
        db.session.flush()


def units_of_work(scale: Scale) -> int:
    """Roughly how many rows the generator writes: the progress bar's length."""
    return (
        scale.transfers * 3 // 2
        + scale.applications
        + scale.grants * 12
        + scale.organisations * 5
        + scale.calls
        + scale.donors
    )


def generate_fund(scale: Scale, *, advance: Callable[[int], None] | None = None) -> dict[str, int]:
    """Write a fund of ``scale`` on top of the demo data; flushes, the caller commits.

    Refused on SQLite beyond the small scale (the large one is a PostgreSQL load test) and when
    a scale was already generated in this database.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect != "postgresql" and scale.transfers > SCALES["small"].transfers * 10:
        raise ScaleRefused(
            f"The {scale.name} scale needs PostgreSQL (set DATABASE_URL=postgresql://...); "
            "SQLite supports --scale small only."
        )
    already = generated_scale()
    if already is not None:
        raise ScaleRefused(
            f"This database already holds the generated {already} scale; "
            "use a fresh database to generate another."
        )
    began = time.monotonic()
    counts = FundGenerator(scale, advance=advance or (lambda _n: None)).run()
    # The triggers added a row of the running totals per gift and receipt; the beat would sum
    # them within a minute, the generated fund starts summed.
    compact_running_totals()
    counts["seconds"] = int(time.monotonic() - began)
    return counts
