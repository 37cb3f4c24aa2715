"""the gifts' running totals (gift_totals), kept by triggers as gifts, refunds, disputes and
donors' kinds change, and filled from the gifts already recorded

Each change adds rows, never updates one: a gift's figures with a minus sign under its old key
and a plus sign under its new one; a refund or a lost dispute as what it takes back from what
was received. Writers therefore never wait for each other on this table; the beat sums the rows
into one per key every minute (app/donations/reports/gift_totals.py). The figures are those of
app/donations/reports/totals.py (Gift.net_functional_amount for what was received).

The gifts' UPDATE triggers fire only when a column the totals read changes. Gifts are never
deleted by the application; a deletion is still followed, after its refunds and disputes (the
foreign keys have no cascade, so those go first).

SQLite: a later batch_alter_table of gifts, gift_refunds, gift_disputes or donors recreates the
table without these triggers; tests/domain/donations/test_gift_totals.py then fails until it
puts them back.

Revision ID: 3f5b7d9e1a2c
Revises: b7d1e2f3a4c5
Create Date: 2026-12-07 15:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3f5b7d9e1a2c'
down_revision = 'b7d1e2f3a4c5'
branch_labels = None
depends_on = None

COLUMNS = (
    "donor_kind, kind, year, status, currency,"
    " gifts, amount, functional_amount, received_functional, fees_functional"
)
# What the totals read of a gift: a change to any other column changes nothing here.
WATCHED = "donor_id, kind, status, amount, currency, functional_amount, fee_amount,"\
    " succeeded_at, created_at"
WATCHED_LIST = [column.strip() for column in WATCHED.split(",")]


def _year(row, dialect):
    moment = f"coalesce({row}.succeeded_at, {row}.created_at)"
    if dialect == "postgresql":
        return f"CAST(EXTRACT(year FROM timezone('UTC', {moment})) AS INTEGER)"
    return f"CAST(STRFTIME('%Y', {moment}) AS INTEGER)"


def _taken_back(gift_id):
    """What refunds and lost disputes took back from one gift (functional currency)."""
    return (
        f"coalesce((SELECT sum(functional_amount) FROM gift_refunds WHERE gift_id = {gift_id}), 0)"
        " + coalesce((SELECT sum(functional_amount_lost) FROM gift_disputes"
        f" WHERE gift_id = {gift_id}), 0)"
    )


def _gift_figures(row, sign, dialect):
    """A gift's row of figures, signed: ``row`` is NEW, OLD or a table alias."""
    received = (
        f"CASE WHEN {row}.functional_amount IS NULL THEN 0"
        f" ELSE {row}.functional_amount - ({_taken_back(f'{row}.id')}) END"
    )
    return (
        f"{_year(row, dialect)}, {row}.status, {row}.currency, {sign},"
        f" {sign} * {row}.amount, {sign} * coalesce({row}.functional_amount, 0),"
        f" {sign} * ({received}), {sign} * {row}.fee_amount"
    )


def _add_gift(row, sign, dialect):
    """INSERT of one gift's signed figures under its key (its donor's kind read now)."""
    return (
        f"INSERT INTO gift_totals ({COLUMNS})"
        f" SELECT d.kind, {row}.kind, {_gift_figures(row, sign, dialect)}"
        f" FROM donors d WHERE d.id = {row}.donor_id"
    )


def _take_back(row, sign, column, dialect):
    """INSERT of what a refund or dispute row takes back from its gift's received total."""
    return (
        f"INSERT INTO gift_totals ({COLUMNS})"
        f" SELECT d.kind, g.kind, {_year('g', dialect)}, g.status, g.currency, 0, 0, 0,"
        f" {sign} * -coalesce({row}.{column}, 0), 0"
        " FROM gifts g JOIN donors d ON d.id = g.donor_id"
        f" WHERE g.id = {row}.gift_id AND g.functional_amount IS NOT NULL"
        f" AND coalesce({row}.{column}, 0) <> 0"
    )


def _move_donor(old_kind, new_kind, donor_id, dialect):
    """INSERT moving a donor's gifts from one donor kind to another."""
    return (
        f"INSERT INTO gift_totals ({COLUMNS})"
        f" SELECT moved.donor_kind, g.kind, {_gift_figures('g', 'moved.sign', dialect)}"
        f" FROM gifts g CROSS JOIN (SELECT {old_kind} AS donor_kind, -1 AS sign"
        f" UNION ALL SELECT {new_kind}, 1) moved WHERE g.donor_id = {donor_id}"
    )


REVERSALS = (("gift_refunds", "functional_amount"), ("gift_disputes", "functional_amount_lost"))


def _postgresql_up():
    d = "postgresql"
    statements = [
        f"""
        CREATE FUNCTION gift_totals_follow_gift() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN {_add_gift('OLD', -1, d)}; END IF;
            IF TG_OP <> 'DELETE' THEN {_add_gift('NEW', 1, d)}; END IF;
            RETURN NULL;
        END $$
        """,
        "CREATE TRIGGER gift_totals_gift_insert_delete AFTER INSERT OR DELETE ON gifts"
        " FOR EACH ROW EXECUTE FUNCTION gift_totals_follow_gift()",
        f"CREATE TRIGGER gift_totals_gift_update AFTER UPDATE OF {WATCHED} ON gifts"
        " FOR EACH ROW WHEN ("
        + " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in WATCHED_LIST)
        + ") EXECUTE FUNCTION gift_totals_follow_gift()",
        f"""
        CREATE FUNCTION gift_totals_follow_donor() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {_move_donor('OLD.kind', 'NEW.kind', 'NEW.id', d)};
            RETURN NULL;
        END $$
        """,
        "CREATE TRIGGER gift_totals_donor_kind AFTER UPDATE OF kind ON donors FOR EACH ROW"
        " WHEN (OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION gift_totals_follow_donor()",
    ]
    for table, column in REVERSALS:
        statements += [
            f"""
            CREATE FUNCTION gift_totals_follow_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN {_take_back('OLD', -1, column, d)}; END IF;
                IF TG_OP <> 'DELETE' THEN {_take_back('NEW', 1, column, d)}; END IF;
                RETURN NULL;
            END $$
            """,
            f"CREATE TRIGGER gift_totals_{table} AFTER INSERT OR UPDATE OF gift_id, {column}"
            f" OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION gift_totals_follow_{table}()",
        ]
    return statements


def _sqlite_up():
    d = "sqlite"
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED_LIST)
    statements = [
        f"CREATE TRIGGER gift_totals_gift_insert AFTER INSERT ON gifts"
        f" BEGIN {_add_gift('NEW', 1, d)}; END",
        f"CREATE TRIGGER gift_totals_gift_update AFTER UPDATE OF {WATCHED} ON gifts"
        f" WHEN {changed}"
        f" BEGIN {_add_gift('OLD', -1, d)}; {_add_gift('NEW', 1, d)}; END",
        f"CREATE TRIGGER gift_totals_gift_delete AFTER DELETE ON gifts"
        f" BEGIN {_add_gift('OLD', -1, d)}; END",
        "CREATE TRIGGER gift_totals_donor_kind AFTER UPDATE OF kind ON donors"
        " WHEN OLD.kind IS NOT NEW.kind"
        f" BEGIN {_move_donor('OLD.kind', 'NEW.kind', 'NEW.id', d)}; END",
    ]
    for table, column in REVERSALS:
        statements += [
            f"CREATE TRIGGER gift_totals_{table}_insert AFTER INSERT ON {table}"
            f" BEGIN {_take_back('NEW', 1, column, d)}; END",
            f"CREATE TRIGGER gift_totals_{table}_update AFTER UPDATE OF gift_id, {column}"
            f" ON {table} BEGIN {_take_back('OLD', -1, column, d)};"
            f" {_take_back('NEW', 1, column, d)}; END",
            f"CREATE TRIGGER gift_totals_{table}_delete AFTER DELETE ON {table}"
            f" BEGIN {_take_back('OLD', -1, column, d)}; END",
        ]
    return statements


def _backfill(dialect):
    return (
        f"INSERT INTO gift_totals ({COLUMNS})"
        f" SELECT d.kind, g.kind, {_year('g', dialect)}, g.status, g.currency, count(*),"
        " sum(g.amount), sum(coalesce(g.functional_amount, 0)),"
        " sum(CASE WHEN g.functional_amount IS NULL THEN 0"
        f" ELSE g.functional_amount - ({_taken_back('g.id')}) END), sum(g.fee_amount)"
        " FROM gifts g JOIN donors d ON d.id = g.donor_id"
        " GROUP BY d.kind, g.kind, 3, g.status, g.currency"
    )


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        'gift_totals',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('donor_kind', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('gifts', sa.BigInteger(), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('functional_amount', sa.BigInteger(), nullable=False),
        sa.Column('received_functional', sa.BigInteger(), nullable=False),
        sa.Column('fees_functional', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_gift_totals')),
    )
    op.execute(_backfill(dialect))
    for statement in _postgresql_up() if dialect == "postgresql" else _sqlite_up():
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table, _column in REVERSALS:
            op.execute(f"DROP TRIGGER IF EXISTS gift_totals_{table} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS gift_totals_follow_{table}()")
        op.execute("DROP TRIGGER IF EXISTS gift_totals_donor_kind ON donors")
        op.execute("DROP FUNCTION IF EXISTS gift_totals_follow_donor()")
        op.execute("DROP TRIGGER IF EXISTS gift_totals_gift_update ON gifts")
        op.execute("DROP TRIGGER IF EXISTS gift_totals_gift_insert_delete ON gifts")
        op.execute("DROP FUNCTION IF EXISTS gift_totals_follow_gift()")
    else:
        for name in (
            "gift_totals_gift_insert", "gift_totals_gift_update", "gift_totals_gift_delete",
            "gift_totals_donor_kind",
            *(f"gift_totals_{table}_{event}" for table, _c in REVERSALS
              for event in ("insert", "update", "delete")),
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table('gift_totals')
