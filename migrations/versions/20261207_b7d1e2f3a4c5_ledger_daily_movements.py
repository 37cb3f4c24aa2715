"""ledger daily movements: what the posted transfers of each UTC day moved, kept by the database

One row per UTC day, transfer code, kind (single or post_pending), debit account, credit
account and, for gifts, the kind of the gift's donor: the sum of the amounts and the number of
transfers. A trigger on ledger_transfers adds every posted transfer to its row as it is
inserted (by the posting services, the scale generator's bulk inserts or COPY, or by hand), and
the rows of the transfers already there are added up here. Transfers are never updated or
deleted, so insert triggers keep the table exact. The finance statement and the annual report
read it instead of every transfer since the period's start (decision 0121).

``donor_kind`` is the donor's kind of the gift a GIFT transfer documents (document_type 'gift',
document_id the gift's id, as app/reporting/statement.py followed it at read time), '' for every
other transfer and for a gift transfer without its gift. The application never changes a
gift's donor or a donor's kind, so the kind at posting is the kind at reading.

PostgreSQL: one statement-level trigger (a transition table), so a batch of transfers is one
upsert, in key order. It runs inside the posting statement, after that statement has locked the
debit and credit accounts of every transfer it inserts (FOR NO KEY UPDATE, until commit): two
transactions never wait for each other on a row of this table without already waiting on those
accounts, so it adds no lock cycle. SQLite runs one writer at a time.

Revision ID: b7d1e2f3a4c5
Revises: 7c1e9a2b4d60
Create Date: 2026-12-07 15:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7d1e2f3a4c5"
down_revision = "7c1e9a2b4d60"
branch_labels = None
depends_on = None

TABLE = "ledger_daily_movements"
KEY = "day, code, kind, debit_account_id, credit_account_id, donor_kind"
POSTED = "('single', 'post_pending')"
CODES = (
    "GIFT", "FEE", "PLEDGE", "PLEDGE_PAYMENT", "PLEDGE_WRITE_OFF", "COMMITMENT", "DISBURSEMENT",
    "PSC", "RELEASE", "REFUND", "CHARGEBACK", "PAYOUT", "REVERSAL", "ADJUSTMENT",
)  # fmt: skip
KINDS = ("single", "pending", "post_pending", "void_pending")

# The gift's donor's kind, for a GIFT transfer documented by a gift; the gift is looked up by
# its primary key (the id compared back as text, as the statement's join did).
POSTGRESQL_DONOR_KIND = """
    (SELECT d.kind FROM gifts g JOIN donors d ON d.id = g.donor_id
     WHERE {t}.code = 'GIFT' AND {t}.document_type = 'gift'
       AND g.id = CASE WHEN {t}.document_id ~ '^[0-9]{{1,9}}$'
                       THEN CAST({t}.document_id AS integer) END
       AND CAST(g.id AS varchar) = {t}.document_id)
"""
SQLITE_DONOR_KIND = """
    (SELECT d.kind FROM gifts g JOIN donors d ON d.id = g.donor_id
     WHERE {t}.code = 'GIFT' AND {t}.document_type = 'gift'
       AND g.id = CAST({t}.document_id AS INTEGER)
       AND CAST(g.id AS TEXT) = {t}.document_id)
"""
POSTGRESQL_DAY = "CAST(timezone('UTC', {t}.created_at) AS date)"
SQLITE_DAY = "date({t}.created_at)"


def _grouped(day, donor_kind, source):
    """The movements of ``source`` (transfers aliased t), one row per key, in key order."""
    return f"""
    SELECT {day.format(t="t")} AS day, t.code, t.kind, t.debit_account_id, t.credit_account_id,
           COALESCE({donor_kind.format(t="t")}, '') AS donor_kind,
           SUM(t.amount), COUNT(*)
    FROM {source} t
    WHERE t.kind IN {POSTED}
    GROUP BY 1, 2, 3, 4, 5, 6
    ORDER BY 1, 2, 3, 4, 5, 6
    """


POSTGRESQL_UP = [
    f"""
    CREATE FUNCTION ledger_add_daily_movements() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {TABLE} AS m ({KEY}, amount, transfers)
        {_grouped(POSTGRESQL_DAY, POSTGRESQL_DONOR_KIND, "new_transfers")}
        ON CONFLICT ({KEY}) DO UPDATE
        SET amount = m.amount + EXCLUDED.amount, transfers = m.transfers + EXCLUDED.transfers;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER ledger_transfers_daily_movements AFTER INSERT ON ledger_transfers"
    " REFERENCING NEW TABLE AS new_transfers"
    " FOR EACH STATEMENT EXECUTE FUNCTION ledger_add_daily_movements()",
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS ledger_transfers_daily_movements ON ledger_transfers",
    "DROP FUNCTION IF EXISTS ledger_add_daily_movements()",
]

SQLITE_UP = [
    f"""
    CREATE TRIGGER ledger_transfers_daily_movements AFTER INSERT ON ledger_transfers
    WHEN NEW.kind IN {POSTED}
    BEGIN
        INSERT INTO {TABLE} ({KEY}, amount, transfers)
        VALUES ({SQLITE_DAY.format(t="NEW")}, NEW.code, NEW.kind, NEW.debit_account_id,
                NEW.credit_account_id, COALESCE({SQLITE_DONOR_KIND.format(t="NEW")}, ''),
                NEW.amount, 1)
        ON CONFLICT ({KEY}) DO UPDATE
        SET amount = amount + excluded.amount, transfers = transfers + 1;
    END
    """,
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS ledger_transfers_daily_movements"]


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "code",
            sa.Enum(
                *CODES,
                name="ledger_transfer_code",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                *KINDS,
                name="ledger_transfer_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("debit_account_id", sa.Integer(), nullable=False),
        sa.Column("credit_account_id", sa.Integer(), nullable=False),
        sa.Column("donor_kind", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("transfers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day",
            "code",
            "kind",
            "debit_account_id",
            "credit_account_id",
            "donor_kind",
            name=op.f("pk_ledger_daily_movements"),
        ),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    day, donor_kind = (
        (POSTGRESQL_DAY, POSTGRESQL_DONOR_KIND) if postgresql else (SQLITE_DAY, SQLITE_DONOR_KIND)
    )
    # SQLite takes the database's write lock for the migration: no transfer slips in between.
    if postgresql:
        op.execute("LOCK TABLE ledger_transfers IN SHARE ROW EXCLUSIVE MODE")
    op.execute(
        f"INSERT INTO {TABLE} ({KEY}, amount, transfers) "
        + _grouped(day, donor_kind, "ledger_transfers")
    )
    for statement in POSTGRESQL_UP if postgresql else SQLITE_UP:
        op.execute(statement)


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL_DOWN if postgresql else SQLITE_DOWN:
        op.execute(statement)
    op.drop_table(TABLE)
