"""what donors gave per donor and year (received_totals), kept by triggers as gifts, refunds,
disputes and bank receipts change, and filled from those already recorded

Each change adds rows, never updates one (as gift_totals, migration 3f5b7d9e1a2c): a succeeded
gift's net contribution with a minus sign under its old key and a plus sign under its new one;
a refund or a lost dispute of a succeeded gift as what it takes back; a bank receipt's
functional amount. Writers therefore never wait for each other on this table; the beat's
compaction sums the rows into one per key (app/donations/reports/gift_totals.py). The figures
are those app/reporting/contributions.py summed over the gifts and receipts: a gift counts when
it succeeded, in the UTC year it succeeded, for coalesce(functional_amount, 0) less its refunds
and lost disputes; a bank receipt in its value date's year.

The UPDATE triggers fire only when a column the totals read changes. Donors' kinds, names and
choices to be named are read with the totals, so donors need no trigger. A gift is deleted
after its refunds and disputes (the foreign keys have no cascade), which the triggers follow.

SQLite: a later batch_alter_table of gifts, gift_refunds, gift_disputes or bank_receipts
recreates the table without these triggers; tests/domain/reporting/test_received_totals.py then
fails until it puts them back.

Revision ID: 5c2e8a4f6b1d
Revises: 3f5b7d9e1a2c
Create Date: 2026-12-07 19:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5c2e8a4f6b1d'
down_revision = '3f5b7d9e1a2c'
branch_labels = None
depends_on = None

COLUMNS = "donor_id, year, named, entries, amount"
# What the totals read of a gift and of a bank receipt.
GIFT_WATCHED = ["donor_id", "status", "succeeded_at", "public_recognition", "functional_amount"]
RECEIPT_WATCHED = ["donor_id", "value_date", "functional_amount"]
REVERSALS = (("gift_refunds", "functional_amount"), ("gift_disputes", "functional_amount_lost"))
SUCCEEDED = "'succeeded'"


def _year(moment, dialect):
    """The UTC year of a timestamp (app.platform.sql.year_of)."""
    if dialect == "postgresql":
        return f"CAST(EXTRACT(year FROM timezone('UTC', {moment})) AS INTEGER)"
    return f"CAST(STRFTIME('%Y', {moment}) AS INTEGER)"


def _date_year(day, dialect):
    """The year of a date (app.platform.sql.date_year)."""
    if dialect == "postgresql":
        return f"CAST(EXTRACT(year FROM {day}) AS INTEGER)"
    return f"CAST(STRFTIME('%Y', {day}) AS INTEGER)"


def _taken_back(gift_id):
    """What refunds and lost disputes took back from one gift (functional currency)."""
    return (
        f"coalesce((SELECT sum(functional_amount) FROM gift_refunds WHERE gift_id = {gift_id}), 0)"
        " + coalesce((SELECT sum(functional_amount_lost) FROM gift_disputes"
        f" WHERE gift_id = {gift_id}), 0)"
    )


def _add_gift(row, sign, dialect):
    """INSERT of one gift's signed contribution under its key, if it succeeded."""
    return (
        f"INSERT INTO received_totals ({COLUMNS})"
        f" SELECT {row}.donor_id, {_year(f'{row}.succeeded_at', dialect)},"
        f" {row}.public_recognition, {sign},"
        f" {sign} * (coalesce({row}.functional_amount, 0) - ({_taken_back(f'{row}.id')}))"
        f" WHERE {row}.status = {SUCCEEDED}"
    )


def _take_back(row, sign, column, dialect):
    """INSERT of what a refund or dispute row takes back from its succeeded gift."""
    return (
        f"INSERT INTO received_totals ({COLUMNS})"
        f" SELECT g.donor_id, {_year('g.succeeded_at', dialect)}, g.public_recognition, 0,"
        f" {sign} * -coalesce({row}.{column}, 0)"
        f" FROM gifts g WHERE g.id = {row}.gift_id AND g.status = {SUCCEEDED}"
        f" AND coalesce({row}.{column}, 0) <> 0"
    )


def _add_receipt(row, sign, dialect):
    """INSERT of one bank receipt's signed amount under its key."""
    return (
        f"INSERT INTO received_totals ({COLUMNS})"
        f" SELECT {row}.donor_id, {_date_year(f'{row}.value_date', dialect)},"
        f" CAST(NULL AS BOOLEAN), {sign},"
        f" {sign} * {row}.functional_amount"
    )


def _postgresql_up():
    d = "postgresql"
    statements = []
    for name, table, watched, add in (
        ("gift", "gifts", GIFT_WATCHED, _add_gift),
        ("bank_receipt", "bank_receipts", RECEIPT_WATCHED, _add_receipt),
    ):
        statements += [
            f"""
            CREATE FUNCTION received_totals_follow_{name}() RETURNS trigger LANGUAGE plpgsql
            AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN {add('OLD', -1, d)}; END IF;
                IF TG_OP <> 'DELETE' THEN {add('NEW', 1, d)}; END IF;
                RETURN NULL;
            END $$
            """,
            f"CREATE TRIGGER received_totals_{name}_insert_delete AFTER INSERT OR DELETE"
            f" ON {table} FOR EACH ROW EXECUTE FUNCTION received_totals_follow_{name}()",
            f"CREATE TRIGGER received_totals_{name}_update AFTER UPDATE OF {', '.join(watched)}"
            f" ON {table} FOR EACH ROW WHEN ("
            + " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in watched)
            + f") EXECUTE FUNCTION received_totals_follow_{name}()",
        ]
    for table, column in REVERSALS:
        statements += [
            f"""
            CREATE FUNCTION received_totals_follow_{table}() RETURNS trigger LANGUAGE plpgsql
            AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN {_take_back('OLD', -1, column, d)}; END IF;
                IF TG_OP <> 'DELETE' THEN {_take_back('NEW', 1, column, d)}; END IF;
                RETURN NULL;
            END $$
            """,
            f"CREATE TRIGGER received_totals_{table} AFTER INSERT OR UPDATE OF gift_id, {column}"
            f" OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION received_totals_follow_{table}()",
        ]
    return statements


def _sqlite_up():
    d = "sqlite"
    statements = []
    for name, table, watched, add in (
        ("gift", "gifts", GIFT_WATCHED, _add_gift),
        ("bank_receipt", "bank_receipts", RECEIPT_WATCHED, _add_receipt),
    ):
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in watched)
        statements += [
            f"CREATE TRIGGER received_totals_{name}_insert AFTER INSERT ON {table}"
            f" BEGIN {add('NEW', 1, d)}; END",
            f"CREATE TRIGGER received_totals_{name}_update AFTER UPDATE OF {', '.join(watched)}"
            f" ON {table} WHEN {changed}"
            f" BEGIN {add('OLD', -1, d)}; {add('NEW', 1, d)}; END",
            f"CREATE TRIGGER received_totals_{name}_delete AFTER DELETE ON {table}"
            f" BEGIN {add('OLD', -1, d)}; END",
        ]
    for table, column in REVERSALS:
        statements += [
            f"CREATE TRIGGER received_totals_{table}_insert AFTER INSERT ON {table}"
            f" BEGIN {_take_back('NEW', 1, column, d)}; END",
            f"CREATE TRIGGER received_totals_{table}_update AFTER UPDATE OF gift_id, {column}"
            f" ON {table} BEGIN {_take_back('OLD', -1, column, d)};"
            f" {_take_back('NEW', 1, column, d)}; END",
            f"CREATE TRIGGER received_totals_{table}_delete AFTER DELETE ON {table}"
            f" BEGIN {_take_back('OLD', -1, column, d)}; END",
        ]
    return statements


def _backfill(dialect):
    gifts = (
        f"INSERT INTO received_totals ({COLUMNS})"
        f" SELECT g.donor_id, {_year('g.succeeded_at', dialect)}, g.public_recognition, count(*),"
        " sum(coalesce(g.functional_amount, 0) - coalesce(r.amount, 0) - coalesce(l.amount, 0))"
        " FROM gifts g"
        " LEFT JOIN (SELECT gift_id, sum(functional_amount) AS amount FROM gift_refunds"
        " GROUP BY gift_id) r ON r.gift_id = g.id"
        " LEFT JOIN (SELECT gift_id, sum(functional_amount_lost) AS amount FROM gift_disputes"
        " GROUP BY gift_id) l ON l.gift_id = g.id"
        f" WHERE g.status = {SUCCEEDED}"
        " GROUP BY g.donor_id, 2, g.public_recognition"
    )
    receipts = (
        f"INSERT INTO received_totals ({COLUMNS})"
        f" SELECT donor_id, {_date_year('value_date', dialect)}, CAST(NULL AS BOOLEAN), count(*),"
        " sum(functional_amount) FROM bank_receipts GROUP BY donor_id, 2"
    )
    return [gifts, receipts]


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        'received_totals',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('donor_id', sa.Integer(), nullable=True),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('named', sa.Boolean(), nullable=True),
        sa.Column('entries', sa.BigInteger(), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_received_totals')),
    )
    for statement in _backfill(dialect):
        op.execute(statement)
    for statement in _postgresql_up() if dialect == "postgresql" else _sqlite_up():
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table, _column in REVERSALS:
            op.execute(f"DROP TRIGGER IF EXISTS received_totals_{table} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS received_totals_follow_{table}()")
        for name, table in (("gift", "gifts"), ("bank_receipt", "bank_receipts")):
            op.execute(f"DROP TRIGGER IF EXISTS received_totals_{name}_update ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS received_totals_{name}_insert_delete ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS received_totals_follow_{name}()")
    else:
        for name in (
            *(f"received_totals_{kind}_{event}" for kind in ("gift", "bank_receipt")
              for event in ("insert", "update", "delete")),
            *(f"received_totals_{table}_{event}" for table, _c in REVERSALS
              for event in ("insert", "update", "delete")),
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table('received_totals')
